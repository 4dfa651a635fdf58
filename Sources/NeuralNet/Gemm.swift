import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// C (m x n) = alpha * op(A) * op(B) + beta * C, row-major, through OpenBLAS.
@inline(__always)
func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
           alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
           beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0, k > 0 else { return }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Stops OpenBLAS's worker-thread pool. crick calls OpenBLAS single-threaded (its own threads
/// split the work), so the pool never runs a job; but a threaded OpenBLAS starts it when the
/// library loads, and its idle workers spin in sched_yield for a while, taking a core (or the
/// hyperthread beside the main thread) from the run. Measured: `motifs --compare` 0.27 s with
/// the pool, 0.21 s without. Safe to call more than once.
public func releaseBLASWorkers() {
    openblas_set_num_threads(1)
    #if canImport(Glibc) && os(Linux)
    // Looked up at run time: serial builds do not export it, and only the pthreads build
    // (openblas_get_parallel() == 1) keeps a pool that this stops for good (the OpenMP build
    // re-creates its buffers lazily).
    typealias Query = @convention(c) () -> Int32
    guard let parallel = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "openblas_get_parallel"),
          unsafeBitCast(parallel, to: Query.self)() == 1,
          let shutdown = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "blas_thread_shutdown_") else { return }
    _ = unsafeBitCast(shutdown, to: Query.self)()
    #endif
}

/// Sets the network's worker threads (crick's `-@` budget). The network splits its work into
/// blocks on its own threads, each calling single-threaded OpenBLAS.
public func setBLASThreads(_ n: Int) {
    releaseBLASWorkers()
    networkThreads = max(1, n)
    keepLargeFreedBlocksInProcess()
}
