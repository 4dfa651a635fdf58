import Foundation
import Genome

/// What `crick inspect` reports about a dataset directory.
public struct DatasetSummary: Sendable {
    /// The dataset's description.
    public let info: DatasetInfo
    /// Windows per split (train, valid, test).
    public var splitCounts = [0, 0, 0]
    /// Positives per task and split: `positives[t][split]`.
    public var positives: [[Int]]
    /// Windows with no positive label, per split.
    public var unlabelled = [0, 0, 0]
    /// `cooccurrence[i][j]`: windows positive for both task i and task j.
    public var cooccurrence: [[Int]]
    /// GC histograms (10 bins over [0, 1]) per window kind.
    public var gcHistogram: [String: [Int]] = [:]
    /// Mean GC per window kind.
    public var meanGC: [String: Double] = [:]
    /// Windows holding any N, and holding more than 10% N.
    public var windowsWithN = 0
    public var windowsOverTenPercentN = 0
    /// Mean fraction of N over all bases.
    public var meanN = 0.0
    /// Windows that share a base with a window of another split (0 unless the split leaks).
    public var crossSplitOverlaps = 0

    /// Reads and checks the dataset in `directory`.
    public init(directory: String) throws {
        let arrays = try DatasetArrays(directory: directory)
        info = arrays.info
        let (seqs, labels, split) = (arrays.sequences, arrays.labels, arrays.split)
        let n = seqs.shape[0], L = info.storedLength, T = info.tasks.count
        let rows = try DatasetSummary.rows(directory + "/regions.bed", count: n)
        let kinds = rows.map(\.kind)

        positives = Array(repeating: [0, 0, 0], count: T)
        cooccurrence = Array(repeating: Array(repeating: 0, count: T), count: T)
        let lab = labels.data.bindMemory(to: UInt8.self)
        let spl = split.data.bindMemory(to: UInt8.self)
        var gcSum: [String: Double] = [:], kindCount: [String: Int] = [:]
        var nTotal = 0
        for i in 0..<n {
            let s = Int(spl[i])
            guard s <= 2 else { throw DatasetError.invalid("inconsistent dataset (split code \(s) at row \(i)): \(directory)") }
            splitCounts[s] += 1
            var any = false
            for t in 0..<T where lab[i * T + t] != 0 {
                any = true
                positives[t][s] += 1
                for u in 0..<T where lab[i * T + u] != 0 { cooccurrence[t][u] += 1 }
            }
            if !any { unlabelled[s] += 1 }
            let comp = Composition(codes: seqs.row(i))
            let kind = kinds[i]
            gcHistogram[kind, default: Array(repeating: 0, count: 10)][min(Int(comp.gc * 10), 9)] += 1
            gcSum[kind, default: 0] += comp.gc
            kindCount[kind, default: 0] += 1
            let ns = Int((comp.n * Double(L)).rounded())
            nTotal += ns
            if ns > 0 { windowsWithN += 1 }
            if comp.n > 0.1 { windowsOverTenPercentN += 1 }
        }
        for (k, c) in kindCount { meanGC[k] = gcSum[k, default: 0] / Double(c) }
        meanN = n > 0 && L > 0 ? Double(nTotal) / Double(n * L) : 0
        // With jitter, training reads the flanks too: they count as part of each window.
        let J = info.jitter ?? 0
        let spans = rows.map { Row(chrom: $0.chrom, start: max(0, $0.start - J), end: $0.end + J, kind: $0.kind) }
        crossSplitOverlaps = DatasetSummary.countCrossSplitOverlaps(spans, split: (0..<n).map { spl[$0] })
    }

    /// One line of regions.bed: contig, start, end and window kind (column 4).
    struct Row {
        var chrom: Substring
        var start: Int
        var end: Int
        var kind: String
    }

