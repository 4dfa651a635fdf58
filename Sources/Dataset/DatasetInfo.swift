import Foundation
import Genome

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
        /// Dropped by `--min-score` or `--top` (absent from files of older versions).
        public var filtered = 0

        public init(absentContig: Int = 0, beyondEnd: Int = 0, otherContig: Int = 0, excluded: Int = 0, pastEnd: Int = 0, tooManyN: Int = 0,
                    filtered: Int = 0) {
            self.absentContig = absentContig
            self.beyondEnd = beyondEnd
            self.otherContig = otherContig
            self.excluded = excluded
            self.pastEnd = pastEnd
            self.tooManyN = tooManyN
            self.filtered = filtered
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            absentContig = try c.decode(Int.self, forKey: .absentContig)
            beyondEnd = try c.decode(Int.self, forKey: .beyondEnd)
            otherContig = try c.decode(Int.self, forKey: .otherContig)
            excluded = try c.decode(Int.self, forKey: .excluded)
            pastEnd = try c.decodeIfPresent(Int.self, forKey: .pastEnd) ?? 0
            tooManyN = try c.decodeIfPresent(Int.self, forKey: .tooManyN) ?? 0
            filtered = try c.decodeIfPresent(Int.self, forKey: .filtered) ?? 0
        }
    }

    public struct Splits: Codable, Sendable, Equatable {
        /// "chromosome" (given or chosen), "region" (blocks or given regions), or "hash" in
        /// datasets of older versions (windows split by a hash of their position).
        public var method: String
        public var validChroms: [String]
        public var testChroms: [String]
        /// Region splits: the block length (nil for given regions) and the validation and
        /// test regions as `contig:start-end` (0-based, half-open), adjacent blocks merged.
        public var blockSize: Int?
        public var validRegions: [String]?
        public var testRegions: [String]?
        /// Region splits: windows dropped because they crossed from one split's region into
        /// another's (or partly overlapped a given region).
        public var droppedAcrossSplits: Int?

        public init(method: String, validChroms: [String], testChroms: [String], blockSize: Int? = nil,
                    validRegions: [String]? = nil, testRegions: [String]? = nil, droppedAcrossSplits: Int? = nil) {
            self.method = method
            self.validChroms = validChroms
            self.testChroms = testChroms
            self.blockSize = blockSize
            self.validRegions = validRegions
            self.testRegions = testRegions
            self.droppedAcrossSplits = droppedAcrossSplits
        }
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
        /// The peak filter (absent when none was asked for).
        public var scoreColumn: String?
        public var minScore: Double?
        public var top: Int?
        /// Without peaks: bases between the starts of the tiling's windows (absent: peaks).
        public var tileStride: Int?
    }

    /// Label noise added on purpose (simulations): which splits carry it and how much.
    public struct LabelNoise: Codable, Sendable, Equatable {
        /// The probability with which each label of a noisy split was flipped.
        public var flip: Double
        /// The splits whose labels were flipped ("train"); the others hold the true labels.
        public var splits: [String]
        /// Labels flipped in all.
        public var flipped: Int

        public init(flip: Double, splits: [String], flipped: Int) {
            self.flip = flip
            self.splits = splits
            self.flipped = flipped
        }
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
    /// Label noise of a simulated dataset (absent when there is none).
    public var labelNoise: LabelNoise?
    /// Extra bases stored on each side of every window for training-time shifts (absent: 0);
    /// sequences.npy rows are `length + 2 * jitter` wide, the window at their centre.
    public var jitter: Int?

    /// How an imported dataset's sequences were laid out in its source (absent otherwise).
    public var importedLayout: String?

    /// Regression targets from signal tracks (absent: labels only).
    public var signal: SignalInfo?

    /// The width of a stored row: the window plus the jitter on both sides.
    public var storedLength: Int { length + 2 * (jitter ?? 0) }
}

