import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs C calls that print their own diagnostics on stderr (libBigWig's `bwOpen` writes
/// "[bwHdrRead] ..." lines for a damaged file) with file descriptor 2 pointed at
/// /dev/null, so that a failure is reported once, in crick's own words. The redirection is
/// process-wide: use it only around short calls made before worker threads start writing.
enum QuietStderr {
    /// Serialises redirections (guards file descriptor 2 while it is redirected).
    private static let lock = NSLock()

    /// `body`'s result, with whatever it writes to stderr discarded.
    static func run<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        fflush(nil)
        let saved = dup(2)
        let null = open("/dev/null", O_WRONLY)
        guard saved >= 0, null >= 0 else {
            if saved >= 0 { close(saved) }
            if null >= 0 { close(null) }
            return try body()
        }
        dup2(null, 2)
        close(null)
        defer {
            fflush(nil)
            dup2(saved, 2)
            close(saved)
        }
        return try body()
    }
}
