import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Refuses outputs that would overwrite one of the run's own inputs, checked before anything
/// is opened: `crick fetch --fasta g.fa -o g.fa` must not replace the genome.
public enum InputOutputCheck {
    /// The identity of an existing file (device and inode, links followed).
    struct Identity: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    static func identity(_ path: String) -> Identity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// The absolute, normalised form of `path` (without resolving links), for comparing
    /// paths that do not exist yet.
    static func normalised(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for part in absolute.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The index files htslib keeps beside an input, which an output must not replace either.
    static func companions(_ path: String) -> [String] {
        [path + ".fai", path + ".gzi", path + ".tbi", path + ".csi"]
    }

    /// Throws when an output file is an input (same file, or same path), or an index of one.
    /// Outputs and inputs given as `-` (stdin, stdout) and character devices are skipped.
    /// `directories` are output directories: an input that is the directory itself, or a file
    /// crick would replace in it (its manifest's entries), is refused too.
    public static func check(inputs: [String], outputs: [String], directories: [String] = []) throws {
        let inputs = inputs.filter { $0 != "-" && !$0.isEmpty }
        var byIdentity: [Identity: String] = [:]
        var byPath: [String: String] = [:]
        for input in inputs {
            for p in [input] + companions(input) where !isCharacterDevice(p) {
                if let id = identity(p) { byIdentity[id] = input }
                byPath[normalised(p)] = input
            }
        }
        func refuse(_ output: String, _ input: String) -> OutputError {
            .refused(path: output, reason: "it is one of this run's inputs (\(input)); give another output name")
        }
        for output in outputs where output != "-" && !output.isEmpty && !isCharacterDevice(output) {
            if let input = byPath[normalised(output)] { throw refuse(output, input) }
            if let id = identity(output), let input = byIdentity[id] { throw refuse(output, input) }
        }
        for dir in directories where !dir.isEmpty {
            if let id = identity(dir), let input = byIdentity[id] { throw refuse(dir, input) }
            let manifest = dir + "/" + OutputDirectory.manifestName
            guard let entries = try? OutputDirectory.readManifest(manifest).files else { continue }
            for entry in entries {
                let p = dir + "/" + entry
                if let input = byPath[normalised(p)] { throw refuse(p, input) }
                if let id = identity(p), let input = byIdentity[id] { throw refuse(p, input) }
            }
        }
    }

    static func isCharacterDevice(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        let type = st.st_mode & S_IFMT
        return type == S_IFCHR || type == S_IFIFO
    }
}
