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
            // Bins j * stride whose centred window fits in the chromosome.
            let shift = Int((Double(grid.stride - grid.length) / 2).rounded(.down))
            XCTAssertEqual(count, (0...max(0, n)).filter { $0 % grid.stride == 0 && $0 + shift >= 0 && $0 + shift + grid.length <= n }.count)
            let s = Int.random(in: 0...n, using: &rng), e = min(n, s + Int.random(in: 0...80, using: &rng))
            let want = (0..<count).filter { k in
                let b = grid.bin(k, chromLength: n)
                return b.start < e && b.end > s
            }
            XCTAssertEqual(Array(grid.windows(overlapping: s, e, count: count)), want, "\(grid) n \(n) [\(s), \(e))")
        }
    }

    func testBinsSitInTheMiddleOfTheirWindowsAndTileTheChromosome() {
        for (l, s) in [(1000, 20), (1000, 1), (1000, 7), (200, 300), (5, 2), (999, 20), (1, 1)] {
            let grid = ScanGrid(length: l, stride: s)
            let n = 5000
            var last: Int?
            for k in 0..<grid.windowCount(n) {
                let b = grid.bin(k, chromLength: n)
                let w = grid.windowStart(k)
                XCTAssertEqual(b.start % s, 0, "bins are on the chromosome's stride grid")
                XCTAssertTrue(w >= 0 && w + l <= n, "window \(k) inside the chromosome")
                // Twice the centres, to stay in integers: exact when l - s is even, else half a base left.
                let offset = (2 * w + l) - (2 * b.start + s)
                XCTAssertEqual(offset, (l - s) % 2 == 0 ? 0 : -1, "l \(l) s \(s) window \(k)")
                if let last { XCTAssertEqual(b.start, last, "consecutive windows have adjacent bins") }
                XCTAssertLessThanOrEqual(b.end, n)
                last = b.start + s
            }
        }
    }

    func testBinsOfTheReversedChromosomeAreTheMirroredBins() {
        for (l, s, n) in [(1000, 20, 4000), (200, 10, 2500), (8, 2, 64), (300, 100, 1000), (10, 30, 300)] where (l - s) % 2 == 0 {
            let grid = ScanGrid(length: l, stride: s)
            let count = grid.windowCount(n)
            let bins = (0..<count).map { grid.bin($0, chromLength: n) }
            let mirrored = bins.map { (n - $0.end, n - $0.start) }.reversed()
            XCTAssertTrue(bins.elementsEqual(mirrored, by: ==), "l \(l) s \(s) n \(n)")
            for k in 0..<count {
                XCTAssertEqual(grid.windowStart(count - 1 - k), n - grid.windowStart(k) - l, "window \(k) mirrors window \(count - 1 - k)")
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
