import Foundation
import Pipeline
import XCTest

/// The ordered parallel map against a plain sequential map (the naive twin).
final class OrderedMapTests: XCTestCase {
    /// Runs a map over 0..<n in batches of 7 with jittered work; returns what was emitted.
    private func runMap(threads: Int, n: Int, depth: Int? = nil, failAt: Int? = nil,
                        inFlight: InFlight? = nil) throws -> [Int] {
        var next = 0
        var emitted: [Int] = []
        try orderedParallelMap(threads: threads, depth: depth, next: { () -> [Int]? in
            guard next < n else { return nil }
            let batch = Array(next..<min(next + 7, n))
            next += 7
            inFlight?.enter()
            return batch
        }, transform: { (batch: [Int], worker: Int) -> [Int] in
            XCTAssertTrue((0..<threads).contains(worker))
            if let failAt, batch.contains(failAt) { throw TestFailure(batch: batch[0]) }
            // Uneven work so that batches finish out of order.
            usleep(UInt32((batch[0] * 7919) % 5) * 200)
            return batch.map { $0 * $0 }
        }, emit: { result in
            inFlight?.leave()
            emitted += result
        })
        return emitted
    }

    func testOutputIsInInputOrderAtEveryThreadCount() throws {
        let expected = (0..<1000).map { $0 * $0 }
        for threads in [1, 2, 3, 4, 8] {
            XCTAssertEqual(try runMap(threads: threads, n: 1000), expected, "threads \(threads)")
        }
    }

    func testEmptyInput() throws {
        XCTAssertEqual(try runMap(threads: 4, n: 0), [])
    }

    func testBatchesInFlightNeverExceedDepth() throws {
        for depth in [1, 2, 5] {
            let inFlight = InFlight()
            _ = try runMap(threads: 4, n: 700, depth: depth, inFlight: inFlight)
            XCTAssertLessThanOrEqual(inFlight.maximum, depth, "depth \(depth)")
            XCTAssertGreaterThanOrEqual(inFlight.maximum, 1)
        }
    }

    func testEarliestFailureWinsAndEarlierBatchesAreEmitted() throws {
        for threads in [1, 2, 8] {
            var emitted: [Int] = []
            var next = 0
            XCTAssertThrowsError(try orderedParallelMap(threads: threads, next: { () -> Int? in
                defer { next += 1 }
                return next < 200 ? next : nil
            }, transform: { (i: Int, _: Int) -> Int in
                if i == 50 || i == 120 { throw TestFailure(batch: i) }
                return i
            }, emit: { emitted.append($0) })) { error in
                XCTAssertEqual((error as? TestFailure)?.batch, 50)
            }
            XCTAssertEqual(emitted, Array(0..<50), "threads \(threads)")
        }
    }

    func testReadErrorStopsTheRun() throws {
        var next = 0
        var emitted: [Int] = []
        XCTAssertThrowsError(try orderedParallelMap(threads: 3, next: { () -> Int? in
            if next == 30 { throw TestFailure(batch: 30) }
            defer { next += 1 }
            return next
        }, transform: { (i: Int, _: Int) in i }, emit: { emitted.append($0) })) { error in
            XCTAssertEqual((error as? TestFailure)?.batch, 30)
        }
        XCTAssertEqual(emitted, Array(0..<30))
    }
}

struct TestFailure: Error { let batch: Int }

/// Counts batches read but not yet emitted.
final class InFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0  // guarded by lock
    private(set) var maximum = 0  // guarded by lock
    func enter() { lock.lock(); current += 1; maximum = max(maximum, current); lock.unlock() }
    func leave() { lock.lock(); current -= 1; lock.unlock() }
}