    /// The rows of regions.bed (one per dataset row).
    private static func rows(_ path: String, count: Int) throws -> [Row] {
        let reader = try TextLineReader(path: path)
        var out: [Row] = []
        out.reserveCapacity(count)
        while let line = try reader.nextLine() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 3, let start = Int(f[1]), let end = Int(f[2]), start <= end else {
                throw DatasetError.invalid("inconsistent dataset (regions.bed line \(reader.lineNumber) is not chrom, start, end, ...): \(path)")
            }
            out.append(Row(chrom: f[0], start: start, end: end, kind: f.count > 3 ? String(f[3]) : "window"))
        }
        guard out.count == count else {
            throw DatasetError.invalid("inconsistent dataset (regions.bed has \(out.count) lines, sequences.npy \(count) rows): \(path)")
        }
        return out
    }

    /// Windows sharing a base with a window of another split: two sweeps per contig in start
    /// order, one keeping the furthest end so far in each split (windows before), one the
    /// nearest start still to come (windows after).
    static func countCrossSplitOverlaps(_ rows: [Row], split: [UInt8]) -> Int {
        let order = rows.indices.sorted { (rows[$0].chrom, rows[$0].start) < (rows[$1].chrom, rows[$1].start) }
        var leaking = [Bool](repeating: false, count: rows.count)
        var furthest = [Int](repeating: Int.min, count: 3)
        var chrom: Substring?
        for i in order {
            let r = rows[i], s = Int(min(split[i], 2))
            if r.chrom != chrom { furthest = [Int.min, Int.min, Int.min]; chrom = r.chrom }
            if (0..<3).contains(where: { $0 != s && furthest[$0] > r.start }) { leaking[i] = true }
            furthest[s] = max(furthest[s], r.end)
        }
        var nearest = [Int](repeating: Int.max, count: 3)
        chrom = nil
        for i in order.reversed() {
            let r = rows[i], s = Int(min(split[i], 2))
            if r.chrom != chrom { nearest = [Int.max, Int.max, Int.max]; chrom = r.chrom }
            if (0..<3).contains(where: { $0 != s && nearest[$0] < r.end }) { leaking[i] = true }
            nearest[s] = min(nearest[s], r.start)
        }
        return leaking.filter { $0 }.count
    }

    /// The report as text.
    public var text: String {
        var s = "dataset: \(info.counts.windows) windows of \(info.length) bp, \(info.tasks.count) task\(info.tasks.count == 1 ? "" : "s"), seed \(info.seed)\n"
        let sp = info.splits
        if sp.method == "chromosome" {
            s += "splits by chromosome: valid \(sp.validChroms.joined(separator: ",")), test \(sp.testChroms.joined(separator: ","))\n"
        } else if sp.method == "region" {
            let regions = { (list: [String]?) in list.map { $0.count <= 6 ? $0.joined(separator: ",") : $0.prefix(6).joined(separator: ",") + ", ... (\($0.count))" } ?? "" }
            s += "splits by region" + (sp.blockSize.map { " (blocks of \($0) bp)" } ?? "") + ": valid \(regions(sp.validRegions)), test \(regions(sp.testRegions))"
            s += sp.droppedAcrossSplits.map { "; \($0) windows dropped across splits" } ?? ""
            s += "\n"
        } else {
            s += "splits: \(sp.method)\n"
        }
        s += "windows overlapping a window of another split: \(crossSplitOverlaps)\(crossSplitOverlaps > 0 ? " (the splits leak)" : "")\n\n"
        let names = ["train", "valid", "test"]
        s += pad("split", 8) + pad("windows", 10) + info.tasks.map { pad($0, 12) }.joined() + pad("unlabelled", 10) + "\n"
        for sp in 0..<3 {
            s += pad(names[sp], 8) + pad("\(splitCounts[sp])", 10)
            s += positives.map { pad("\($0[sp])", 12) }.joined() + pad("\(unlabelled[sp])", 10) + "\n"
        }
        if info.tasks.count > 1 {
            s += "\nlabel co-occurrence (windows positive for both):\n" + pad("", 12) + info.tasks.map { pad($0, 12) }.joined() + "\n"
            for (t, row) in cooccurrence.enumerated() { s += pad(info.tasks[t], 12) + row.map { pad("\($0)", 12) }.joined() + "\n" }
        }
        s += "\nGC content by window kind (share of windows per GC decile):\n"
        s += pad("kind", 12) + pad("mean GC", 9) + (0..<10).map { pad(String(format: "%.1f-", Double($0) / 10), 7) }.joined() + "\n"
        let known = ["positive", "background", "flank", "shuffle"]
        for kind in known.filter({ gcHistogram[$0] != nil }) + gcHistogram.keys.filter({ !known.contains($0) }).sorted() {
            let h = gcHistogram[kind] ?? []
            let total = max(h.reduce(0, +), 1)
            s += pad(kind, 12) + pad(String(format: "%.3f", meanGC[kind] ?? 0), 9) + h.map { pad(String(format: "%.3f", Double($0) / Double(total)), 7) }.joined() + "\n"
        }
        s += String(format: "\nN content: mean %.5f of bases; %d windows hold any N, %d hold more than 10%%\n", meanN, windowsWithN, windowsOverTenPercentN)
        if !info.shortfall.isEmpty {
            s += "shortfall: " + info.shortfall.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        return s
    }

    private func pad(_ s: String, _ w: Int) -> String {
        s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count)
    }
}
