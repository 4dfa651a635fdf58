import Genome

/// Region splits (`crick dataset --split-by region`): windows go to train, validation and
/// test by where they lie, so that overlapping windows never land in different splits.
struct RegionSplitter {
    let fasta: FastaFile
    let aliases: ContigAliases
    let windowLength: Int
    /// Bases stored beside every window (`--jitter`): training may read them, so they count
    /// as part of the window here.
    var jitter = 0

    /// A block: its contig and its index along the contig.
    private struct Block: Hashable, Comparable {
        var contig: Int32
        var index: Int
        static func < (a: Block, b: Block) -> Bool { (a.contig, a.index) < (b.contig, b.index) }
    }

    /// The default block length: 1 Mb, or a tenth of the genome when that is smaller, but at
    /// least the window length.
    static func defaultBlockSize(genome: Int, window: Int) -> Int {
        max(window, min(1_000_000, (genome + 9) / 10))
    }

    /// Contiguous blocks of `blockSize` bp along every contig, taken in a seeded order, each
    /// given to test, then validation, while that brings the split closer to a tenth of the
    /// windows (the rest train). A window is in the split of its blocks; one that crosses from
    /// a block of one split into a block of another is dropped.
    func blocks(_ windows: inout [DatasetWindow], blockSize: Int, seed: UInt64) -> DatasetInfo.Splits {
        let L = windowLength, J = jitter
        var perBlock: [Block: Int] = [:]
        for w in windows { perBlock[Block(contig: w.contig, index: w.start / blockSize), default: 0] += 1 }
        var order = perBlock.keys.sorted()
        var rng = SeededRandom(seed: seed, stream: 2)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
        let goal = Double(windows.count) / 10
        var sizes = [0, 0, 0]
        var code: [Block: UInt8] = [:]
        for b in order {
            let n = perBlock[b] ?? 0
            for split in [2, 1] where sizes[split] < Int(goal) {
                if abs(Double(sizes[split] + n) - goal) < abs(Double(sizes[split]) - goal) {
                    code[b] = UInt8(split)
                    sizes[split] += n
                    break
                }
            }
        }
        var dropped = 0
        windows = windows.compactMap { w in
            var w = w
            // The stored span (the window and its jitter flanks) must lie in blocks of one split.
            let blocks = (max(0, w.start - J) / blockSize)...((w.start + L + J - 1) / blockSize)
            let first = code[Block(contig: w.contig, index: blocks.lowerBound)] ?? 0
            guard blocks.allSatisfy({ (code[Block(contig: w.contig, index: $0)] ?? 0) == first }) else { dropped += 1; return nil }
            w.split = first
            return w
        }
        var valid = GenomeMask(contigCount: fasta.contigs.count), test = GenomeMask(contigCount: fasta.contigs.count)
        for (b, split) in code where split != 0 {
            let c = Int(b.contig), start = b.index * blockSize
            let end = min(start + blockSize, fasta.contigs[c].length)
            if split == 1 { valid.add(contig: c, start: start, end: end) } else { test.add(contig: c, start: start, end: end) }
        }
        valid.finish()
        test.finish()
        let names = fasta.contigs.map(\.name)
        return DatasetInfo.Splits(method: "region", validChroms: [], testChroms: [], blockSize: blockSize,
                                  validRegions: valid.names(names), testRegions: test.names(names), droppedAcrossSplits: dropped)
    }

    /// Reads a BED of split regions; their contigs must be in the FASTA (through the aliases).
    func readRegions(_ path: String) throws -> GenomeMask {
        try GenomeMask(bed: path, fasta: fasta, aliases: aliases, strict: true)
    }

    /// The given validation and test regions: a window inside a validation region is
    /// validation, inside a test region test, touching neither train; a window that only
    /// partly overlaps one is dropped. The two files may not overlap.
    func named(_ windows: inout [DatasetWindow], validPath: String?, testPath: String?) throws -> DatasetInfo.Splits {
        let empty = GenomeMask(contigCount: fasta.contigs.count)
        let valid = try validPath.map(readRegions) ?? empty
        let test = try testPath.map(readRegions) ?? empty
        let names = fasta.contigs.map(\.name)
        if let o = valid.firstOverlap(with: test) {
            throw DatasetError.invalid("--valid-regions and --test-regions overlap (in \(names[o.contig]):\(o.start)-\(o.end))")
        }
        let L = windowLength, J = jitter
        var dropped = 0
        windows = windows.compactMap { w in
            var w = w
            let c = Int(w.contig), s = max(0, w.start - J), e = w.start + L + J
            if valid.contains(contig: c, start: s, end: e) {
                w.split = 1
            } else if test.contains(contig: c, start: s, end: e) {
                w.split = 2
            } else if valid.overlaps(contig: c, start: s, end: e) || test.overlaps(contig: c, start: s, end: e) {
                dropped += 1
                return nil
            } else {
                w.split = 0
            }
            return w
        }
        return DatasetInfo.Splits(method: "region", validChroms: [], testChroms: [], validRegions: valid.names(names),
                                  testRegions: test.names(names), droppedAcrossSplits: dropped)
    }
}
