import Genome

/// A kind of window in a dataset.
public enum WindowKind: UInt8, Sendable, CaseIterable, Codable {
    /// A peak resized around its summit.
    case positive = 0
    /// A random genomic window, GC-matched to the positives.
    case background = 1
    /// A window shifted from a positive by a fixed distance.
    case flank = 2
    /// A dinucleotide-shuffled positive.
    case shuffle = 3
    /// A window of a genome tiling (datasets of signal without peaks).
    case tile = 4

    /// The name used in files and options.
    public var name: String {
        switch self {
        case .positive: return "positive"
        case .background: return "background"
        case .flank: return "flank"
        case .shuffle: return "shuffle"
        case .tile: return "tile"
        }
    }
}

/// One task: a name and the peak file whose peaks are its positives.
public struct TaskSource: Sendable, Equatable {
    public var name: String
    public var path: String

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }

    /// Parses `NAME=PATH`, or `PATH` whose name is the file name without its extensions.
    public static func parse(_ text: String) -> TaskSource {
        if let eq = text.firstIndex(of: "="), eq != text.startIndex {
            return TaskSource(name: String(text[..<eq]), path: String(text[text.index(after: eq)...]))
        }
        var stem = String(text.split(separator: "/").last ?? Substring(text))
        for ext in [".gz", ".bgz", ".narrowPeak", ".narrowpeak", ".bed", ".broadPeak", ".txt", ".bw", ".bigWig", ".bigwig", ".bedGraph", ".bedgraph", ".bg"] where stem.hasSuffix(ext) {
            stem.removeLast(ext.count)
        }
        return TaskSource(name: stem, path: text)
    }
}

/// Which peaks of each task become positives: those scoring at least `minScore` in `column`,
/// then the `top` best of them (ties in file order). Applied to a task's peaks as read, before
/// any is resized or checked; dropped peaks make no window and label none, but negatives
/// still keep away from them.
public struct PeakFilter: Sendable, Equatable {
    public var column: ScoreColumn = .score
    public var minScore: Double?
    public var top: Int?

    public init(column: ScoreColumn = .score, minScore: Double? = nil, top: Int? = nil) {
        self.column = column
        self.minScore = minScore
        self.top = top
    }

    /// True when the filter drops anything at all.
    public var isActive: Bool { minScore != nil || top != nil }
}

/// How windows are given to the train, validation and test splits.
public enum SplitMethod: String, Sendable, CaseIterable {
    /// Whole contigs (chosen, or `validChroms`/`testChroms`).
    case chrom
    /// Contiguous blocks of `blockSize` bp (chosen with the seed), or the regions of
    /// `validRegions`/`testRegions`; windows across the border of two splits are dropped.
    case region
}

/// How `crick dataset` builds a dataset.
public struct DatasetOptions: Sendable {
    /// The tasks (one peak file each).
    public var tasks: [TaskSource] = []
    /// Window length in bp.
    public var length = 1000
    /// Where windows are centred on peaks.
    public var center: Interval.Center = .summit
    /// A window is positive for a task when one of its summits lies in the central `labelCore` bp.
    public var labelCore = 200
    /// Negative kinds, in the order they are drawn.
    public var negatives: [WindowKind] = [.background]
    /// Negatives per positive, over all kinds.
    public var negativeRatio = 1.0
    /// Negatives keep this distance (bp) from every peak.
    public var margin = 0
    /// Most N in a window (positive, background or flank): a fraction of the length below
    /// 1, else bases (`NLimit`); it replaces `policy.maxN`.
    public var maxN = 0.1
    /// GC bins for matching background to positives.
    public var gcBins = 20
    /// Shift of flank windows (bp); nil means the window length.
    public var flankDistance: Int?
    /// BED files of regions no window may touch (blacklists).
    public var exclude: [String] = []
    /// Contigs to use; nil means all.
    public var chroms: [String]?
    /// Contigs of the validation and test splits; both nil means the default choice.
    public var validChroms: [String]?
    public var testChroms: [String]?
    /// How to split (nil: by contig when at least 3 contigs hold windows, else by region
    /// blocks, said on stderr).
    public var splitBy: SplitMethod?
    /// Block length of region splits (nil: 1 Mb, or a tenth of the genome when that is
    /// smaller; never below the window length).
    public var blockSize: Int?
    /// BED files of the validation and test regions (region splits).
    public var validRegions: String?
    public var testRegions: String?
    /// Which peaks become positives.
    public var peakFilter = PeakFilter()
    /// Extra bases stored on each side of every window, for training-time shifts.
    public var jitter = 0
    /// Regression targets from signal tracks (nil: labels only).
    public var signal: SignalOptions?
    /// Without peaks: bases between the starts of the tiling's windows (nil: the length).
    public var tileStride: Int?
    /// Seed of every random choice.
    public var seed: UInt64 = 1
    /// Worker threads.
    public var threads = 1
    /// Peaks on absent contigs, past or too close to a contig end, or N-rich are skipped and
    /// counted (errors with `policy.strict`); contig names go through `policy.aliases`.
    /// Its `maxN` is replaced by `maxN`.
    public var policy = RegionPolicy()
    /// Peaks that would be skipped are errors instead.
    public var strict: Bool {
        get { policy.strict }
        set { policy.strict = newValue }
    }
    /// Format of the peak files.
    public var inputFormat: IntervalFormat = .auto
    /// Replace crick's files in an earlier dataset directory (`--force`); other files stay.
    public var force = false

    public init() {}
}
