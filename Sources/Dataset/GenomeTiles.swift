import Foundation
import Genome
import Pipeline

extension DatasetBuilder {
    /// The windows of a dataset of signal without peaks: every `--stride` bases along each
    /// usable contig (from its start, while the window fits), leaving out windows that touch an
    /// --exclude region or hold more N than --max-n (counted in `skipped["tiles"]`).
    func planTiles() throws -> [DatasetWindow] {
        let L = options.length, step = options.tileStride ?? L
        var total = 0
        for (c, contig) in fasta.contigs.enumerated() where usable[c] && contig.length >= L {
            guard let sum = CheckedSize.sum(total, (contig.length - L) / step + 1) else {
                throw DatasetError.invalid("tiling the genome every \(step) bp: the window count overflows")
            }
            total = sum
        }
        guard total > 0 else {
            throw DatasetError.invalid("no window of \(L) bp fits in the contigs to tile (\(options.chroms.map { "--chroms " + $0.joined(separator: ",") } ?? fasta.path))")
        }
        // Every window is planned in memory (and its sequence written) before the next step.
        let bytes = CheckedSize.product(total, MemoryLayout<DatasetWindow>.stride + 16)
        if let why = MemoryBudget.refusal("tiling the genome every \(step) bp (\(total) windows)", bytes: bytes) {
            throw DatasetError.invalid(why + "; raise --stride or give --chroms")
        }
        var candidates: [(Int32, Int)] = []
        candidates.reserveCapacity(total)
        var skip = DatasetInfo.Skipped()
        for (c, contig) in fasta.contigs.enumerated() where usable[c] && contig.length >= L {
            for start in Swift.stride(from: 0, through: contig.length - L, by: step) {
                if excludeMask.overlaps(contig: c, start: start, end: start + L) { skip.excluded += 1; continue }
                candidates.append((Int32(c), start))
            }
        }
        let comps = try composition(of: candidates)
        var out: [DatasetWindow] = []
        out.reserveCapacity(candidates.count)
        let names = fasta.contigs.map(\.name)
        for (i, (c, start)) in candidates.enumerated() {
            // --strict: an error, as for peaks.
            let n = Int((comps[i].n * Double(L)).rounded())
            if try policy.tooManyN(n, window: Interval(chrom: names[Int(c)], start: start, end: start + L), origin: "the tiling of \(fasta.path)") {
                skip.tooManyN += 1
                continue
            }
            out.append(DatasetWindow(contig: c, start: start, kind: .tile))
        }
        skipped["tiles"] = skip
        guard !out.isEmpty else {
            throw DatasetError.invalid("every \(L) bp window of the tiling holds more N than --max-n or touches an --exclude region")
        }
        if skip.tooManyN > 0 { notes.append("tiling: \(skip.tooManyN) of \(total) windows hold more N than --max-n (left out)") }
        return out
    }
}