extension DatasetInfo {
    /// Decodes `dataset.json` (snake_case keys) and checks the values crick relies on; an
    /// error names the missing or invalid key (`counts.splits.train`) and the file.
    public static func decode(_ data: Data, path: String) throws -> DatasetInfo {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let info: DatasetInfo
        do {
            info = try decoder.decode(DatasetInfo.self, from: data)
        } catch let error as DecodingError {
            throw DatasetError.invalid("dataset.json does not describe a crick dataset (\(describe(error))): \(path)")
        } catch {
            throw DatasetError.invalid("dataset.json does not describe a crick dataset (\(error.localizedDescription)): \(path)")
        }
        func invalid(_ key: String, _ why: String) -> DatasetError {
            .invalid("dataset.json has an invalid '\(key)' (\(why)): \(path)")
        }
        guard info.format == "crick-dataset" else { throw invalid("format", "'\(info.format)', not 'crick-dataset'") }
        guard info.length >= 1, info.length <= Interval.maxCoordinate else { throw invalid("length", "\(info.length); it must lie in 1...\(Interval.maxCoordinate)") }
        if let j = info.jitter { guard j >= 0, j <= info.length else { throw invalid("jitter", "\(j); it must lie in 0...\(info.length) (the length)") } }
        // A dataset of signal tiles has no peak tasks; every other has at least one.
        guard !info.tasks.isEmpty || info.signal != nil else { throw invalid("tasks", "no task, and no signal") }
        guard Set(info.tasks).count == info.tasks.count else { throw invalid("tasks", "a task name repeats") }
        if let signal = info.signal {
            guard !signal.tasks.isEmpty, Set(signal.tasks).count == signal.tasks.count else { throw invalid("signal.tasks", "none, or a name repeats") }
            guard (1...info.length).contains(signal.targetLength) else { throw invalid("signal.target_length", "\(signal.targetLength); it must lie in 1...\(info.length)") }
            guard signal.bin >= 1, signal.targetLength % signal.bin == 0 else { throw invalid("signal.bin", "\(signal.bin); it must divide the target length") }
            guard ["log1p", "none"].contains(signal.transform) else { throw invalid("signal.transform", "'\(signal.transform)', not log1p or none") }
            if let pairs = signal.pairs {
                let paired = pairs.flatMap { $0 }
                guard pairs.allSatisfy({ $0.count == 2 }), paired.allSatisfy({ signal.tasks.indices.contains($0) }), Set(paired).count == paired.count else {
                    throw invalid("signal.pairs", "\(pairs); each must be a [plus, minus] pair of distinct signal task indices")
                }
            }
            if signal.bin > 1, (info.jitter ?? 0) > 0 {
                throw invalid("signal.bin", "\(signal.bin) with jitter \(info.jitter ?? 0); binned profiles are stored without jitter")
            }
            if signal.profile {
                let expected = signal.bin > 1 ? signal.profileLength : signal.targetLength + 2 * (info.jitter ?? 0)
                guard signal.profileWidth == expected else { throw invalid("signal.profile_width", "\(signal.profileWidth.map(String.init) ?? "absent"), expected \(expected)") }
            }
        }
        return info
    }

    /// "missing key 'counts.splits'", "key 'length' is not a number", ...
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey], _ last: CodingKey? = nil) -> String {
            let all = keys + (last.map { [$0] } ?? [])
            let text = all.map { $0.intValue.map { "[\($0)]" } ?? snakeCase($0.stringValue) }.joined(separator: ".")
            return text.replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(path(context.codingPath, key))'"
        case .typeMismatch(let type, let context):
            return context.codingPath.isEmpty ? "not a JSON object" : "key '\(path(context.codingPath))' is not \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "key '\(path(context.codingPath))' is null, not \(typeName(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "key '\(path(context.codingPath))' is invalid"
        @unknown default:
            return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type, is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is [String].Type, is [Peaks].Type: return "a list"
        default: return "a \(type)"
        }
    }

    /// `positivesPerTask` as `positives_per_task`, the key as written in the file.
    private static func snakeCase(_ key: String) -> String {
        var out = ""
        for c in key {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}
