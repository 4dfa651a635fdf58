/// The `#crick-shard K/N genome=DIGEST` line a sharded scan writes at the top of its bedGraph.
public struct ShardHeader: Sendable, Equatable {
    public let part: Int
    public let parts: Int
    public let genomeDigest: String

    public init(part: Int, parts: Int, genomeDigest: String) {
        self.part = part
        self.parts = parts
        self.genomeDigest = genomeDigest
    }

    /// The comment text (without `#`).
    public var comment: String { "crick-shard \(part)/\(parts) genome=\(genomeDigest)" }

    /// Parses a comment (without `#`); nil when it is not a shard line.
    public static func parse(_ comment: String) -> ShardHeader? {
        let words = comment.split(separator: " ")
        guard words.count == 3, words[0] == "crick-shard", words[2].hasPrefix("genome=") else { return nil }
        let kn = words[1].split(separator: "/")
        guard kn.count == 2, let k = Int(kn[0]), let n = Int(kn[1]), k >= 1, k <= n else { return nil }
        return ShardHeader(part: k, parts: n, genomeDigest: String(words[2].dropFirst(7)))
    }
}

/// Joins track files into one.
///
/// Shards of one `crick scan --shard K/N` run (bedGraph with their shard line) must all be
/// there, once each, from the same genome; they are streamed in part order. Other inputs
/// (bedGraph or bigWig without shard lines) are read whole, sorted, and must not overlap.
public enum TrackMerge {
    public static func merge(_ inputs: [String], genome: TrackGenome, into writer: TrackWriter) throws {
        guard !inputs.isEmpty else { throw TrackError.mismatch(detail: "no tracks to merge") }
        var shards: [(header: ShardHeader?, path: String)] = []
        for path in inputs {
            if TrackFormat.fromName(path) == .bigwig {
                shards.append((nil, path))
            } else {
                let r = try BedGraphReader(path: path)
                shards.append((r.comments.lazy.compactMap(ShardHeader.parse).first, path))
            }
        }
        let withHeader = shards.filter { $0.header != nil }.count
        if withHeader == 0 {
            try mergeUnordered(inputs, genome: genome, into: writer)
            return
        }
        guard withHeader == shards.count else {
            let plain = shards.filter { $0.header == nil }.map(\.path)
            throw TrackError.mismatch(detail: "some inputs are scan shards and some are not (no shard line: \(plain.joined(separator: ", ")))")
        }
        let parts = shards[0].header?.parts ?? 0
        var byPart: [Int: String] = [:]
        for (header, path) in shards {
            guard let header else { continue }
            guard header.parts == parts else {
                throw TrackError.mismatch(detail: "shards of different runs: \(path) is part \(header.part)/\(header.parts), not of \(parts)")
            }
            guard header.genomeDigest == genome.digest else {
                throw TrackError.mismatch(detail: "shard was scanned on another genome (digest \(header.genomeDigest), this genome \(genome.digest)): \(path)")
            }
            if let other = byPart[header.part] {
                throw TrackError.mismatch(detail: "shard \(header.part)/\(parts) given twice: \(other) and \(path)")
            }
            byPart[header.part] = path
        }
        let missing = (1...parts).filter { byPart[$0] == nil }
        guard missing.isEmpty else {
            throw TrackError.mismatch(detail: "missing shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(parts)" }.joined(separator: ", ")) of \(parts)")
        }
        for k in 1...parts {
            guard let path = byPart[k] else { continue }
            let r = try BedGraphReader(path: path)
            while let i = try r.next() {
                do {
                    try writer.add(i.chrom, i.start, i.end, i.value)
                } catch let TrackError.invalidInterval(_, detail) {
                    throw TrackError.invalidInterval(path: path, detail: "shard \(k)/\(parts): \(detail)")
                }
            }
        }
    }

    /// The `track` line of the first bedGraph input, if any.
    public static func trackLine(_ inputs: [String]) throws -> String? {
        guard let first = inputs.first, TrackFormat.fromName(first) == .bedgraph else { return nil }
        return try BedGraphReader(path: first).trackLine
    }

    private static func mergeUnordered(_ inputs: [String], genome: TrackGenome, into writer: TrackWriter) throws {
        var all: [(interval: TrackInterval, source: Int)] = []
        for (s, path) in inputs.enumerated() {
            let list: [TrackInterval]
            if TrackFormat.fromName(path) == .bigwig {
                list = try BigWigReader(path: path).allIntervals()
            } else {
                list = try BedGraphReader(path: path).readAll()
            }
            for i in list {
                guard genome.rank(of: i.chrom) != nil else {
                    throw TrackError.invalidInterval(path: path, detail: "chromosome not in the genome (\(i.chrom))")
                }
                all.append((i, s))
            }
        }
        all.sort { a, b in
            let ra = genome.rank(of: a.interval.chrom) ?? 0, rb = genome.rank(of: b.interval.chrom) ?? 0
            return (ra, a.interval.start, a.source) < (rb, b.interval.start, b.source)
        }
        for (n, item) in all.enumerated() {
            if n > 0 {
                let prev = all[n - 1]
                if prev.interval.chrom == item.interval.chrom && prev.interval.end > item.interval.start {
                    throw TrackError.mismatch(detail: "tracks overlap at \(item.interval.chrom):\(item.interval.start + 1)-\(prev.interval.end): \(inputs[prev.source]) and \(inputs[item.source])")
                }
            }
            do {
                try writer.add(item.interval.chrom, item.interval.start, item.interval.end, item.interval.value)
            } catch let TrackError.invalidInterval(_, detail) {
                throw TrackError.invalidInterval(path: inputs[item.source], detail: detail)
            }
        }
    }
}
