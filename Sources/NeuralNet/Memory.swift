#if canImport(Glibc)
import Glibc
#endif

/// Raises glibc's mmap and trim thresholds to 1 GiB, so that freed large blocks stay in the
/// process instead of being returned to the kernel: a training step allocates and frees the
/// same large activations every batch, and with glibc's defaults each allocation is a fresh
/// mmap whose pages the kernel must zero again. `mallopt` is looked up at run time (its header
/// is not part of Swift's Glibc module); where the C library has none, nothing changes.
public func keepLargeFreedBlocksInProcess() {
    #if canImport(Glibc) && os(Linux)
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    // glibc's <malloc.h>: M_TRIM_THRESHOLD -1, M_MMAP_THRESHOLD -3.
    _ = mallopt(-3, 1 << 30)
    _ = mallopt(-1, 1 << 30)
    #endif
}
