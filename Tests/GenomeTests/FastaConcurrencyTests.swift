import Foundation
import Genome
import TestSupport
import XCTest

/// Many threads fetching from one genome at once, each with its own reader, some releasing
/// mapped pages as a streaming scan does; every sequence is checked against the truth kept in
/// memory.
final class FastaConcurrencyTests: XCTestCase {
    func testEightThreadsFetchCorrectSequences() throws {
        let dir = try TempDir("crick-conc")
        defer { dir.remove() }
        var rng = TestRNG(seed: 99)
        let contigs = (0..<5).map { ("c\($0)", randomSequence(20_000 + $0 * 997, alphabet: "ACGTN", rng: &rng)) }
        let plain = try dir.write("g.fa", fastaText(contigs, width: 70))
        var paths = [plain]
        if hasTool("bgzip") {
            XCTAssertEqual(try runTool("sh", ["-c", "bgzip -c '\(plain)' > '\(plain).gz'"]).status, 0)
            paths.append(plain + ".gz")
        }
        let truth = contigs.map { Array($0.1.utf8) }
        for path in paths {
            let fasta = try FastaFile(path: path)
            let errors = Counter()
            DispatchQueue.concurrentPerform(iterations: 8) { t in
                do {
                    let reader = try fasta.makeReader()
                    var rng = TestRNG(seed: UInt64(t))
                    for _ in 0..<3000 {
                        let c = Int(rng.next() % 5)
                        let n = truth[c].count
                        let s = Int(rng.next() % UInt64(n - 500))
                        let e = s + 1 + Int(rng.next() % 500)
                        if try reader.sequence(contigIndex: c, s, e) != Array(truth[c][s..<e]) { errors.add() }
                        // Dropping mapped pages behind a read, while other threads read them.
                        if rng.next() % 3 == 0 { reader.release(contigIndex: c, s - 3000, e + 3000) }
                    }
                } catch { errors.add() }
            }
            XCTAssertEqual(errors.value, 0, path)
        }
    }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0  // guarded by lock
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
