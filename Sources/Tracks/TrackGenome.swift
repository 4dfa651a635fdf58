/// The chromosomes a track may use, with their lengths, in track order: byte order of the
/// names (`LC_ALL=C sort`), the order bedGraph-to-bigWig tools expect.
public struct TrackGenome: Sendable, Equatable {
    /// Names in byte order.
    public let names: [String]
    /// Lengths, parallel to `names`.
    public let lengths: [Int]
    private let index: [String: Int]

    /// Sorts `chromosomes` into byte order. Duplicate names keep their first length.
    public init(_ chromosomes: [(name: String, length: Int)]) {
        var seen = Set<String>()
        let unique = chromosomes.filter { seen.insert($0.name).inserted }
        let sorted = unique.sorted { TrackGenome.precedes($0.name, $1.name) }
        names = sorted.map(\.name)
        lengths = sorted.map(\.length)
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() { index[n] = i }
        self.index = index
    }

    /// The position of `name` in track order, or nil.
    public func rank(of name: String) -> Int? { index[name] }

    /// The length of `name`, or nil.
    public func length(of name: String) -> Int? { index[name].map { lengths[$0] } }

    /// Byte-order comparison of two names (as `LC_ALL=C sort`).
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// A short digest of the names and lengths (FNV-1a, hex), to tell genomes apart.
    public var digest: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        for (n, l) in zip(names, lengths) {
            for b in n.utf8 { mix(b) }
            mix(0)
            for b in String(l).utf8 { mix(b) }
            mix(0x0a)
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Enforces what a valid track needs, interval by interval: known chromosomes in byte order,
/// each chromosome in one run, intervals non-empty, inside the chromosome, sorted and not
/// overlapping. libBigWig checks none of this.
public struct TrackOrderCheck: Sendable {
    public let genome: TrackGenome
    private let path: String
    private var current: Int?
    private var currentName: String?
    private var lastEnd = 0

    public init(genome: TrackGenome, path: String) {
        self.genome = genome
        self.path = path
    }

    /// Checks one interval; returns the rank of its chromosome.
    @discardableResult
    public mutating func check(_ chrom: String, _ start: Int, _ end: Int) throws -> Int {
        func fail(_ what: String) -> TrackError {
            .invalidInterval(path: path, detail: "\(what) (\(chrom)\t\(start)\t\(end))")
        }
        // The previous interval's chromosome is the usual case: no lookup for it.
        guard let rank = chrom == currentName ? current : genome.rank(of: chrom) else { throw fail("chromosome not in the genome") }
        guard start >= 0, end > start else { throw fail("empty or negative interval") }
        guard end <= genome.lengths[rank] else { throw fail("interval past the chromosome end \(genome.lengths[rank])") }
        if let current, current == rank {
            guard start >= lastEnd else { throw fail("interval overlaps or precedes the previous one ending at \(lastEnd)") }
        } else if let current, rank < current {
            throw fail("chromosome out of order (after \(genome.names[current]); tracks are sorted by name in byte order)")
        }
        if current != rank { currentName = chrom }
        current = rank
        lastEnd = end
        return rank
    }
}
