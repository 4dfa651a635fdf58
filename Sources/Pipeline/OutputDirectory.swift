import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The record crick keeps in every directory it writes (`.crick-output.json`): which command
/// wrote it and which entries are crick's. Only those entries are ever replaced or removed.
public struct OutputManifest: Codable, Equatable, Sendable {
    /// What wrote the directory: `dataset`, `simulate`, `motifs`, `train`, ...
    public var kind: String
    /// The entries (files and directories directly inside) that crick wrote.
    public var files: [String]
    /// The crick version that wrote it.
    public var crick: String

    public init(kind: String, files: [String], crick: String = OutputDirectory.version) {
        self.kind = kind
        self.files = files.sorted()
        self.crick = crick
    }
}

/// The rule for directory outputs: a directory that exists and is not empty is refused unless
/// it is an earlier crick output of the same kind and the user says `--force`; even then only
/// crick's own entries in it are replaced, and everything else stays.
public enum OutputDirectory {
    /// The manifest's file name.
    public static let manifestName = ".crick-output.json"
    /// Written into manifests.
    public static let version = "0.1.0"

    /// What is at a directory output's path.
    public enum Existing: Equatable, Sendable {
        /// Nothing: the directory will be created.
        case absent
        /// An empty directory (or one holding only crick's stale temporaries).
        case empty
        /// An earlier crick output.
        case crickOutput(OutputManifest)
    }

    /// Checks whether `path` may receive a directory output of `kind`, and says what is there.
    /// `legacyFiles` are the entries a crick output of this kind held before manifests existed:
    /// a directory holding nothing else counts as such an output. `advice` is what the refusal
    /// says to do for an earlier output of the same kind (default: pass `--force`).
    @discardableResult
    public static func check(_ path: String, kind: String, force: Bool, legacyFiles: Set<String> = [],
                             advice: String = "pass --force to replace crick's files in it (other files are kept)") throws -> Existing {
        let existing = try examine(path, legacyFiles: legacyFiles, kind: kind)
        switch existing {
        case .absent, .empty: return existing
        case .crickOutput(let manifest):
            guard manifest.kind == kind else {
                throw OutputError.refused(path: path, reason: "it holds the output of crick \(manifest.kind), not of crick \(kind); give another output directory")
            }
            guard force else {
                throw OutputError.refused(path: path, reason: "it holds an earlier crick \(kind) output; \(advice)")
            }
            return existing
        }
    }

    /// What is at `path`, without judging it.
    public static func examine(_ path: String, legacyFiles: Set<String> = [], kind: String = "") throws -> Existing {
        var st = stat()
        if lstat(path, &st) != 0 {
            guard errno == ENOENT else {
                throw OutputError.io(path: path, action: "examine output directory", reason: String(cString: strerror(errno)))
            }
            return .absent
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            let what = st.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "a file"
            throw OutputError.refused(path: path, reason: "it is \(what), not a directory; give a new directory name")
        }
        TemporaryName.sweep(directory: path)
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: path).filter { TemporaryName.parse($0) == nil }.sorted()
        } catch {
            throw OutputError.io(path: path, action: "list output directory", reason: (error as NSError).localizedDescription)
        }
        if entries.isEmpty { return .empty }
        if entries.contains(manifestName) {
            return .crickOutput(try readManifest(path + "/" + manifestName))
        }
        if !legacyFiles.isEmpty, entries.allSatisfy(legacyFiles.contains) {
            return .crickOutput(OutputManifest(kind: kind, files: entries))
        }
        let shown = entries.prefix(3).joined(separator: ", ")
        let more = entries.count > 3 ? " and \(entries.count - 3) more" : ""
        throw OutputError.refused(path: path, reason: "the directory exists and holds files crick did not write (\(shown)\(more)); give a new or empty directory")
    }

    /// Reads a manifest.
    public static func readManifest(_ path: String) throws -> OutputManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OutputError.io(path: path, action: "read output manifest", reason: String(cString: strerror(errno)))
        }
        do {
            let manifest = try JSONDecoder().decode(OutputManifest.self, from: data)
            guard manifest.files.allSatisfy(isPlainName) else {
                throw OutputError.refused(path: path, reason: "the manifest names entries outside its directory")
            }
            return manifest
        } catch let error as OutputError {
            throw error
        } catch {
            throw OutputError.refused(path: path, reason: "the manifest is not valid JSON with kind, files and crick; remove it only if the directory is not crick's")
        }
    }

    /// Writes the manifest of `directory` atomically.
    public static func writeManifest(_ manifest: OutputManifest, in directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try encoder.encode(manifest) } catch {
            throw OutputError.io(path: directory + "/" + manifestName, action: "encode output manifest", reason: "\(error)")
        }
        let out = try OutputFile(path: directory + "/" + manifestName)
        try out.write([UInt8](data) + [UInt8(ascii: "\n")])
        try out.commit()
    }

    /// An entry name that stays inside its directory.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/")
    }

    /// Moves every entry of `staged` into the existing crick output `final` (recorded by
    /// `old`), replacing crick's entries of the same name and removing crick's entries that the
    /// new output lacks; entries crick did not write stay. The new manifest goes in last.
    static func merge(staged: String, into final: String, old: OutputManifest, kind: String) throws {
        let fm = FileManager.default
        let entries: [String]
        do {
            entries = try fm.contentsOfDirectory(atPath: staged).filter { $0 != manifestName }.sorted()
        } catch {
            throw OutputError.io(path: final, action: "list staged output", reason: (error as NSError).localizedDescription)
        }
        let oldFiles = Set(old.files)
        // First make sure no entry of the new output would replace something crick did not write.
        for name in entries where !oldFiles.contains(name) {
            var st = stat()
            if lstat(final + "/" + name, &st) == 0 {
                throw OutputError.refused(path: final, reason: "it holds \(name), which crick did not write and its new output would replace")
            }
        }
        for name in entries {
            let target = final + "/" + name
            var st = stat()
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: staged + "/" + name, isDirectory: &isDir)
            if isDir.boolValue, lstat(target, &st) == 0 {
                do { try fm.removeItem(atPath: target) } catch {
                    throw OutputError.io(path: target, action: "replace output entry", reason: (error as NSError).localizedDescription)
                }
            }
            guard rename(staged + "/" + name, target) == 0 else {
                throw OutputError.io(path: target, action: "rename output into place", reason: String(cString: strerror(errno)))
            }
        }
        let kept = Set(entries)
        removeEntries(oldFiles.subtracting(kept).filter { $0 != manifestName }, in: final)
        try writeManifest(OutputManifest(kind: kind, files: entries), in: final)
    }

    /// Removes crick's entries `names` of `directory` (plain names only; a directory with its
    /// contents, anything else by unlink, a link itself and never what it points to).
    static func removeEntries(_ names: some Sequence<String>, in directory: String) {
        for name in names where isPlainName(name) {
            let target = directory + "/" + name
            var st = stat()
            guard lstat(target, &st) == 0 else { continue }
            if st.st_mode & S_IFMT == S_IFDIR { try? FileManager.default.removeItem(atPath: target) } else { unlink(target) }
        }
    }
}
