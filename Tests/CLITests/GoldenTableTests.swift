import Foundation
import TestSupport
import XCTest

/// The golden table of good and malformed inputs (Golden/cases.tsv), run against the built
/// binary: each case's exit status, its stderr message, and its stdout where given. A failing
/// case must leave no file under its output name.
final class GoldenTableTests: XCTestCase {
    func testGoldenTable() throws {
        let golden = packageRoot + "/Tests/CLITests/Golden"
        let dir = try TempDir("crick-golden")
        defer { dir.remove() }
        // Work on a copy: crick writes .fai/.gzi indexes beside the FASTA files.
        for name in try FileManager.default.contentsOfDirectory(atPath: golden + "/fixtures") {
            try FileManager.default.copyItem(atPath: golden + "/fixtures/" + name, toPath: dir.file(name))
        }
        let table = try String(contentsOfFile: golden + "/cases.tsv", encoding: .utf8)
        var cases = 0
        for line in table.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(f.count, 5, "malformed golden line: \(line)")
            guard f.count == 5, let status = Int32(f[2]) else { continue }
            cases += 1
            let out = dir.file("out-\(f[0]).txt")
            let args = f[1].split(separator: " ").map { $0 == "OUT" ? out : String($0) }
            let r = try runTool(crickBinary, args, cwd: dir.path)
            XCTAssertEqual(r.status, status, "\(f[0]): stderr \(r.stderr)")
            if f[3] == "-" {
                XCTAssertEqual(r.stderr, "", f[0])
            } else {
                XCTAssertTrue(r.stderr.contains(f[3]), "\(f[0]): stderr '\(r.stderr)' lacks '\(f[3])'")
                if status == 1 {
                    XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(f[0]): one error line, got '\(r.stderr)'")
                    XCTAssertTrue(r.stderr.hasPrefix("crick: error: "), f[0])
                }
            }
            if f[4] != "-" {
                XCTAssertEqual(r.text, f[4].replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\t", with: "\t"), f[0])
            }
            if status != 0 {
                XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(f[0]) left \(out)")
            }
        }
        XCTAssertGreaterThanOrEqual(cases, 25)
        // No temporary output survives any case.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("crick-tmp") }
        XCTAssertEqual(leftovers, [])
    }
}

/// The crick binary under test: $CRICK_BIN, else the debug build.
let crickBinary: String = ProcessInfo.processInfo.environment["CRICK_BIN"] ?? packageRoot + "/.build/debug/crick"
