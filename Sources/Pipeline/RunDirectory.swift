import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A directory that a long run writes in place (a training run: checkpoints after every epoch,
/// resumable), following `OutputDirectory`'s rule: a new or empty directory is taken; an
/// earlier run of the same kind only with `resume` (continue it) or `force` (start it over,
/// removing crick's entries of the earlier run); anything else is refused.
///
/// Until `keep()` is called (after the first checkpoint), what the run created is registered
/// with `TemporaryFiles`, so that a run that fails or is interrupted early leaves no empty run
/// directory behind.
public final class RunDirectory {
    /// The directory.
    public let path: String
    /// The kind recorded in the manifest.
    public let kind: String
    private var registered: [String] = []

    /// Opens `path` for a run of `kind` whose entries are `files`.
    public init(path: String, kind: String, files: [String], resume: Bool, force: Bool) throws {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.path = path
        self.kind = kind
        let existing = try OutputDirectory.check(path, kind: kind, force: resume || force, legacyFiles: Set(files),
                                                 advice: "pass --resume to continue it or --force to start it over")
        let fm = FileManager.default
        switch existing {
        case .absent:
            // Create the missing directories, remembering the topmost one made.
            var missing: [String] = []
            var p = path
            while !p.isEmpty, !fm.fileExists(atPath: p) {
                missing.append(p)
                let parent = TemporaryName.split(p).directory
                p = parent.count > 1 && parent.hasSuffix("/") ? String(parent.dropLast()) : parent
            }
            for dir in missing.reversed() {
                guard mkdir(dir, 0o755) == 0 || errno == EEXIST else {
                    throw OutputError.io(path: path, action: "create output directory", reason: String(cString: strerror(errno)))
                }
            }
            if let top = missing.last { register(top) }
        case .empty:
            break
        case .crickOutput(let manifest):
            if force && !resume { OutputDirectory.removeEntries(manifest.files, in: path) }
        }
        if existing != .absent {
            for name in files where !fm.fileExists(atPath: path + "/" + name) { register(path + "/" + name) }
            if !fm.fileExists(atPath: path + "/" + OutputDirectory.manifestName) { register(path + "/" + OutputDirectory.manifestName) }
        }
        try OutputDirectory.writeManifest(OutputManifest(kind: kind, files: files), in: path)
    }

    /// Creates a subdirectory of the run (e.g. `checkpoints`).
    public func makeSubdirectory(_ name: String) throws {
        let dir = path + "/" + name
        guard mkdir(dir, 0o755) == 0 || errno == EEXIST else {
            throw OutputError.io(path: dir, action: "create output directory", reason: String(cString: strerror(errno)))
        }
    }

    /// The run has results worth keeping: what it created is no longer removed on failure.
    public func keep() {
        for p in registered { TemporaryFiles.shared.unregister(p) }
        registered.removeAll()
    }

    /// Removes what the run created (after a failure before `keep()`).
    public func discard() {
        for p in registered.reversed() { _ = try? FileManager.default.removeItem(atPath: p) }
        keep()
    }

    private func register(_ p: String) {
        registered.append(p)
        TemporaryFiles.shared.register(p)
    }
}
