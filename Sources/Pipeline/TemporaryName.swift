import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Names of crick's temporary outputs, and the sweep that removes the ones a killed run left.
///
/// A temporary for `DIR/NAME` is `DIR/.NAME.crick-tmp-PID-RANDOM.HOST`: the writer's process ID,
/// a random number, and the host it runs on (so that a run on another cluster node sharing the
/// directory is never mistaken for a dead one). Names written by earlier versions of crick lack
/// the `.HOST` part and count as this host's.
public enum TemporaryName {
    /// The marker between the final name and the process ID.
    static let marker = ".crick-tmp-"

    /// This host's name as it appears in temporary names: letters, digits, `-` and `_`
    /// only (dots would be ambiguous), at most 32 characters.
    static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let raw = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let kept = raw.unicodeScalars.map { s -> Character in
            (s.properties.isAlphabetic && s.isASCII) || ("0"..."9").contains(s) || s == "-" || s == "_" ? Character(s) : "_"
        }
        let name = String(kept.prefix(32))
        return name.isEmpty ? "localhost" : name
    }()

    /// The temporary path for `path` (in the same directory), with `suffix` appended
    /// (e.g. `-old`). Long final names are shortened so that the name stays under 255 bytes.
    public static func make(for path: String, suffix: String = "") -> String {
        let (dir, base) = split(path)
        let tail = "\(marker)\(getpid())-\(UInt32.random(in: 0...UInt32.max))\(suffix).\(host)"
        var shortened = base
        while shortened.utf8.count + tail.utf8.count + 1 > 255 && !shortened.isEmpty { shortened.removeLast() }
        return dir + "." + shortened + tail
    }

    /// Splits a path into its directory (with the trailing `/`, or empty) and its last component.
    public static func split(_ path: String) -> (directory: String, base: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }

    /// The process ID and host of a temporary name, or nil when `name` (a directory entry,
    /// not a path) is not one of crick's temporaries.
    public static func parse(_ name: String) -> (pid: Int32, host: String?)? {
        guard name.hasPrefix("."), let range = name.range(of: marker, options: .backwards) else { return nil }
        let rest = name[range.upperBound...]
        // PID-RANDOM, then optionally -old, then optionally .HOST
        let dot = rest.firstIndex(of: ".")
        let numbers = dot.map { rest[..<$0] } ?? rest
        let host = dot.map { String(rest[rest.index(after: $0)...]) }
        var parts = numbers.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3 && parts[2] == "old" { parts.removeLast() }
        guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, UInt32(parts[1]) != nil else { return nil }
        if let host, host.isEmpty { return nil }
        return (pid, host)
    }

    private static let swept = Sweeps()

    /// Removes, once per directory and process, the temporaries in `directory` that crick runs
    /// of this host left behind when they were killed: entries named as above whose process is
    /// no longer alive, owned by this user, and plain files or directories (never links).
    /// Returns the names removed.
    @discardableResult
    public static func sweep(directory: String) -> [String] {
        let dir = directory.isEmpty ? "." : directory
        guard swept.first(dir) else { return [] }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        var removed: [String] = []
        for name in entries {
            guard let (pid, host) = parse(name), host == nil || host == self.host else { continue }
            guard pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = dir + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, st.st_uid == geteuid() else { continue }
            let type = st.st_mode & S_IFMT
            if type == S_IFREG {
                if unlink(path) == 0 { removed.append(name) }
            } else if type == S_IFDIR {
                if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(name) }
            }
        }
        return removed
    }

    /// Directories swept by this process.
    private final class Sweeps: @unchecked Sendable {
        private let lock = NSLock()
        private var done: Set<String> = []
        /// True the first time `dir` is asked for.
        func first(_ dir: String) -> Bool {
            lock.lock(); defer { lock.unlock() }
            return done.insert(dir).inserted
        }
    }
}
