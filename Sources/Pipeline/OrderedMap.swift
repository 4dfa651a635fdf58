import Foundation

/// Runs a three-step pipeline: `next` reads a batch (serially), `transform` processes
/// batches on `threads` worker threads, and `emit` receives the results on the calling
/// thread in the order the batches were read.
///
/// The output is the same at every thread count. At most `depth` batches are read but not
/// yet emitted, so memory is bounded by the queue depth, not the input size.
///
/// Errors are deterministic: a batch whose read or transform throws stops the run, every
/// earlier batch is still emitted, and the error of the earliest failing batch is rethrown.
///
/// - Parameters:
///   - threads: worker threads (>= 1). With 1, everything runs on the calling thread.
///   - depth: batches in flight; defaults to `2 * threads`.
///   - next: returns the next batch, or nil at the end. Called by one thread at a time.
///   - transform: processes one batch; its second argument is the worker index in
///     `0..<threads`, for per-worker state such as one file handle per thread.
///   - emit: receives results in input order, on the calling thread.
public func orderedParallelMap<Batch, Result>(
    threads: Int,
    depth: Int? = nil,
    next: () throws -> Batch?,
    transform: (Batch, Int) throws -> Result,
    emit: (Result) throws -> Void
) throws {
    let threads = max(1, threads)
    if threads == 1 {
        while let batch = try next() { try emit(try transform(batch, 0)) }
        return
    }
    try withoutActuallyEscaping(next) { next in
        try withoutActuallyEscaping(transform) { transform in
            let state = OrderedMapState<Batch, Result>(depth: max(depth ?? 2 * threads, 1), next: next, transform: transform)
            try state.run(threads: threads, emit: emit)
        }
    }
}

/// Shared state of one `orderedParallelMap` run. Every `var` is guarded by `cond`.
private final class OrderedMapState<Batch, Result>: @unchecked Sendable {
    private let cond = NSCondition()
    private let depth: Int
    /// The caller's closures; dropped before `run` returns, since they are non-escaping
    /// closures lent for the duration of the call while the threads may outlive it.
    private var next: (() throws -> Batch?)?
    private var transform: ((Batch, Int) throws -> Result)?

    /// Sequence number the next read batch gets (guarded by `cond`).
    private var readCount = 0
    /// Sequence number of the next result to emit (guarded by `cond`).
    private var emitCount = 0
    /// A worker is inside `next()` (guarded by `cond`).
    private var reading = false
    /// `next()` returned nil or threw (guarded by `cond`).
    private var exhausted = false
    /// Finished results waiting for their turn (guarded by `cond`).
    private var done: [Int: Result] = [:]
    /// The earliest failing batch and its error (guarded by `cond`).
    private var failure: (seq: Int, error: Error)?
    /// Workers still running (guarded by `cond`).
    private var running = 0

    init(depth: Int, next: @escaping () throws -> Batch?, transform: @escaping (Batch, Int) throws -> Result) {
        self.depth = depth
        self.next = next
        self.transform = transform
    }

    func run(threads: Int, emit: (Result) throws -> Void) throws {
        running = threads
        var workers: [Thread] = []
        for w in 0..<threads {
            let t = Thread { [self] in self.work(worker: w) }
            t.stackSize = 8 << 20
            workers.append(t)
        }
        workers.forEach { $0.start() }
        var emitError: Error?
        cond.lock()
        while true {
            if let failure, emitCount >= failure.seq { break }
            if let result = done.removeValue(forKey: emitCount) {
                cond.unlock()
                do { try emit(result) } catch {
                    emitError = error
                    cond.lock()
                    record(seq: emitCount, error: error)
                    break
                }
                cond.lock()
                // Counted only now, so that the result being emitted holds one of the depth slots.
                emitCount += 1
                cond.broadcast()
                continue
            }
            if exhausted && !reading && emitCount >= readCount { break }
            cond.wait()
        }
        // Let workers drain and stop before returning: they reference caller closures.
        while running > 0 { cond.wait() }
        next = nil
        transform = nil
        let failure = self.failure
        cond.unlock()
        if let emitError { throw emitError }
        if let failure { throw failure.error }
    }

    /// Records a failure of batch `seq`, keeping the earliest (caller holds `cond`).
    private func record(seq: Int, error: Error) {
        if let earlier = failure, earlier.seq <= seq {
            cond.broadcast()
            return
        }
        failure = (seq, error)
        cond.broadcast()
    }

    private func work(worker: Int) {
        cond.lock()
        defer {
            running -= 1
            cond.broadcast()
            cond.unlock()
        }
        while true {
            if exhausted || failure != nil { return }
            if reading || readCount - emitCount >= depth {
                cond.wait()
                continue
            }
            reading = true
            let seq = readCount
            let next = self.next, transform = self.transform
            cond.unlock()
            let batch: Batch?
            do { batch = try next?() } catch {
                cond.lock()
                reading = false
                exhausted = true
                record(seq: seq, error: error)
                return
            }
            cond.lock()
            reading = false
            guard let batch else {
                exhausted = true
                cond.broadcast()
                return
            }
            readCount += 1
            cond.broadcast()
            cond.unlock()
            let outcome: Swift.Result<Result, Error>
            do {
                guard let transform else { return }
                outcome = .success(try transform(batch, worker))
            } catch { outcome = .failure(error) }
            cond.lock()
            switch outcome {
            case .success(let r): done[seq] = r
            case .failure(let e): record(seq: seq, error: e)
            }
            cond.broadcast()
        }
    }
}
