import Foundation

/// How a model treats the two strands.
public enum StrandMode: String, Codable, Sendable, CaseIterable {
    /// A conventional model (its predictions for x and rc(x) differ).
    case standard
    /// Reverse-complement parameter sharing in every layer (Shrikumar et al. 2017): RC-invariant.
    case rc
    /// A standard model trained with RC augmentation whose logits on x and rc(x) are averaged
    /// at prediction (Zhou et al. 2021): RC-invariant.
    case conjoined
}

/// The kind of a layer: its `type` in model files and `--arch` JSON (the raw values).
public enum LayerKind: String, Codable, Sendable, CaseIterable {
    case conv
    case batchnorm
    case activation
    case maxpool
    case dropout
    case flatten
    case dense
    case globalmaxpool
    case globalavgpool
    case rcsumpool
    /// Shrikumar's WeightedSum1D; in rc mode tied between strands and followed by a
    /// DenseAfterRevcompWeightedSum.
    case weightedsum
    /// A BPNet-style count and profile head (`ProfileHead`): `profile` positions, `kernel`
    /// wide; the last layer of a profile model.
    case profilehead

    /// Decodes the raw value; an unknown one is an invalid architecture naming the layer
    /// (its index in the decoder's coding path), as `validate()` reports other mistakes.
    public init(from decoder: Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let kind = LayerKind(rawValue: raw) else {
            let layer = decoder.codingPath.last { $0.intValue != nil }?.intValue.map { " (layer \($0 + 1))" } ?? ""
            throw NetworkError.architecture("unknown layer type '\(raw)'\(layer)")
        }
        self = kind
    }
}

/// One layer of an architecture, as written in model files and `--arch` JSON.
public struct LayerSpec: Codable, Sendable, Equatable {
    public var type: LayerKind
    public var filters: Int?
    public var kernel: Int?
    public var padding: Padding?
    public var bias: Bool?
    public var function: ActivationFunction?
    public var pool: Int?
    public var stride: Int?
    public var rate: Float?
    public var units: Int?
    /// The profile length of a `profilehead` (the central positions it predicts).
    public var profile: Int?
    /// Bases pooled into each profile position of a `profilehead` (absent: 1).
    public var bin: Int?
    /// The [plus, minus] task pairs of a `profilehead` whose tracks are the two strands of one
    /// signal (absent: every task unstranded).
    public var pairs: [[Int]]?

    public init(type: LayerKind, filters: Int? = nil, kernel: Int? = nil, padding: Padding? = nil, bias: Bool? = nil,
                function: ActivationFunction? = nil, pool: Int? = nil, stride: Int? = nil, rate: Float? = nil, units: Int? = nil,
                profile: Int? = nil, bin: Int? = nil, pairs: [[Int]]? = nil) {
        self.type = type
        self.filters = filters
        self.kernel = kernel
        self.padding = padding
        self.bias = bias
        self.function = function
        self.pool = pool
        self.stride = stride
        self.rate = rate
        self.units = units
        self.profile = profile
        self.bin = bin
        self.pairs = pairs
    }

    static func conv(_ f: Int, _ k: Int, _ p: Padding, bias: Bool) -> LayerSpec { LayerSpec(type: .conv, filters: f, kernel: k, padding: p, bias: bias) }
    static let bn = LayerSpec(type: .batchnorm)
    static func act(_ f: ActivationFunction) -> LayerSpec { LayerSpec(type: .activation, function: f) }
    static func pool(_ p: Int, _ s: Int? = nil, _ pad: Padding = .valid) -> LayerSpec { LayerSpec(type: .maxpool, padding: pad, pool: p, stride: s) }
    static func drop(_ r: Float) -> LayerSpec { LayerSpec(type: .dropout, rate: r) }
    static let flatten = LayerSpec(type: .flatten)
    static func dense(_ u: Int, bias: Bool = true) -> LayerSpec { LayerSpec(type: .dense, bias: bias, units: u) }
}

/// A model architecture: input length, outputs, strand mode and the list of layers. The
/// last dense layer's units (or the profile head's tasks) are set to the number of tasks.
public struct Architecture: Codable, Sendable, Equatable {
    public var name: String
    public var inputLength: Int
    public var outputs: Int
    public var strand: StrandMode
    public var layers: [LayerSpec]
    /// What the outputs are trained to predict (nil: `binary`, as in every model written
    /// before regression existed).
    public var objective: Objective?

    public init(name: String, inputLength: Int, outputs: Int, strand: StrandMode, layers: [LayerSpec], objective: Objective? = nil) {
        self.name = name
        self.inputLength = inputLength
        self.outputs = outputs
        self.strand = strand
        self.layers = layers
        self.objective = objective
    }

    /// The objective: the recorded one, else `profile` for a model ending in a profilehead
    /// and `binary` for any other.
    public var target: Objective { objective ?? (profileLength != nil ? .profile : .binary) }

    /// The profile length of a profile model (its last layer a `profilehead`), else nil.
    public var profileLength: Int? {
        guard let last = layers.last, last.type == .profilehead else { return nil }
        return last.profile
    }

    /// Values the model gives per item: T, or P * T + T for a profile model.
    public var outputWidth: Int { profileLength.map { $0 * outputs + outputs } ?? outputs }

