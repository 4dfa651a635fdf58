import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Errors writing output files.
public enum OutputError: Error, CustomStringConvertible, Sendable {
    /// The output could not be created, written or renamed.
    case io(path: String, action: String, reason: String)
    /// The output is refused before anything is written: it would replace or destroy
    /// something crick did not write, or it is one of the run's inputs.
    case refused(path: String, reason: String)

    public var description: String {
        switch self {
        case .io(let path, let action, let reason): return "cannot \(action) (\(reason)): \(path)"
        case .refused(let path, let reason): return "refusing to write \(path): \(reason)"
        }
    }
}

/// A buffered output file written under a temporary name in its final directory and renamed
/// to its final name by `commit()`. A run that fails or is killed leaves no file under the
/// final name; `abort()` (or deinit without commit) removes the temporary file.
/// `-` writes straight to stdout; a device or FIFO (`/dev/null`, a named pipe) is written
/// in place, and a symbolic link is followed to the file it names (see `OutputTarget`).
public final class OutputFile {
    /// The final path (`-` for stdout).
    public let path: String
    /// The temporary path written until `commit()` (nil when writing in place).
    public let temporaryPath: String?
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let capacity = 1 << 20
    private var finished = false
    /// Where a staged output is copied by `commit()` (stdout or a device), nil otherwise.
    private let stagedFor: String?
    /// The path renamed onto by `commit()` (the resolved path of a link), nil otherwise.
    private let renameTarget: String?

    /// Creates the temporary file for `path` (or attaches to stdout for `-`).
    /// With `seekable`, output that cannot be renamed into place (stdout, a device, a FIFO)
    /// is staged in a temporary file under `$TMPDIR` and copied out by `commit()`, so that
    /// `overwrite(at:with:)` works there too.
    public init(path: String, seekable: Bool = false) throws {
        self.path = path
        buffer.reserveCapacity(capacity)
        let target = path == "-" ? OutputTarget.writeThrough(path: "-") : try OutputTarget.classify(path)
        switch target {
        case .writeThrough(let destination):
            renameTarget = nil
            if !seekable {
                stagedFor = nil
                temporaryPath = nil
                fd = destination == "-" ? 1 : try OutputFile.openInPlace(destination)
                return
            }
            stagedFor = destination
            let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            let tmp = TemporaryName.make(for: dir + "/crick-stdout")
            fd = try OutputFile.create(tmp, for: path)
            temporaryPath = tmp
        case .replace(let final):
            stagedFor = nil
            renameTarget = final
            TemporaryName.sweep(directory: TemporaryName.split(final).directory)
            let tmp = TemporaryName.make(for: final)
            fd = try OutputFile.create(tmp, for: path)
            temporaryPath = tmp
        }
        if let tmp = temporaryPath { TemporaryFiles.shared.register(tmp) }
    }

    private static func create(_ tmp: String, for path: String) throws -> Int32 {
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OutputError.io(path: path, action: "create output", reason: String(cString: strerror(errno)))
        }
        return fd
    }

    private static func openInPlace(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else {
            throw OutputError.io(path: path, action: "open output", reason: String(cString: strerror(errno)))
        }
        return fd
    }

    deinit {
        if !finished { abort() }
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > capacity { try flush() }
        if bytes.count >= capacity {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends the UTF-8 of a string.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Writes buffered bytes to the file.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Overwrites bytes at `offset` (after flushing), for headers completed at the end.
    public func overwrite(at offset: Int, with bytes: [UInt8]) throws {
        try flush()
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard n == bytes.count else {
            throw OutputError.io(path: path, action: "write output", reason: String(cString: strerror(errno)))
        }
    }

    /// Flushes, closes and renames the temporary file to the final name (or copies a staged
    /// output to stdout or the device it is for).
    public func commit() throws {
        try flush()
        finished = true
        guard let tmp = temporaryPath else {
            if fd > 2 && close(fd) != 0 {
                throw OutputError.io(path: path, action: "close output", reason: String(cString: strerror(errno)))
            }
            return
        }
        defer { TemporaryFiles.shared.unregister(tmp) }
        if close(fd) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw OutputError.io(path: path, action: "close output", reason: reason)
        }
        if let destination = stagedFor {
            defer { unlink(tmp) }
            try copyOut(tmp, to: destination)
            return
        }
        guard let final = renameTarget else { return }
        // What is at the final name may have changed since it was examined.
        if case .writeThrough = try OutputTarget.classify(final) {
            unlink(tmp)
            throw OutputError.refused(path: path, reason: "it became a device, FIFO or link while crick was writing")
        }
        if rename(tmp, final) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw OutputError.io(path: path, action: "rename output into place", reason: reason)
        }
    }

    /// Discards the output: closes and removes the temporary file.
    public func abort() {
        finished = true
        guard let tmp = temporaryPath else {
            if fd > 2 { close(fd) }
            return
        }
        close(fd)
        unlink(tmp)
        TemporaryFiles.shared.unregister(tmp)
    }

    private func copyOut(_ tmp: String, to destination: String) throws {
        let input = open(tmp, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw OutputError.io(path: path, action: "read staged output", reason: String(cString: strerror(errno))) }
        defer { close(input) }
        fd = destination == "-" ? 1 : try OutputFile.openInPlace(destination)
        defer { if fd > 2 { close(fd) } }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw OutputError.io(path: path, action: "read staged output", reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            try chunk.withUnsafeBytes { try writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, base + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError.io(path: path, action: "write output", reason: String(cString: strerror(errno)))
            }
            done += n
        }
    }
}

/// Temporary files of the running process, removed when it is interrupted (SIGINT, SIGTERM,
/// SIGHUP) so that a stopped run leaves nothing behind.
public final class TemporaryFiles: @unchecked Sendable {
    /// The process-wide registry.
    public static let shared = TemporaryFiles()
    private let lock = NSLock()
    /// Paths to remove on interruption (guarded by `lock`).
    private var paths: Set<String> = []
    private var sources: [DispatchSourceSignal] = []

    /// Adds a path.
    public func register(_ path: String) {
        lock.lock(); paths.insert(path); lock.unlock()
    }

    /// Removes a path from the registry.
    public func unregister(_ path: String) {
        lock.lock(); paths.remove(path); lock.unlock()
    }

    /// Removes every registered path now.
    public func removeAll() {
        lock.lock()
        let all = paths
        paths.removeAll()
        lock.unlock()
        for p in all {
            if unlink(p) != 0 && errno == EISDIR { _ = try? FileManager.default.removeItem(atPath: p) }
            if FileManager.default.fileExists(atPath: p) { _ = try? FileManager.default.removeItem(atPath: p) }
        }
    }

    /// Installs handlers that remove the registered files and exit with 128 + signal
    /// when the process receives SIGINT, SIGTERM or SIGHUP.
    public func installSignalHandlers() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        let queue = DispatchQueue(label: "crick.signals")
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [self] in
                self.removeAll()
                _exit(128 + sig)
            }
            source.resume()
            sources.append(source)
        }
    }
}
