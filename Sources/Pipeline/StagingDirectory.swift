import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A directory written under a temporary name beside its final path and moved into place by
/// `commit()`. A failed or killed run leaves nothing under the final name.
///
/// The final path follows `OutputDirectory`'s rule, checked when the staging directory is
/// created and again at `commit()`: absent or empty, it becomes the staged directory; an earlier
/// crick output of the same kind is updated entry by entry, only with `force`; anything else is
/// refused. The directory gets a manifest (`.crick-output.json`) naming crick's entries.
public final class StagingDirectory {
    /// The final path.
    public let finalPath: String
    /// Where files are written until `commit()`.
    public let path: String
    /// What writes the directory (recorded in its manifest).
    public let kind: String
    private let force: Bool
    private let legacyFiles: Set<String>
    private var finished = false

    /// Checks `final` for an output of `kind` (see `OutputDirectory.check`) and creates the
    /// staging directory beside it.
    public init(final: String, kind: String, force: Bool = false, legacyFiles: Set<String> = []) throws {
        var final = final
        while final.count > 1 && final.hasSuffix("/") { final.removeLast() }
        finalPath = final
        self.kind = kind
        self.force = force
        self.legacyFiles = legacyFiles
        try OutputDirectory.check(final, kind: kind, force: force, legacyFiles: legacyFiles)
        let parent = TemporaryName.split(final).directory
        TemporaryName.sweep(directory: parent)
        path = TemporaryName.make(for: final)
        guard mkdir(path, 0o755) == 0 else {
            throw OutputError.io(path: final, action: "create output directory", reason: String(cString: strerror(errno)))
        }
        TemporaryFiles.shared.register(path)
    }

    deinit { if !finished { abort() } }

    /// Moves the staged directory into place.
    public func commit() throws {
        defer { abort() }
        let existing = try OutputDirectory.check(finalPath, kind: kind, force: force, legacyFiles: legacyFiles)
        switch existing {
        case .absent, .empty:
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            try OutputDirectory.writeManifest(OutputManifest(kind: kind, files: entries), in: path)
            guard rename(path, finalPath) == 0 else {
                throw OutputError.io(path: finalPath, action: "rename output directory into place", reason: String(cString: strerror(errno)))
            }
        case .crickOutput(let manifest):
            try OutputDirectory.merge(staged: path, into: finalPath, old: manifest, kind: kind)
        }
    }

    /// Removes the staged directory (whatever of it is still there).
    public func abort() {
        guard !finished else { return }
        finished = true
        try? FileManager.default.removeItem(atPath: path)
        TemporaryFiles.shared.unregister(path)
    }
}
