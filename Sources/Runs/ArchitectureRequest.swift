import NeuralNet

/// The architecture a run asks for: a preset or an architecture file, a strand mode and the
/// first layer's activation (`--preset`, `--arch`, `--strand`, `--first-activation`).
public struct ArchitectureRequest: Sendable, Equatable {
    /// A preset name (chip, zhou-sim, koo-cnn2, koo-cnn50, koo-deep, bpnet).
    public var preset: String?
    /// An architecture JSON file instead of a preset.
    public var arch: String?
    /// standard, rc or conjoined.
    public var strand: StrandMode?
    /// The preset's first activation (an architecture file sets its own).
    public var firstActivation: ActivationFunction?

    public init(preset: String? = nil, arch: String? = nil, strand: StrandMode? = nil, firstActivation: ActivationFunction? = nil) {
        self.preset = preset
        self.arch = arch
        self.strand = strand
        self.firstActivation = firstActivation
    }

    /// True when any of the four was given.
    public var isEmpty: Bool { preset == nil && arch == nil && strand == nil && firstActivation == nil }

    /// The contradictions of the request itself, as a usage message (nil: none).
    public var conflict: String? {
        if preset != nil && arch != nil { return "give --preset or --arch, not both" }
        if arch != nil && firstActivation != nil {
            return "--first-activation sets a preset's first activation; with --arch, set it in the architecture file"
        }
        return nil
    }

    /// The architecture: the file's (with `outputs` and the strand set) or the preset's
    /// (default `defaultPreset`), strand `defaultStrand` unless asked.
    public func architecture(outputs: Int, defaultStrand: StrandMode = .rc, defaultPreset: String = "chip", profileLength: Int? = nil,
                             profileBin: Int = 1, profilePairs: [[Int]] = []) throws -> Architecture {
        if let arch {
            var a = try Architecture.read(path: arch)
            a.outputs = outputs
            a.strand = strand ?? defaultStrand
            return a
        }
        return try Architecture.preset(preset ?? defaultPreset, outputs: outputs, strand: strand ?? defaultStrand, firstActivation: firstActivation,
                                       profileLength: profileLength, profileBin: profileBin, profilePairs: profilePairs)
    }

    /// The flags given that shape the model, as typed (for messages).
    public var shapingFlags: String {
        [preset.map { "--preset \($0)" }, arch.map { "--arch \($0)" }, firstActivation.map { "--first-activation \($0.rawValue)" }]
            .compactMap { $0 }.joined(separator: " ")
    }
}
