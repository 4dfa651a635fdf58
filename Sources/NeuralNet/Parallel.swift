import Dispatch

/// Worker threads for the network's own loops (set with `setBLASThreads`, part of `-@`).
nonisolated(unsafe) var networkThreads = 1

/// Runs `body` over `0..<count` split into fixed chunks of `grain` items, on up to
/// `networkThreads` threads. Chunk boundaries do not depend on the thread count, so
/// per-chunk partial results combined in chunk order are identical at any thread count.
func parallelChunks(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let chunks = (count + grain - 1) / grain
    if networkThreads <= 1 || chunks <= 1 {
        for c in 0..<chunks { body((c * grain)..<min((c + 1) * grain, count)) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UnsafeSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            box.value((c * grain)..<min((c + 1) * grain, count))
        }
    }
}

/// Wraps a value that is safe to share for the duration of a parallel loop.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
