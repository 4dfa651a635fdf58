import Foundation
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing models as safetensors: tensors in PyTorch layouts under PyTorch-style
/// names, the architecture and training record in `__metadata__`.
public enum ModelFile {
    /// The metadata every model file carries.
    public static func metadata(_ model: Model, extra: [String: String]) -> [String: String] {
        var m = extra
        m["format"] = "crick-model"
        m["architecture"] = model.architecture.json()
        m["alphabet"] = "ACGT"
        m["n_encoding"] = "all-zero one-hot row"
        m["input_length"] = String(model.architecture.inputLength)
        m["strand"] = model.architecture.strand.rawValue
        m["layout"] = "conv weights (out, in, k); dense weights (out, in); DenseAfterRevcompConv1D (out, L, F); input one-hot channels-last (B, L, 4) ACGT"
        return m
    }

    /// The bytes of a model file (optionally with extra tensors, such as optimiser state).
    public static func bytes(_ model: Model, metadata: [String: String], extra: [(name: String, shape: [Int], values: [Float])] = []) throws -> [UInt8] {
        let tensors = model.parameters.map { (name: $0.name, shape: $0.exportShape, values: $0.exported()) } + extra
        return try Safetensors.encode(tensors, metadata: self.metadata(model, extra: metadata))
    }

    /// Writes a model atomically (temporary name, then rename).
    public static func write(_ model: Model, to path: String, metadata: [String: String] = [:],
                             extra: [(name: String, shape: [Int], values: [Float])] = []) throws {
        try writeAtomically(try bytes(model, metadata: metadata, extra: extra), to: path)
    }

    /// Reads a model file: rebuilds the architecture and loads every tensor.
    public static func read(_ path: String) throws -> (model: Model, contents: Safetensors.Contents) {
        let path = resolve(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NetworkError.file(path: path, detail: FileManager.default.fileExists(atPath: path) ? "cannot read model file" : "no such file")
        }
        let contents = try Safetensors.decode([UInt8](data), source: path)
        guard let archText = contents.metadata["architecture"] else {
            throw NetworkError.file(path: path, detail: "not a crick model (no architecture in __metadata__)")
        }
        let model = try Model(try Architecture.parse(archText, source: path))
        for p in model.parameters {
            guard let t = contents.tensors[p.name] else { throw NetworkError.file(path: path, detail: "model file lacks tensor \(p.name)") }
            guard t.shape == p.exportShape else {
                throw NetworkError.file(path: path, detail: "tensor \(p.name) has shape \(t.shape), the architecture needs \(p.exportShape)")
            }
            try requireFinite(t.values, tensor: p.name, path: path)
            p.load(exported: t.values)
        }
        return (model, contents)
    }

    /// Refuses a tensor holding NaN or infinity (a diverged or corrupted model scores
    /// nothing meaningful), naming the tensor, the first bad index and the count.
    static func requireFinite(_ values: [Float], tensor: String, path: String) throws {
        guard let first = values.firstIndex(where: { !$0.isFinite }) else { return }
        let bad = values.lazy.filter { !$0.isFinite }.count
        throw NetworkError.file(path: path, detail: "tensor \(tensor) holds \(bad) NaN or Inf value\(bad == 1 ? "" : "s") (the first, \(values[first]), at index \(first)); the model cannot be used")
    }

    /// Writes bytes under a temporary name in the same directory, then renames (through
    /// Pipeline's `OutputFile`, which also writes devices and FIFOs in place).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let out = try OutputFile(path: path)
        try out.write(bytes)
        try out.commit()
    }
}

extension ModelFile {
    /// The model file a user named: the file itself, or `DIR/model.safetensors` for a run
    /// directory `DIR` of `crick train`.
    public static func resolve(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return path }
        return (path.hasSuffix("/") ? path : path + "/") + "model.safetensors"
    }
}
