import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How an output path is written, decided from what is at the path now.
///
/// - nothing there, or a regular file: a temporary in the same directory, renamed over it
///   when complete (`replace`);
/// - a symbolic link to a regular file: the same, at the file the link resolves to, so the
///   link itself stays (`replace` with the resolved path);
/// - a character device or FIFO (`/dev/null`, `/dev/stdout`, a named pipe), and anything
///   reached through `/dev/` or `/proc/`: opened and written in place, never renamed over
///   (`writeThrough`);
/// - a directory, block device, socket or dangling link: refused.
public enum OutputTarget: Equatable, Sendable {
    /// Written to a temporary beside `path` and renamed onto `path`.
    case replace(path: String)
    /// Opened and written in place.
    case writeThrough(path: String)

    /// Classifies `path` (never `-`).
    public static func classify(_ path: String) throws -> OutputTarget {
        var st = stat()
        if lstat(path, &st) != 0 {
            guard errno == ENOENT else {
                throw OutputError.io(path: path, action: "examine output", reason: String(cString: strerror(errno)))
            }
            return .replace(path: path)
        }
        let linkType = st.st_mode & S_IFMT
        if linkType == S_IFREG { return .replace(path: path) }
        let isLink = linkType == S_IFLNK
        if isLink && stat(path, &st) != 0 {
            throw OutputError.refused(path: path, reason: "it is a symbolic link to a missing file; remove the link or give another output name")
        }
        let type = st.st_mode & S_IFMT
        let special = path.hasPrefix("/dev/") || path.hasPrefix("/proc/")
        switch type {
        case S_IFREG:
            if special { return .writeThrough(path: path) }
            guard let resolved = realpath(path, nil) else {
                throw OutputError.io(path: path, action: "resolve output link", reason: String(cString: strerror(errno)))
            }
            defer { free(resolved) }
            return .replace(path: String(cString: resolved))
        case S_IFCHR, S_IFIFO:
            return .writeThrough(path: path)
        case S_IFDIR:
            throw OutputError.refused(path: path, reason: "it is a directory; give a file name")
        case S_IFBLK:
            throw OutputError.refused(path: path, reason: "it is a block device; crick does not write to disks")
        default:
            throw OutputError.refused(path: path, reason: "it is a socket or other special file")
        }
    }
}
