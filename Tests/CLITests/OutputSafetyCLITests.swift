import Foundation
import TestSupport
import XCTest

/// The data-loss cases of crick's outputs, end to end: directory outputs never replace what
/// crick did not write, outputs are never renamed over devices, FIFOs or links, an output is
/// never one of the run's inputs, killed runs' temporaries are swept, failed runs leave nothing.
final class OutputSafetyCLITests: XCTestCase {
    private var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir("crick-safety") }
    override func tearDown() { dir.remove() }

    private func crick(_ args: [String]) throws -> RunResult { try runTool(crickBinary, args, cwd: dir.path) }

    private func text(_ name: String) -> String? {
        FileManager.default.contents(atPath: dir.file(name)).map { String(decoding: $0, as: UTF8.self) }
    }

    private func entries(_ name: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.file(name)).sorted()
    }

    /// One `crick: error:` line with `fragment`, exit 1.
    private func assertRefused(_ r: RunResult, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("crick: error: "), r.stderr, file: file, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(fragment), "'\(r.stderr)' lacks '\(fragment)'", file: file, line: line)
    }

    /// `sim` and its dataset `ds` (3 tasks of 120 bp), and a tiny architecture `arch.json`.
    private func simulatedDatasetAndArchitecture() throws {
        XCTAssertEqual(try crick(["simulate", "--mode", "density", "--n", "200", "--length", "120", "-o", "sim", "--dataset", "ds", "-q"]).status, 0)
        _ = try dir.write("arch.json", """
            {"name": "small", "inputLength": 120, "outputs": 3, "strand": "rc", "layers": [
              {"type": "conv", "filters": 4, "kernel": 11, "padding": "same", "bias": false},
              {"type": "maxpool", "pool": 10, "stride": 10}, {"type": "flatten"}, {"type": "dense", "units": 3}]}
            """)
    }

    private func genome() throws -> String {
        try dir.write("proj/genome.fa", fastaText([("c1", String(repeating: "ACGTTGCA", count: 500)), ("c2", String(repeating: "GGCATTAC", count: 500))], width: 60))
    }

    func testDirectoryOutputsKeepTheUsersFiles() throws {
        _ = try dir.write("proj/thesis.txt", "years of work")
        let fasta = try genome()
        _ = try dir.write("peaks.bed", "c1\t1000\t1200\nc1\t2000\t2200\nc2\t1500\t1700\n")
        // simulate, dataset and motifs into a directory of the user's: refused, nothing changed.
        assertRefused(try crick(["simulate", "--mode", "koo", "--n", "50", "-o", "proj", "-q"]), "thesis.txt")
        assertRefused(try crick(["dataset", "--fasta", fasta, "--peaks", "a=peaks.bed", "--length", "200", "-o", "proj", "-q"]), "crick did not write")
        assertRefused(try crick(["simulate", "--mode", "koo", "--n", "50", "-o", "proj", "--force", "-q"]), "thesis.txt")
        XCTAssertEqual(try entries("proj"), ["genome.fa", "genome.fa.fai", "thesis.txt"].filter { FileManager.default.fileExists(atPath: dir.file("proj/" + $0)) })
        XCTAssertEqual(text("proj/thesis.txt"), "years of work")

        // An earlier crick output of the same kind: refused without --force; with it only
        // crick's files are replaced.
        XCTAssertEqual(try crick(["simulate", "--mode", "koo", "--n", "50", "--seed", "1", "-o", "sim", "-q"]).status, 0)
        let before = text("sim/genome.fa")
        assertRefused(try crick(["simulate", "--mode", "koo", "--n", "50", "--seed", "2", "-o", "sim", "-q"]), "--force")
        XCTAssertEqual(text("sim/genome.fa"), before)
        _ = try dir.write("sim/notes.txt", "mine")
        let r = try crick(["simulate", "--mode", "koo", "--n", "50", "--seed", "2", "-o", "sim", "--force", "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertNotEqual(text("sim/genome.fa"), before)
        XCTAssertEqual(text("sim/notes.txt"), "mine")
        // Another kind of crick output: refused even with --force.
        assertRefused(try crick(["dataset", "--fasta", fasta, "--peaks", "a=peaks.bed", "--length", "200", "-o", "sim", "--force", "-q"]), "crick simulate")
    }

    func testTrainRefusesAnExistingRunAndAFailedRunLeavesNothing() throws {
        try simulatedDatasetAndArchitecture()
        let train = ["train", "ds", "--arch", "arch.json", "--epochs", "1", "--batch", "50", "-q"]
        XCTAssertEqual(try crick(train + ["-o", "run"]).status, 0)
        let model = text("run/model.safetensors")
        XCTAssertNotNil(model)
        assertRefused(try crick(train + ["-o", "run"]), "--resume")
        XCTAssertEqual(text("run/model.safetensors"), model)
        XCTAssertEqual(try crick(train + ["-o", "run", "--force"]).status, 0)
        XCTAssertEqual(try crick(train + ["--epochs", "2", "--resume", "run"]).status, 0)
        // Onto a dataset: refused (another kind of output), the dataset intact.
        let labels = text("ds/labels.npy")
        assertRefused(try crick(train + ["-o", "ds", "--force"]), "crick dataset")
        XCTAssertEqual(text("ds/labels.npy"), labels)
        // A run that fails before its first checkpoint leaves no run directory.
        _ = try dir.write("bad.json", #"{"name": "bad", "inputLength": 120, "outputs": 3, "strand": "rc", "layers": [{"type": "nonsense"}]}"#)
        let failed = try crick(["train", "ds", "--arch", "bad.json", "--epochs", "1", "-q", "-o", "new/run"])
        XCTAssertEqual(failed.status, 1, failed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("new")), "a failed run left its directory")
        // An unwritable place is one error line, not a Foundation error dump.
        let proc = try crick(train + ["-o", "/proc/crick-no-such-dir"])
        assertRefused(proc, "/proc/crick-no-such-dir")
        XCTAssertFalse(proc.stderr.contains("NSCocoaErrorDomain"))
    }

    func testAnOutputThatIsAnInputIsRefused() throws {
        let fasta = try genome()
        let original = text("proj/genome.fa")
        assertRefused(try crick(["fetch", "--fasta", fasta, "c1:1-10", "-o", fasta]), "one of this run's inputs")
        assertRefused(try crick(["fetch", "--fasta", "proj/genome.fa", "c1:1-10", "-o", "proj/../proj/genome.fa"]), "one of this run's inputs")
        XCTAssertEqual(try crick(["fetch", "--fasta", fasta, "c1:1-10", "-o", "x.fa"]).status, 0)
        assertRefused(try crick(["fetch", "--fasta", fasta, "c1:1-10", "-o", fasta + ".fai"]), "one of this run's inputs")
        try FileManager.default.createSymbolicLink(atPath: dir.file("alias.fa"), withDestinationPath: "proj/genome.fa")
        assertRefused(try crick(["fetch", "--fasta", fasta, "c1:1-10", "-o", "alias.fa"]), "one of this run's inputs")
        XCTAssertEqual(text("proj/genome.fa"), original)
        // merge-tracks onto one of its inputs.
        _ = try dir.write("a.bedGraph", "c1\t0\t10\t1\n")
        assertRefused(try crick(["merge-tracks", "a.bedGraph", "-g", fasta, "-o", "a.bedGraph"]), "one of this run's inputs")
        XCTAssertEqual(text("a.bedGraph"), "c1\t0\t10\t1\n")
    }

    func testDevicesFifosAndLinksAreWrittenThrough() throws {
        let fasta = try genome()
        for target in ["/dev/null", "/dev/stdout"] {
            let r = try crick(["fetch", "--fasta", fasta, "c1:1-8", "-o", target])
            XCTAssertEqual(r.status, 0, r.stderr)
            if target == "/dev/stdout" { XCTAssertEqual(r.text, ">c1:0-8\nACGTTGCA\n") }
        }
        var st = stat()
        XCTAssertEqual(stat("/dev/null", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR, "/dev/null is still a device")
        // NPY rewrites its header: through a device it is staged and copied.
        let npy = try crick(["fetch", "--fasta", fasta, "c1:1-8", "c2:1-8", "--format", "npy", "-o", "/dev/stdout"])
        XCTAssertEqual(npy.status, 0, npy.stderr)
        XCTAssertEqual(npy.stdout.count, 128 + 16)
        // A character device made by root (the issue's 'fakenull'): written through, still a device.
        if geteuid() == 0 {
            XCTAssertEqual(mknod(dir.file("fakenull"), S_IFCHR | 0o666, dev_t((1 << 8) | 3)), 0)
            XCTAssertEqual(try crick(["fetch", "--fasta", fasta, "c1:1-8", "-o", "fakenull"]).status, 0)
            XCTAssertEqual(lstat(dir.file("fakenull"), &st), 0)
            XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR, "fakenull became a regular file")
        }
        // A link to a file: the file gets the output, the link stays a link.
        _ = try dir.write("real.fa", "old\n")
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.fa"), withDestinationPath: "real.fa")
        XCTAssertEqual(try crick(["fetch", "--fasta", fasta, "c1:1-8", "-o", "link.fa"]).status, 0)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir.file("link.fa")), "real.fa")
        XCTAssertEqual(text("real.fa"), ">c1:0-8\nACGTTGCA\n")
        // A FIFO: written through to its reader.
        XCTAssertEqual(mkfifo(dir.file("fifo"), 0o644), 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [dir.file("fifo")]
        let pipe = Pipe()
        reader.standardOutput = pipe
        try reader.run()
        XCTAssertEqual(try crick(["fetch", "--fasta", fasta, "c1:1-8", "-o", "fifo"]).status, 0)
        reader.waitUntilExit()
        XCTAssertEqual(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), ">c1:0-8\nACGTTGCA\n")
        XCTAssertEqual(lstat(dir.file("fifo"), &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO)
        // A directory or a dangling link as a file output: refused.
        assertRefused(try crick(["fetch", "--fasta", fasta, "c1:1-8", "-o", "proj"]), "is a directory")
        try FileManager.default.createSymbolicLink(atPath: dir.file("dangling.fa"), withDestinationPath: "nowhere/x.fa")
        assertRefused(try crick(["fetch", "--fasta", fasta, "c1:1-8", "-o", "dangling.fa"]), "symbolic link to a missing file")
    }

    func testTemporariesOfKilledRunsAreSwept() throws {
        let fasta = try genome()
        let dead = 999_999_937
        let stale = [".out.fa.crick-tmp-\(dead)-1", ".ds.crick-tmp-\(dead)-2"]
        _ = try dir.write("out/" + stale[0], "partial")
        XCTAssertEqual(mkdir(dir.file("out/" + stale[1]), 0o755), 0)
        _ = try dir.write("out/" + stale[1] + "/sequences.npy", "partial")
        let live = ".other.crick-tmp-\(getpid())-3"
        _ = try dir.write("out/" + live, "a live run's")
        _ = try dir.write("out/.user.crick-tmp-notes", "not crick's pattern")
        XCTAssertEqual(try crick(["fetch", "--fasta", fasta, "c1:1-8", "-o", "out/out.fa"]).status, 0)
        XCTAssertEqual(try entries("out"), [live, ".user.crick-tmp-notes", "out.fa"].sorted())
    }

    func testClosedSetsAreUsageErrorsAndRunDirectoriesAreAccepted() throws {
        try simulatedDatasetAndArchitecture()
        XCTAssertEqual(try crick(["train", "ds", "--arch", "arch.json", "--epochs", "1", "-o", "run", "-q"]).status, 0)
        let usage: [([String], String)] = [
            (["evaluate", "--model", "run", "ds", "--split", "bogus"], "'train', 'valid' or 'test'"),
            (["train", "ds", "--preset", "bogus", "-o", "r2"], "  - koo-deep\n  - bpnet"),
            (["train", "ds", "--task-weights", "1,2", "-o", "r2"], "--task-weights needs 3 non-negative numbers"),
            (["train", "ds", "--task-weights", "1,-2,1", "-o", "r2"], "non-negative numbers"),
            (["train", "ds", "--strand", "both", "-o", "r2"], "'standard', 'rc' or 'conjoined'"),
            (["train", "ds", "--first-activation", "expo", "-o", "r2"], "exponential"),
            (["report", "--run", "nodir", "-o", "r.html"], "NAME=PATH"),
            (["scan", "--model", "run", "--fasta", "sim/genome.fa", "--shard", "3/2", "-o", "x.bw"], "--shard must be K/N"),
        ]
        for (args, message) in usage {
            let r = try crick(args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): '\(r.stderr)' lacks '\(message)'")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("r2")))
        // `exp` names the exponential activation; a run directory names its model; a
        // dataset.json names its dataset.
        let exp = try crick(["model", "summary", "--preset", "koo-cnn2", "--first-activation", "exp"])
        XCTAssertEqual(exp.status, 0, exp.stderr)
        XCTAssertTrue(exp.text.contains("exponential"), exp.text)
        let byDirectory = try crick(["evaluate", "--model", "run", "ds/dataset.json"])
        let byFile = try crick(["evaluate", "--model", "run/model.safetensors", "ds"])
        XCTAssertEqual(byDirectory.status, 0, byDirectory.stderr)
        XCTAssertEqual(byDirectory.text.split(separator: "\n").dropFirst(), byFile.text.split(separator: "\n").dropFirst())
        XCTAssertEqual(try crick(["inspect", "ds/dataset.json"]).text, try crick(["inspect", "ds"]).text)
    }
}
