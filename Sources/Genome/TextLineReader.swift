import CHTSlib
#if canImport(Glibc)
import Glibc
#endif

/// Reads the lines of a plain, gzip or bgzip text file (or `-` for stdin) through htslib.
///
/// One owner per `htsFile`; not thread-safe. Truncated bgzip input, which htslib 1.16
/// hides behind a normal end of file, is reported by checking `hts_check_EOF` at open
/// and `hts_close` at the end.
public final class TextLineReader {
    /// The path as given (`-` for stdin).
    public let path: String
    /// The 1-based number of the line last returned by `nextLine`.
    public private(set) var lineNumber = 0
    private var fp: UnsafeMutablePointer<htsFile>?
    private var ks = kstring_t()

    /// Opens `path`; throws `fileNotFound`, `unreadable` or `truncated`.
    public init(path: String) throws {
        _ = HTSLog.silenced
        self.path = path
        if path != "-" { try FileChecks.requireReadableFile(path) }
        guard let fp = hts_open(path, "r") else {
            throw GenomeError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        self.fp = fp
        // 0: a BGZF file without its EOF block; 1: present; 2, 3: not applicable or unknown.
        if hts_check_EOF(fp) == 0 {
            hts_close(fp)
            self.fp = nil
            throw GenomeError.truncated(path: path)
        }
    }

    deinit {
        if let fp { hts_close(fp) }
        crick_ks_free(&ks)
    }

    /// Calls `body` with the bytes of the next line (without its newline or CR), or returns
    /// false at the end of the file. Throws on a read error or on truncated compressed input.
    public func withNextLine<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R? {
        guard let fp else { return nil }
        let n = hts_getline(fp, Int32(UInt8(ascii: "\n")), &ks)
        if n == -1 {
            try finish()
            return nil
        }
        if n < -1 {
            throw GenomeError.unreadable(path: path, reason: "read error at line \(lineNumber + 1); the file may be truncated or corrupt")
        }
        lineNumber += 1
        let count = Int(ks.l)
        return try ks.s.withMemoryRebound(to: UInt8.self, capacity: max(count, 1)) { p in
            try body(UnsafeBufferPointer(start: p, count: count))
        }
    }

    /// Returns the next line as a String, or nil at the end of the file.
    public func nextLine() throws -> String? {
        try withNextLine { String(decoding: $0, as: UTF8.self) }
    }

    /// Closes the file, reporting an error that htslib only reveals at close.
    private func finish() throws {
        guard let fp else { return }
        self.fp = nil
        if hts_close(fp) != 0 {
            throw GenomeError.truncated(path: path)
        }
    }
}
