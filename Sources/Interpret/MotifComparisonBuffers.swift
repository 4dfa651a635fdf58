import CKernels
import Dataset
import Foundation

extension MotifComparison {
    /// `count` values of a trivial type in a large scratch buffer (huge pages where offered);
    /// nil when the size overflows or memory is short.
    static func largeBuffer<T>(_ type: T.Type, _ count: Int) -> UnsafeMutablePointer<T>? {
        let (bytes, overflow) = max(1, count).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow, let raw = crick_alloc_large(bytes) else { return nil }
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }
}

/// One worker's buffers for the comparison, reused from query to query (fresh pages for every
/// query cost more than the work): scores (wq, N) and levels (N, wq) for the
/// widest query, selection scratch (3N + 48) and 4096 bucket counts.
final class MotifWorkspace {
    let scores: UnsafeMutablePointer<Double>
    let levels: UnsafeMutablePointer<Int32>
    /// Whether scores and levels came from crick_alloc_large (else from `allocate`).
    private let large: Bool
    let scratch: UnsafeMutablePointer<Double>
    let buckets: UnsafeMutablePointer<Int32>
    /// A query's survival functions and log terms, kept for the next query.
    var survival: [Double] = []
    var logTail: [Double] = []
    private let size: Int, columns: Int

    /// The survival storage, left empty here (the caller returns it).
    func takeSurvival() -> [Double] {
        defer { survival = [] }
        return survival
    }

    /// The log-term storage, left empty here (the caller returns it).
    func takeLogTail() -> [Double] {
        defer { logTail = [] }
        return logTail
    }

    init(queries: [Motif], columns n: Int) {
        size = (queries.map(\.width).max() ?? 0) * n
        columns = n
        // Not initialised: every value is written before it is read. Huge pages where offered
        // (the widest query touches every page of both).
        let s = MotifComparison.largeBuffer(Double.self, size), l = MotifComparison.largeBuffer(Int32.self, size)
        if let s, let l {
            (scores, levels, large) = (s, l, true)
        } else {
            if let s { crick_free_large(s) }
            if let l { crick_free_large(l) }
            (scores, levels, large) = (.allocate(capacity: max(1, size)), .allocate(capacity: max(1, size)), false)
        }
        scratch = .allocate(capacity: 3 * n + 48)
        buckets = .allocate(capacity: 4096)
    }

    deinit {
        if large {
            crick_free_large(scores)
            crick_free_large(levels)
        } else {
            scores.deallocate()
            levels.deallocate()
        }
        scratch.deallocate()
        buckets.deallocate()
    }
}

/// Per-query result slots filled by the comparison's worker threads, and the queue of queries
/// they take from (under a lock).
final class MatchSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[MotifMatch]]
    private var taken = 0

    /// The next of `count` queries to compare, nil when every one is taken.
    func nextQuery(of count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard taken < count else { return nil }
        taken += 1
        return taken - 1
    }

    init(_ count: Int) { slots = Array(repeating: [], count: count) }

    func set(_ i: Int, _ matches: [MotifMatch]) {
        lock.lock()
        slots[i] = matches
        lock.unlock()
    }

    var values: [[MotifMatch]] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