    /// The presets: `chip` (Zhou et al. 2021's ChIP-seq model), `zhou-sim` (their simulated-data
    /// model: one convolution of 20 filters of width 21, batch norm, max pool 20, and in rc form
    /// an RC sum pool before the dense layer), `koo-cnn2`, `koo-cnn50`, `koo-deep` (Koo &
    /// Ploenzke 2021, code/model_zoo), with `firstActivation` after the first batch norm; and
    /// `bpnet`, a count-and-profile model: four convolutions of 64 filters (widths 21, 11, 11,
    /// 11, each with ReLU and, as in BPNet, no batch norm) and a `profilehead` of width 25
    /// predicting `profileLength` positions (default 200; even, so the crop is centred) of
    /// `profileBin` bases each, with the stranded task pairs `profilePairs`.
    public static func preset(_ name: String, outputs: Int, strand: StrandMode, firstActivation: ActivationFunction? = nil,
                              profileLength: Int? = nil, profileBin: Int = 1, profilePairs: [[Int]] = []) throws -> Architecture {
        let first = firstActivation
        var layers: [LayerSpec]
        var length: Int
        switch name {
        case "chip":
            length = 1000
            layers = [.conv(16, 15, .valid, bias: true), .bn, .act(first ?? .relu),
                      .conv(16, 14, .valid, bias: true), .bn, .act(.relu),
                      .conv(16, 14, .valid, bias: true), .bn, .act(.relu),
                      .pool(40, 20), .flatten, .dense(outputs)]
        case "zhou-sim":
            // 1000 -> conv 980 -> pool 49 (the windows tile the length symmetrically).
            length = 1000
            layers = [.conv(20, 21, .valid, bias: true), .bn, .act(first ?? .relu), .pool(20, 20)]
            if strand == .rc { layers.append(LayerSpec(type: .rcsumpool)) }
            layers += [.flatten, .dense(outputs)]
        case "koo-cnn2", "koo-cnn50":
            length = 200
            let pools = name == "koo-cnn2" ? (2, 50) : (50, 2)
            layers = [.conv(32, 19, .same, bias: false), .bn, .act(first ?? .relu), .drop(0.1), .pool(pools.0, pools.0, .same),
                      .conv(124, 5, .same, bias: false), .bn, .act(.relu), .drop(0.1), .pool(pools.1, pools.1, .same),
                      .flatten, .dense(512, bias: false), .bn, .act(.relu), .drop(0.5), .dense(outputs)]
        case "bpnet":
            // 1000 -> 980 -> 970 -> 960 -> 950; the head's convolution reads the central P + 24.
            length = 1000
            // No batch norm, as in BPNet: the count head reads the mean of the last map, whose
            // level batch norm's lagging running statistics would move between epochs.
            layers = [.conv(64, 21, .valid, bias: true), .act(first ?? .relu),
                      .conv(64, 11, .valid, bias: true), .act(.relu),
                      .conv(64, 11, .valid, bias: true), .act(.relu),
                      .conv(64, 11, .valid, bias: true), .act(.relu),
                      LayerSpec(type: .profilehead, kernel: 25, profile: profileLength ?? 200,
                                bin: profileBin == 1 ? nil : profileBin, pairs: profilePairs.isEmpty ? nil : profilePairs)]
        case "koo-deep":
            length = 200
            layers = [.conv(32, 19, .same, bias: false), .bn, .act(first ?? .relu), .drop(0.1),
                      .conv(48, 7, .same, bias: false), .bn, .act(.relu), .drop(0.2), .pool(4),
                      .conv(96, 7, .valid, bias: false), .bn, .act(.relu), .drop(0.3), .pool(4),
                      .conv(128, 3, .valid, bias: false), .bn, .act(.relu), .drop(0.4), .pool(3),
                      .flatten, .dense(512, bias: false), .bn, .act(.relu), .drop(0.5), .dense(outputs)]
        default:
            throw NetworkError.architecture("unknown preset '\(name)' (\(presetNames.joined(separator: ", ")))")
        }
        return Architecture(name: name, inputLength: length, outputs: outputs, strand: strand, layers: layers)
    }

    /// The preset names.
    public static let presetNames = ["chip", "zhou-sim", "koo-cnn2", "koo-cnn50", "koo-deep", "bpnet"]

    /// The presets whose outputs are one value per task (every preset but the profile model
    /// `bpnet`).
    public static let classifierPresetNames = presetNames.filter { $0 != "bpnet" }

    /// JSON text (sorted keys, so the bytes are stable).
    public func json() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? e.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Reads an architecture JSON file.
    public static func read(path: String) throws -> Architecture {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NetworkError.file(path: path, detail: FileManager.default.fileExists(atPath: path) ? "cannot read architecture" : "no such file")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    /// Parses architecture JSON and checks it (`validate()`); errors name `source`.
    public static func parse(_ text: String, source: String) throws -> Architecture {
        let arch: Architecture
        do {
            arch = try JSONDecoder().decode(Architecture.self, from: Data(text.utf8))
        } catch let error as NetworkError {
            throw NetworkError.file(path: source, detail: error.description)
        } catch {
            throw NetworkError.file(path: source, detail: "not a crick architecture (\(error))")
        }
        do {
            try arch.validate()
        } catch let error as NetworkError {
            throw NetworkError.file(path: source, detail: error.description)
        }
        return arch
    }
}
