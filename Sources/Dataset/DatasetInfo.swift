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

    public struct Skipped: Codable, Sendable, Equatable {
        public var absentContig = 0
        public var beyondEnd = 0
        public var otherContig = 0
        public var excluded = 0
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
