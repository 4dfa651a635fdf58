import CHTSlib
#if canImport(Glibc)
import Glibc
#endif

/// Checks on input paths made before htslib is given them, so failures get a precise message.
public enum FileChecks {
    /// The compression of a file as htslib's BGZF layer sees it.
    enum Compression { case none, gzip, bgzip }

    /// Throws `fileNotFound` or `unreadable` unless `path` is a readable regular file.
    public static func requireReadableFile(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw GenomeError.fileNotFound(path: path) }
            throw GenomeError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw GenomeError.unreadable(path: path, reason: "is a directory")
        }
        guard access(path, R_OK) == 0 else {
            throw GenomeError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Detects the compression of `path` and, for bgzip, that the end-of-file block is present.
    static func compression(of path: String) throws -> Compression {
        _ = HTSLog.silenced
        guard let fp = bgzf_open(path, "r") else {
            throw GenomeError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { bgzf_close(fp) }
        switch bgzf_compression(fp) {
        case 1: return .gzip
        case 2:
            if bgzf_check_EOF(fp) == 0 { throw GenomeError.truncated(path: path) }
            return .bgzip
        default: return .none
        }
    }

    /// The modification size of a file in bytes, or nil.
    static func size(of path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    /// True when a file exists at `path`.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The directory part of a path ("." when there is none).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }
}

/// The whole file at `path` read with POSIX calls, or nil when it cannot be opened or read.
/// (Foundation's `FileManager.contents(atPath:)` leaks a 4 KB buffer on empty files, found by
/// fuzzing the FASTA index reader.)
public func readFileBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n < 0 { return nil }
        if n == 0 { return out }
        out.append(contentsOf: chunk[0..<n])
    }
}
