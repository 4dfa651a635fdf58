import XCTest
import TestSupport
@testable import Scoring

final class ScanLayoutTests: XCTestCase {
    func testWindowsOverlappingARangeMatchBruteForce() {
        var rng = TestRNG(seed: 9)
        for _ in 0..<300 {
            let grid = ScanGrid(length: Int.random(in: 1...60, using: &rng), stride: Int.random(in: 1...25, using: &rng))
            let n = Int.random(in: 0...400, using: &rng)
            let count = grid.windowCount(n)
            XCTAssertEqual(count, (0...max(0, n)).filter { $0 % grid.stride == 0 && $0 + grid.length <= n }.count)
            let s = Int.random(in: 0...n, using: &rng), e = min(n, s + Int.random(in: 0...80, using: &rng))
            let want = (0..<count).filter { k in
                let b = grid.bin(k, chromLength: n)
                return b.start < e && b.end > s
            }
            XCTAssertEqual(Array(grid.windows(overlapping: s, e, count: count)), want, "\(grid) n \(n) [\(s), \(e))")
        }
    }

    func testBinsHoldTheWindowCentreAndDoNotOverlap() {
        for (l, s) in [(1000, 20), (1000, 1), (1000, 7), (200, 300), (5, 2)] {
            let grid = ScanGrid(length: l, stride: s)
            let n = 5000
            var last = -1
            for k in 0..<grid.windowCount(n) {
                let b = grid.bin(k, chromLength: n)
                let centre = k * s + l / 2
                XCTAssertTrue(b.start <= centre && (centre < b.start + s), "window \(k) centre \(centre) bin \(b)")
                XCTAssertGreaterThanOrEqual(b.start, last)
                XCTAssertLessThanOrEqual(b.end, n)
                last = b.end
            }
        }
    }

    func testShardsPartitionTheWindowsEvenlyWithUnshardedJobs() {
        let runs = [WindowRun(contig: 2, first: 0, end: 1000), WindowRun(contig: 0, first: 10, end: 17), WindowRun(contig: 1, first: 5, end: 600)]
        let flat = runs.flatMap { r in (r.first..<r.end).map { (r.contig, $0) } }
        let whole = ScanLayout.jobs(runs, maxWindows: 64)
        XCTAssertTrue(whole.allSatisfy { $0.run.count <= 64 && $0.write == $0.run.first..<$0.run.end })
        XCTAssertTrue(whole.flatMap { j in j.write.map { (j.run.contig, $0) } }.elementsEqual(flat, by: ==))
        for parts in [1, 2, 3, 7, 1700] {
            var joined: [(Int, Int)] = []
            var sizes: [Int] = []
            for k in 0..<parts {
                let jobs = ScanLayout.jobs(runs, maxWindows: 64, shard: (k, parts))
                // A shard computes the same jobs as the unsharded run and writes part of them.
                XCTAssertTrue(jobs.allSatisfy { j in whole.contains { $0.run == j.run } && j.write.clamped(to: j.run.first..<j.run.end) == j.write })
                joined += jobs.flatMap { j in j.write.map { (j.run.contig, $0) } }
                sizes.append(jobs.reduce(0) { $0 + $1.write.count })
            }
            XCTAssertTrue(joined.elementsEqual(flat, by: ==), "\(parts) parts")
            XCTAssertLessThanOrEqual((sizes.max() ?? 0) - (sizes.min() ?? 0), 1)
        }
    }
}
