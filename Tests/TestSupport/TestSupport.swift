import Foundation

/// A fresh temporary directory, removed by `remove()`.
public struct TempDir {
    /// Its path, without a trailing slash.
    public let path: String

    public init(_ label: String = "crick-test") throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        path = base + "/\(label)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/name`.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `name` (creating its directories) and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let p = file(name)
        let parent = (p as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try text.write(toFile: p, atomically: false, encoding: .utf8)
        return p
    }

    /// Deletes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The result of running a program.
public struct RunResult {
    public let status: Int32
    public let stdout: Data
    public let stderr: String
    /// stdout as UTF-8 text.
    public var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `program` (looked up on PATH unless it contains a slash) with `arguments`.
public func runTool(_ program: String, _ arguments: [String], stdin: Data? = nil, cwd: String? = nil) throws -> RunResult {
    let p = Process()
    if program.contains("/") {
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
    } else {
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [program] + arguments
    }
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let input = Pipe()
    p.standardInput = input
    try p.run()
    // Drain both pipes concurrently so that large outputs cannot block the child.
    let errBox = DataBox()
    let group = DispatchGroup()
    group.enter()
    let errHandle = err.fileHandleForReading
    DispatchQueue.global().async {
        errBox.data = errHandle.readDataToEndOfFile()
        group.leave()
    }
    let writer = input.fileHandleForWriting
    group.enter()
    DispatchQueue.global().async {
        if let stdin { writer.write(stdin) }
        try? writer.close()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    let errData = errBox.data
    p.waitUntilExit()
    return RunResult(status: p.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
}

/// Holds bytes read on another thread; read only after the group is waited on.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// True when `program` is on PATH.
public func hasTool(_ program: String) -> Bool {
    (try? runTool("sh", ["-c", "command -v \(program)"]).status) == 0
}

/// The package root (three levels above this file).
public let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A small deterministic random generator (SplitMix64) for reproducible test data.
public struct TestRNG: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A FASTA text of `contigs` (name, sequence) wrapped at `width` bases per line.
public func fastaText(_ contigs: [(String, String)], width: Int, lineEnd: String = "\n") -> String {
    var s = ""
    for (name, seq) in contigs {
        s += ">\(name) description text\(lineEnd)"
        var i = seq.startIndex
        while i < seq.endIndex {
            let j = seq.index(i, offsetBy: width, limitedBy: seq.endIndex) ?? seq.endIndex
            s += seq[i..<j] + lineEnd
            i = j
        }
    }
    return s
}

/// A random sequence of `n` bases over `alphabet`.
public func randomSequence(_ n: Int, alphabet: String = "ACGTacgtN", rng: inout TestRNG) -> String {
    let a = Array(alphabet)
    return String((0..<n).map { _ in a[Int(rng.next() % UInt64(a.count))] })
}

/// True under CI (`CI=true`), where `make deps` has installed every oracle: a missing oracle
/// there is a broken install, so it fails the test instead of skipping it.
public let runningUnderCI: Bool = ProcessInfo.processInfo.environment["CI"].map { ["true", "1", "yes"].contains($0.lowercased()) } ?? false

/// An oracle a test needs is missing (thrown under CI, where it fails the test).
public struct MissingOracle: Error, CustomStringConvertible {
    public let what: String
    public var description: String { "missing oracle under CI (make deps should have installed it): \(what)" }
}

/// Results that worker threads write at distinct indices, read after they have all finished.
public final class IndexedResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [T?]
    public init(count: Int) { stored = Array(repeating: nil, count: count) }
    /// Stores `value` at `i`.
    public func set(_ i: Int, _ value: T) { lock.lock(); stored[i] = value; lock.unlock() }
    /// The values in index order (nil where none was set).
    public var values: [T?] { lock.lock(); defer { lock.unlock() }; return stored }
}
