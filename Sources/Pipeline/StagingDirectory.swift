import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A directory written under a temporary name beside its final path and renamed into place
/// by `commit()`, replacing an older directory of that name. A failed or killed run leaves
/// nothing under the final name.
public final class StagingDirectory {
    /// The final path.
    public let finalPath: String
    /// Where files are written until `commit()`.
    public let path: String
    private var finished = false

    public init(final: String) throws {
        var final = final
        while final.count > 1 && final.hasSuffix("/") { final.removeLast() }
        finalPath = final
        let slash = final.lastIndex(of: "/")
        let parent = slash.map { String(final[...$0]) } ?? ""
        let base = slash.map { String(final[final.index(after: $0)...]) } ?? final
        path = parent + ".\(base).crick-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(path, 0o755) == 0 else {
            throw OutputError.io(path: final, action: "create output directory", reason: String(cString: strerror(errno)))
        }
        TemporaryFiles.shared.register(path)
    }

    deinit { if !finished { abort() } }

    /// Renames the staged directory to the final path (an existing one is replaced).
    public func commit() throws {
        finished = true
        defer { TemporaryFiles.shared.unregister(path) }
        var old: String?
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: finalPath, isDirectory: &isDir) {
            guard isDir.boolValue else {
                abort()
                throw OutputError.io(path: finalPath, action: "replace output directory", reason: "a file of that name exists")
            }
            let aside = path + "-old"
            guard rename(finalPath, aside) == 0 else {
                let reason = String(cString: strerror(errno))
                abort()
                throw OutputError.io(path: finalPath, action: "replace output directory", reason: reason)
            }
            old = aside
        }
        guard rename(path, finalPath) == 0 else {
            let reason = String(cString: strerror(errno))
            if let old { rename(old, finalPath) }
            abort()
            throw OutputError.io(path: finalPath, action: "rename output directory into place", reason: reason)
        }
        if let old { try? FileManager.default.removeItem(atPath: old) }
    }

    /// Removes the staged directory.
    public func abort() {
        finished = true
        try? FileManager.default.removeItem(atPath: path)
        TemporaryFiles.shared.unregister(path)
    }
}
