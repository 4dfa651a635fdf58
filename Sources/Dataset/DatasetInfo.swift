/// `dataset.json`: what a dataset holds and how it was made.
public struct DatasetInfo: Codable, Sendable, Equatable {
    public struct Peaks: Codable, Sendable, Equatable {
        public var name: String
        public var path: String
    }

    public struct Sources: Codable, Sendable, Equatable {
        public var fasta: String
        public var peaks: [Peaks]
        public var exclude: [String]
    }

    public struct SplitCounts: Codable, Sendable, Equatable {
        public var train = 0
        public var valid = 0
        public var test = 0

        public subscript(split: Int) -> Int {
            get { split == 0 ? train : split == 1 ? valid : test }
            set {
                switch split {
                case 0: train = newValue
                case 1: valid = newValue
                default: test = newValue
                }
            }
        }
    }

    public struct Counts: Codable, Sendable, Equatable {
        /// Windows in all.
        public var windows = 0
        /// Windows per split.
        public var splits = SplitCounts()
        /// Windows per kind (positive, background, flank, shuffle).
        public var kinds: [String: Int] = [:]
        /// Positive windows per task and split.
        public var positivesPerTask: [String: SplitCounts] = [:]
    }

    /// Peaks of a task not used, by cause.
    public struct Skipped: Codable, Sendable, Equatable {
        /// On contigs absent from the FASTA.
        public var absentContig = 0
        /// Inside their contig, but too close to an end for a window.
        public var beyondEnd = 0
        /// On contigs left out by `--chroms`.
        public var otherContig = 0
        /// Their window touches an `--exclude` region.
        public var excluded = 0
        /// Running past the end of their contig (absent from files of older versions).
        public var pastEnd = 0
        /// Their window holds more N than `--max-n` (absent from files of older versions).
        public var tooManyN = 0

        public init(absentContig: Int = 0, beyondEnd: Int = 0, otherContig: Int = 0, excluded: Int = 0, pastEnd: Int = 0, tooManyN: Int = 0) {
            self.absentContig = absentContig
            self.beyondEnd = beyondEnd
            self.otherContig = otherContig
            self.excluded = excluded
            self.pastEnd = pastEnd
            self.tooManyN = tooManyN
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            absentContig = try c.decode(Int.self, forKey: .absentContig)
            beyondEnd = try c.decode(Int.self, forKey: .beyondEnd)
            otherContig = try c.decode(Int.self, forKey: .otherContig)
            excluded = try c.decode(Int.self, forKey: .excluded)
            pastEnd = try c.decodeIfPresent(Int.self, forKey: .pastEnd) ?? 0
            tooManyN = try c.decodeIfPresent(Int.self, forKey: .tooManyN) ?? 0
        }
    }

    public struct Splits: Codable, Sendable, Equatable {
        /// "chromosome" (given or chosen), or "hash" when too few contigs hold windows.
        public var method: String
        public var validChroms: [String]
        public var testChroms: [String]
    }

    public struct Options: Codable, Sendable, Equatable {
        public var center: String
        public var labelCore: Int
        public var negatives: [String]
        public var negativeRatio: Double
        public var margin: Int
        public var maxN: Double
        public var gcBins: Int
        public var flankDistance: Int
        public var chroms: [String]?
    }

    public var format = "crick-dataset"
    public var version = 1
    public var createdBy: String
    public var tasks: [String]
    public var length: Int
    public var encoding = "uint8 base codes: A=0 C=1 G=2 T=3 other=4"
    public var files = ["sequences.npy", "labels.npy", "split.npy", "regions.bed"]
    public var splitCodes = ["train": 0, "valid": 1, "test": 2]
    public var seed: UInt64
    public var sources: Sources
    public var options: Options
    public var splits: Splits
    public var counts: Counts
    /// Peaks not used, per task.
    public var skipped: [String: Skipped]
    /// Negatives asked for but not found, per kind.
    public var shortfall: [String: Int]
}
