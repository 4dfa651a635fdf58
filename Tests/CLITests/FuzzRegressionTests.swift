import Foundation
import TestSupport
import XCTest

/// Every fuzz seed and every input `make fuzz` ever found (Tests/Fuzz/regressions) replays
/// through its parser without a crash (`crick-fuzz TARGET FILE...`, built beside crick).
final class FuzzRegressionTests: XCTestCase {
    func testSeedsAndRegressionsReplayCleanly() throws {
        let tool = (crickBinary as NSString).deletingLastPathComponent + "/crick-fuzz"
        try requireOracle(FileManager.default.isExecutableFile(atPath: tool), "crick-fuzz is not built")
        var replayed = 0
        for kind in ["seeds", "regressions"] {
            let root = packageRoot + "/Tests/Fuzz/" + kind
            for target in (try? FileManager.default.contentsOfDirectory(atPath: root))?.sorted() ?? [] {
                let files = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + target)) ?? []).sorted().map { root + "/" + target + "/" + $0 }
                guard !files.isEmpty else { continue }
                let r = try runTool(tool, [target] + files)
                XCTAssertEqual(r.status, 0, "\(kind)/\(target): \(r.stderr)")
                replayed += files.count
            }
        }
        XCTAssertGreaterThan(replayed, 20)
    }
}
