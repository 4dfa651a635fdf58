import Foundation
import Pipeline
import TestSupport
import XCTest

/// Outputs never destroy what crick did not write: the rules of `OutputTarget`,
/// `OutputDirectory`, `StagingDirectory`, `RunDirectory`, `TemporaryName` and
/// `InputOutputCheck`.
final class OutputSafetyTests: XCTestCase {
    private func text(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    private func entries(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    }

    func testTargetsAreClassifiedByWhatIsThere() throws {
        let dir = try TempDir("crick-target")
        defer { dir.remove() }
        XCTAssertEqual(try OutputTarget.classify(dir.file("new.txt")), .replace(path: dir.file("new.txt")))
        let real = try dir.write("real.txt", "old")
        XCTAssertEqual(try OutputTarget.classify(real), .replace(path: real))
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.txt"), withDestinationPath: "real.txt")
        let resolved = try OutputTarget.classify(dir.file("link.txt"))
        guard case .replace(let p) = resolved else { return XCTFail("\(resolved)") }
        XCTAssertEqual(URL(fileURLWithPath: p).resolvingSymlinksInPath().path, URL(fileURLWithPath: real).resolvingSymlinksInPath().path)
        XCTAssertEqual(try OutputTarget.classify("/dev/null"), .writeThrough(path: "/dev/null"))
        XCTAssertEqual(mkfifo(dir.file("fifo"), 0o644), 0)
        XCTAssertEqual(try OutputTarget.classify(dir.file("fifo")), .writeThrough(path: dir.file("fifo")))
        try FileManager.default.createSymbolicLink(atPath: dir.file("dangling"), withDestinationPath: "nowhere")
        for refused in [dir.path, dir.file("dangling")] {
            XCTAssertThrowsError(try OutputTarget.classify(refused)) { error in
                XCTAssertTrue("\(error)".hasPrefix("refusing to write \(refused)"), "\(error)")
            }
        }
    }

    func testALinkIsFollowedAndKept() throws {
        let dir = try TempDir("crick-link")
        defer { dir.remove() }
        let real = try dir.write("real.txt", "old")
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.txt"), withDestinationPath: "real.txt")
        let out = try OutputFile(path: dir.file("link.txt"))
        try out.write("new")
        try out.commit()
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir.file("link.txt")), "real.txt")
        XCTAssertEqual(text(real), "new")
        XCTAssertEqual(try entries(dir.path), ["link.txt", "real.txt"])
    }

    func testAFifoIsWrittenThroughNotReplaced() throws {
        let dir = try TempDir("crick-fifo")
        defer { dir.remove() }
        let fifo = dir.file("fifo")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        // A reader on the other end, started before crick opens the FIFO for writing.
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        let pipe = Pipe()
        reader.standardOutput = pipe
        try reader.run()
        let out = try OutputFile(path: fifo)
        XCTAssertNil(out.temporaryPath)
        try out.write("through the pipe\n")
        try out.commit()
        reader.waitUntilExit()
        XCTAssertEqual(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), "through the pipe\n")
        var st = stat()
        XCTAssertEqual(lstat(fifo, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
    }

    func testSeekableOutputToADeviceIsStagedAndCopied() throws {
        let out = try OutputFile(path: "/dev/null", seekable: true)
        XCTAssertNotNil(out.temporaryPath)
        XCTAssertFalse(out.temporaryPath?.hasPrefix("/dev/") ?? true)
        try out.write("AAAA-body")
        try out.overwrite(at: 0, with: Array("BBBB".utf8))
        try out.commit()
        var st = stat()
        XCTAssertEqual(stat("/dev/null", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR)
    }

    func testTemporaryNamesRoundTripAndForeignNamesAreIgnored() {
        let tmp = TemporaryName.make(for: "/a/b/out.bed")
        XCTAssertTrue(tmp.hasPrefix("/a/b/.out.bed.crick-tmp-\(getpid())-"), tmp)
        let parsed = TemporaryName.parse(TemporaryName.split(tmp).base)
        XCTAssertEqual(parsed?.pid, getpid())
        XCTAssertNotNil(parsed?.host)
        XCTAssertEqual(TemporaryName.parse(".x.crick-tmp-12-34")?.pid, 12)
        XCTAssertNil(TemporaryName.parse(".x.crick-tmp-12-34")?.host)
        XCTAssertEqual(TemporaryName.parse(".d.crick-tmp-12-34-old")?.pid, 12)
        for foreign in ["x.crick-tmp-12-34", ".x.crick-tmp-12", ".x.crick-tmp-a-34", ".x.crick-tmp-12-34.", "notes.txt", ".x.crick-tmp--1-3"] {
            XCTAssertNil(TemporaryName.parse(foreign), foreign)
        }
        let long = String(repeating: "n", count: 300)
        XCTAssertLessThanOrEqual(TemporaryName.split(TemporaryName.make(for: "/d/" + long)).base.utf8.count, 255)
    }

    func testSweepRemovesOnlyDeadRunsOfThisHost() throws {
        let dir = try TempDir("crick-sweep")
        defer { dir.remove() }
        let dead: Int32 = 999_999_937  // above any pid_max
        let names = [
            ".a.bed.crick-tmp-\(dead)-1",                       // old-style name, dead: removed
            ".b.bed.crick-tmp-\(dead)-2.\(hostPart())",         // this host, dead: removed
            ".c.bed.crick-tmp-\(dead)-3.another-node",          // another host: kept
            ".d.bed.crick-tmp-\(getppid())-4",                  // alive: kept
            "user.crick-tmp-\(dead)-5",                         // not crick's pattern: kept
        ]
        for n in names { _ = try dir.write(n, "x") }
        XCTAssertEqual(mkdir(dir.file(".e.crick-tmp-\(dead)-6-old"), 0o755), 0)  // a staged directory: removed
        _ = try dir.write(".e.crick-tmp-\(dead)-6-old/sequences.npy", "x")
        try FileManager.default.createSymbolicLink(atPath: dir.file(".f.crick-tmp-\(dead)-7"), withDestinationPath: "user.crick-tmp-\(dead)-5")
        let removed = TemporaryName.sweep(directory: dir.path).sorted()
        XCTAssertEqual(removed, [names[0], names[1], ".e.crick-tmp-\(dead)-6-old"])
        XCTAssertEqual(try entries(dir.path), [names[2], names[3], ".f.crick-tmp-\(dead)-7", names[4]].sorted())
    }

    /// The host part of this process's temporary names.
    private func hostPart() -> String {
        TemporaryName.parse(TemporaryName.split(TemporaryName.make(for: "x")).base)?.host ?? ""
    }

    func testDirectoryOutputsFollowTheRule() throws {
        let dir = try TempDir("crick-dirs")
        defer { dir.remove() }
        // Absent, or empty: taken.
        XCTAssertEqual(try OutputDirectory.check(dir.file("new"), kind: "dataset", force: false), .absent)
        XCTAssertEqual(mkdir(dir.file("empty"), 0o755), 0)
        XCTAssertEqual(try OutputDirectory.check(dir.file("empty"), kind: "dataset", force: false), .empty)
        // A user's directory: refused, even with force, naming what is there.
        _ = try dir.write("proj/thesis.txt", "years of work")
        for force in [false, true] {
            XCTAssertThrowsError(try OutputDirectory.check(dir.file("proj"), kind: "simulate", force: force)) { error in
                XCTAssertTrue("\(error)".contains("thesis.txt"), "\(error)")
                XCTAssertTrue("\(error)".contains("crick did not write"), "\(error)")
            }
        }
        // A file: refused.
        XCTAssertThrowsError(try OutputDirectory.check(dir.file("proj/thesis.txt"), kind: "dataset", force: true))
        // A crick output of the same kind: only with force; of another kind: never.
        let first = try StagingDirectory(final: dir.file("ds"), kind: "dataset")
        _ = try dir.write(TemporaryName.split(first.path).base + "/labels.npy", "one")
        try first.commit()
        XCTAssertEqual(try entries(dir.file("ds")), [OutputDirectory.manifestName, "labels.npy"])
        XCTAssertThrowsError(try StagingDirectory(final: dir.file("ds"), kind: "dataset")) { error in
            XCTAssertTrue("\(error)".contains("--force"), "\(error)")
        }
        XCTAssertThrowsError(try StagingDirectory(final: dir.file("ds"), kind: "motifs", force: true)) { error in
            XCTAssertTrue("\(error)".contains("crick dataset"), "\(error)")
        }
        // A directory of an older crick without a manifest, holding only that kind's files.
        _ = try dir.write("legacy/dataset.json", "{}")
        XCTAssertThrowsError(try OutputDirectory.check(dir.file("legacy"), kind: "dataset", force: false, legacyFiles: ["dataset.json"]))
        XCTAssertNoThrow(try OutputDirectory.check(dir.file("legacy"), kind: "dataset", force: true, legacyFiles: ["dataset.json"]))
    }

    func testForceReplacesOnlyCricksFiles() throws {
        let dir = try TempDir("crick-force")
        defer { dir.remove() }
        let final = dir.file("out")
        let first = try StagingDirectory(final: final, kind: "motifs")
        _ = try dir.write(TemporaryName.split(first.path).base + "/filters.meme", "v1")
        _ = try dir.write(TemporaryName.split(first.path).base + "/matches.tsv", "v1")
        try first.commit()
        _ = try dir.write("out/notes.txt", "mine")
        let second = try StagingDirectory(final: final, kind: "motifs", force: true)
        _ = try dir.write(TemporaryName.split(second.path).base + "/filters.meme", "v2")
        try second.commit()
        XCTAssertEqual(try entries(final), [OutputDirectory.manifestName, "filters.meme", "notes.txt"])
        XCTAssertEqual(text(final + "/filters.meme"), "v2")
        XCTAssertEqual(text(final + "/notes.txt"), "mine")
        XCTAssertEqual(try OutputDirectory.readManifest(final + "/" + OutputDirectory.manifestName).files, ["filters.meme"])
        // A new entry whose name a user's file already has is refused, and nothing moves.
        _ = try dir.write("out/truth.tsv", "mine too")
        let third = try StagingDirectory(final: final, kind: "motifs", force: true)
        _ = try dir.write(TemporaryName.split(third.path).base + "/filters.meme", "v3")
        _ = try dir.write(TemporaryName.split(third.path).base + "/truth.tsv", "v3")
        XCTAssertThrowsError(try third.commit()) { error in XCTAssertTrue("\(error)".contains("truth.tsv"), "\(error)") }
        XCTAssertEqual(text(final + "/truth.tsv"), "mine too")
        XCTAssertEqual(text(final + "/filters.meme"), "v2")
        XCTAssertFalse(try entries(dir.path).contains { $0.contains("crick-tmp") })
    }

    func testRunDirectoryRefusesResumesAndLeavesNothingWhenItFailsEarly() throws {
        let dir = try TempDir("crick-run")
        defer { dir.remove() }
        let path = dir.file("runs/a")
        let failed = try RunDirectory(path: path, kind: "train", files: ["model.safetensors", "checkpoints"], resume: false, force: false)
        try failed.makeSubdirectory("checkpoints")
        failed.discard()
        XCTAssertEqual(try entries(dir.path), [], "the directories the run made are gone")

        let run = try RunDirectory(path: path, kind: "train", files: ["model.safetensors", "checkpoints"], resume: false, force: false)
        _ = try dir.write("runs/a/model.safetensors", "weights")
        run.keep()
        run.discard()
        XCTAssertEqual(text(path + "/model.safetensors"), "weights", "kept after keep()")
        XCTAssertThrowsError(try RunDirectory(path: path, kind: "train", files: ["model.safetensors"], resume: false, force: false)) { error in
            XCTAssertTrue("\(error)".contains("--resume"), "\(error)")
        }
        XCTAssertNoThrow(try RunDirectory(path: path, kind: "train", files: ["model.safetensors"], resume: true, force: false))
        XCTAssertEqual(text(path + "/model.safetensors"), "weights", "resume keeps the run")
        _ = try dir.write("runs/a/notes.txt", "mine")
        XCTAssertNoThrow(try RunDirectory(path: path, kind: "train", files: ["model.safetensors"], resume: false, force: true))
        XCTAssertNil(text(path + "/model.safetensors"), "force starts over")
        XCTAssertEqual(text(path + "/notes.txt"), "mine")
    }

    func testAnOutputThatIsAnInputIsRefused() throws {
        let dir = try TempDir("crick-io")
        defer { dir.remove() }
        let genome = try dir.write("g.fa", ">c\nACGT\n")
        try FileManager.default.createSymbolicLink(atPath: dir.file("alias.fa"), withDestinationPath: "g.fa")
        XCTAssertEqual(link(genome, dir.file("hard.fa")), 0)
        for output in [genome, dir.file("./sub/../g.fa"), dir.file("alias.fa"), dir.file("hard.fa"), genome + ".fai", genome + ".gzi"] {
            XCTAssertThrowsError(try InputOutputCheck.check(inputs: [genome], outputs: [output]), output) { error in
                XCTAssertTrue("\(error)".contains("one of this run's inputs"), "\(error)")
            }
        }
        XCTAssertNoThrow(try InputOutputCheck.check(inputs: [genome, "-"], outputs: [dir.file("out.fa"), "-", "/dev/null"]))
        XCTAssertNoThrow(try InputOutputCheck.check(inputs: ["/dev/null"], outputs: ["/dev/null"]))
        // A directory output that is an input, or would replace one of its files.
        XCTAssertEqual(mkdir(dir.file("ds"), 0o755), 0)
        XCTAssertThrowsError(try InputOutputCheck.check(inputs: [dir.file("ds")], outputs: [], directories: [dir.file("ds/")]))
        try OutputDirectory.writeManifest(OutputManifest(kind: "dataset", files: ["regions.bed"]), in: dir.file("ds"))
        _ = try dir.write("ds/regions.bed", "c\t0\t4\n")
        XCTAssertThrowsError(try InputOutputCheck.check(inputs: [dir.file("ds/regions.bed")], outputs: [], directories: [dir.file("ds")]))
        XCTAssertNoThrow(try InputOutputCheck.check(inputs: [genome], outputs: [], directories: [dir.file("ds")]))
    }
}
