import Foundation
import TestSupport
import XCTest

/// `crick attribute --method deepliftshap` equals tangermeme's `deep_lift_shap` and
/// `--method integrated-gradients` a PyTorch implementation, on crick's weights loaded into the
/// PyTorch twin (Benchmarks/nn/contrib_oracle.py), the same sequences and references:
/// hypothetical contributions within 1e-4 of the largest; and modisco-lite's `modisco motifs`
/// reads the PREFIX.ohe.npy and PREFIX.hyp.npy crick writes. Skipped where torch is not
/// importable; tangermeme and modisco-lite come from the venv `make deps` builds
/// (.build/oracle-venv), and their absence fails the test under CI.
final class ContributionOracleTests: XCTestCase {
    func testContributionsEqualTangermemeAndPyTorch() throws {
        let system = "/usr/bin/python3"
        guard (try? runTool(system, ["-c", "import torch, numpy"]))?.status == 0 else {
            throw XCTSkip("torch is not importable by \(system)")
        }
        let venv = packageRoot + "/.build/oracle-venv/bin/python"
        let python = ProcessInfo.processInfo.environment["CRICK_ORACLE_PYTHON"] ?? venv
        let available = FileManager.default.isExecutableFile(atPath: python)
            && (try? runTool(python, ["-c", "import tangermeme.deep_lift_shap"]))?.status == 0
        try requireOracle(available, "tangermeme in \(python) (make deps)")
        let dir = try TempDir()
        defer { dir.remove() }
        // A random genome of two contigs, four 200 bp regions, three references per region.
        let made = try runTool(system, ["-c", """
            import numpy as np, sys
            d = sys.argv[1]; rng = np.random.default_rng(3)
            with open(d + '/g.fa', 'w') as f:
                for c in range(2):
                    s = ''.join(rng.choice(list('ACGT'), 6000))
                    f.write('>c%d\\n' % c + '\\n'.join(s[i:i + 60] for i in range(0, len(s), 60)) + '\\n')
            with open(d + '/r.bed', 'w') as f:
                for c in range(2):
                    for st in (1000, 3000):
                        f.write('c%d\\t%d\\t%d\\n' % (c, st, st + 200))
            np.save(d + '/refs200.npy', rng.integers(0, 4, size=(4, 3, 200), dtype=np.uint8))
            np.save(d + '/refs1000.npy', rng.integers(0, 4, size=(4, 3, 1000), dtype=np.uint8))
            """, dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
        let cases: [(preset: String, strand: String, activation: String, average: Bool, method: String)] = [
            ("koo-cnn2", "standard", "exponential", false, "deepliftshap"),
            ("koo-cnn2", "rc", "exponential", false, "deepliftshap"),
            ("koo-cnn2", "conjoined", "relu", false, "deepliftshap"),
            ("koo-deep", "standard", "exponential", true, "deepliftshap"),
            ("chip", "rc", "exponential", false, "deepliftshap"),
            ("chip", "standard", "relu", true, "deepliftshap"),
            ("koo-cnn2", "rc", "exponential", false, "integrated-gradients"),
            ("koo-deep", "standard", "relu", true, "integrated-gradients"),
            ("chip", "conjoined", "exponential", false, "integrated-gradients"),
        ]
        for c in cases {
            let name = "\(c.preset)-\(c.strand)-\(c.activation)"
            let model = dir.file(name + ".safetensors")
            let initRun = try runTool(crickBinary, ["model", "init", "--preset", c.preset, "--strand", c.strand, "--outputs", "2",
                                                    "--first-activation", c.activation, "--seed", "7", "-o", model])
            XCTAssertEqual(initRun.status, 0, initRun.stderr)
            let length = c.preset == "chip" ? 1000 : 200
            let refs = dir.file("refs\(length).npy"), prefix = dir.file("\(name)-\(c.method)")
            var args = ["attribute", "--model", model, "--fasta", dir.file("g.fa"), "--regions", dir.file("r.bed"),
                        "--center", "midpoint", "--method", c.method, "--references", refs, "--task", "task2",
                        "--steps", "16", "-@", "2", "-o", prefix]
            if c.average { args.append("--strand-average") }
            let ours = try runTool(crickBinary, args)
            XCTAssertEqual(ours.status, 0, ours.stderr)
            let theirs = dir.file("\(name)-\(c.method).oracle.npy")
            let oracle = try runTool(python, [packageRoot + "/Benchmarks/nn/contrib_oracle.py", c.method, model, prefix + ".ohe.npy",
                                              refs, "1", c.average ? "1" : "0", "16", theirs])
            XCTAssertEqual(oracle.status, 0, oracle.stderr)
            let compared = try runTool(system, ["-c", """
                import numpy as np, sys
                a = np.load(sys.argv[1]); b = np.load(sys.argv[2])
                assert a.shape == b.shape == (4, 4, int(sys.argv[3])), (a.shape, b.shape)
                print(float(np.abs(a - b).max() / np.abs(b).max()))
                """, prefix + ".hyp.npy", theirs, "\(length)"])
            XCTAssertEqual(compared.status, 0, compared.stderr)
            let relative = Double(compared.text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .infinity
            XCTAssertLessThanOrEqual(relative, 1e-4, "\(name) \(c.method)\(c.average ? " --strand-average" : ""): crick and the oracle differ by \(relative) of the largest")
        }
        // TF-MoDISco (modisco-lite) reads crick's one-hot and hypothetical arrays as they are.
        let modisco = (python as NSString).deletingLastPathComponent + "/modisco"
        try requireOracle(FileManager.default.isExecutableFile(atPath: modisco), "modisco-lite's modisco in \((python as NSString).deletingLastPathComponent) (make deps)")
        let prefix = dir.file("chip-rc-exponential-deepliftshap")
        let run = try runTool(modisco, ["motifs", "-s", prefix + ".ohe.npy", "-a", prefix + ".hyp.npy", "-n", "200", "-w", "400",
                                        "-o", dir.file("modisco.h5")])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file("modisco.h5")), "modisco wrote no results")
    }
}
