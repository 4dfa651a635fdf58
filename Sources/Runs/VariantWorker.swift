import Foundation
import Dataset
import Genome
import NeuralNet

/// One worker thread's state for variant scoring: a FASTA reader and, per model, a mutation
/// workspace holding the reference window's cached activations.
final class VariantWorker {
    private let ensemble: VariantEnsemble
    private let reader: FastaReader
    private let workspaces: [MutationWorkspace]
    private let shuffles: Int
    private let seed: UInt64

    init(ensemble: VariantEnsemble, fasta: FastaFile, shuffles: Int, seed: UInt64) throws {
        self.ensemble = ensemble
        reader = try fasta.makeReader()
        workspaces = ensemble.models.map { $0.makeWorkspace() }
        self.shuffles = shuffles
        self.seed = seed
    }

    /// Scores a batch of records. The reference windows of records close together on a contig
    /// (overlapping windows, within `IncrementalScorer.spanLimit` bases) share one pass of the
    /// models' leading convolutions along the stretch they cover (`MutationWorkspace.prepare(span:)`);
    /// the scores equal those of windows scored one by one.
    func score(batch: [VariantItem]) throws -> [ScoredRecord] {
        let l = ensemble.length
        guard ensemble.models.allSatisfy(\.sharesSpans), let limit = ensemble.models.map(\.spanLimit).min() else {
            return try batch.map { try score($0) }
        }
        // The scorable records with their reference windows' starts, by contig and start.
        var located: [(index: Int, contig: Int, start: Int)] = []
        for (i, item) in batch.enumerated() {
            if let contig = item.contig, let first = item.split.lazy.compactMap(\.allele).first {
                located.append((i, contig, VariantWindowLayout(first, length: l).refStart))
            }
        }
        located.sort { ($0.contig, $0.start, $0.index) < ($1.contig, $1.start, $1.index) }
        // Records scored from a shared span, by batch index; the rest are scored on their own.
        var results: [Int: ScoredRecord] = [:]
        var k = 0
        while k < located.count {
            let first = located[k]
            var end = k + 1, spanEnd = first.start + l
            while end < located.count, located[end].contig == first.contig, located[end].start < spanEnd,
                  located[end].start + l - first.start <= limit {
                spanEnd = max(spanEnd, located[end].start + l)
                end += 1
            }
            if end - k > 1 {
                var codes: [UInt8] = []
                codes.reserveCapacity(spanEnd - first.start)
                try reader.appendWindowCodes(to: &codes, contigIndex: first.contig, start: first.start, length: spanEnd - first.start)
                for w in workspaces { try w.prepare(span: codes) }
                for j in k..<end {
                    results[located[j].index] = try score(batch[located[j].index], span: (codes, located[j].start - first.start))
                }
            }
            k = end
        }
        return try batch.indices.map { try results[$0] ?? score(batch[$0]) }
    }

    /// Scores the alleles of one record (all of them share its reference window), its
    /// reference taken from the prepared `span` (its codes and the window's offset) when given
    /// and equal to the window read.
    func score(_ item: VariantItem, span: (codes: [UInt8], offset: Int)? = nil) throws -> ScoredRecord {
        guard let contig = item.contig else {
            return ScoredRecord(item: item, alleles: item.split.map { _ in nil }, padded: 0)
        }
        let l = ensemble.length
        let alleles = item.split.compactMap(\.allele)
        guard !alleles.isEmpty else { return ScoredRecord(item: item, alleles: item.split.map { _ in nil }, padded: 0) }
        // (L) reference codes, and per allele its alternative window.
        var refCodes: [UInt8] = []
        var alternatives: [AlternativeWindow] = []
        var padded = 0
        for allele in alleles {
            var ref: [UInt8] = [], alt: [UInt8] = []
            ref.reserveCapacity(l)
            alt.reserveCapacity(l)
            let pad = try reader.appendVariantWindows(allele, contigIndex: contig, length: l, ref: &ref, alt: &alt)
            if pad.any { padded += 1 }
            if refCodes.isEmpty { refCodes = ref }
            alternatives.append(VariantWorker.alternative(allele, ref: ref, alt: alt))
        }
        // logits[m]: reference (T) and alternatives (A, T) of model m.
        var refLogits: [[Float]] = [], altLogits: [[Float]] = []
        let spanOffset = span.flatMap { s in VariantWorker.same(s.codes, at: s.offset, refCodes) ? s.offset : nil }
        for w in workspaces {
            let r = try spanOffset.map { try w.prepare(spanOffset: $0) } ?? w.prepare(reference: refCodes)
            refLogits.append(r)
            altLogits.append(try w.score(alternatives: alternatives))
        }
        let t = ensemble.models.first?.outputs ?? 0
        var pValues: [[Double]]?
        if shuffles > 0 {
            pValues = try alleles.enumerated().map { k, allele in
                try pValue(allele, contig: contig, observed: ensemble.selected.map { task in
                    meanOver(altLogits.map { $0[k * t + task] }) - meanOver(refLogits.map { $0[task] })
                })
            }
        }
        var out: [AlleleLogits?] = []
        var k = 0
        for s in item.split {
            guard s.allele != nil else { out.append(nil); continue }
            out.append(AlleleLogits(ref: refLogits, alt: altLogits.map { Array($0[(k * t)..<((k + 1) * t)]) }, pValues: pValues?[k]))
            k += 1
        }
        return ScoredRecord(item: item, alleles: out, padded: padded)
    }

    /// True when `codes[offset..<offset + window.count]` equals `window` (compared as bytes).
    static func same(_ codes: [UInt8], at offset: Int, _ window: [UInt8]) -> Bool {
        guard offset >= 0, window.count <= codes.count - offset else { return false }
        return codes.withUnsafeBufferPointer { c in
            window.withUnsafeBufferPointer { w in
                guard let cb = c.baseAddress, let wb = w.baseAddress else { return window.isEmpty }
                return memcmp(cb + offset, wb, window.count) == 0
            }
        }
    }

    /// An SNV's or MNP's alternative as substitutions of the reference window (the positions
    /// where the two windows differ), anything else as its whole window.
    static func alternative(_ allele: VariantAllele, ref: [UInt8], alt: [UInt8]) -> AlternativeWindow {
        guard allele.kind == .snv || allele.kind == .mnp else { return .window(alt) }
        var subs: [Substitution] = []
        for i in ref.indices where ref[i] != alt[i] { subs.append(Substitution(position: i, base: alt[i])) }
        return .substitutions(subs)
    }

    /// The empirical p-value of each selected task's effect (alternative minus reference
    /// logit, averaged over the models): (1 + #{|null| >= |observed|}) / (N + 1), the null
    /// effects from N pairs of windows whose flanks are dinucleotide-shuffled (seeded by the
    /// seed, the record number and the ALT index, so any thread or shard gives the same value).
    private func pValue(_ allele: VariantAllele, contig: Int, observed: [Double]) throws -> [Double] {
        let l = ensemble.length, t = ensemble.models.first?.outputs ?? 0
        let refLength = allele.ref.utf8.count, d = abs(allele.alt.utf8.count - refLength)
        let centre = l / 2, extra = d + 1
        // The genome around the allele: [left flank][REF][right flank], flanks long enough for
        // either window, each shuffled on its own.
        let leftStart = allele.pos - centre - extra, rightStart = allele.pos + refLength
        var left: [UInt8] = [], right: [UInt8] = [], refBases: [UInt8] = []
        try reader.appendWindowCodes(to: &left, contigIndex: contig, start: leftStart, length: centre + extra)
        try reader.appendWindowCodes(to: &refBases, contigIndex: contig, start: allele.pos, length: refLength)
        try reader.appendWindowCodes(to: &right, contigIndex: contig, start: rightStart, length: l + extra)
        var rng = SeededRandom(seed: seed, stream: UInt64(allele.record) << 20 | UInt64(min(allele.altIndex, 1 << 20 - 1)))
        var refWindows: [[UInt8]] = [], alternatives: [AlternativeWindow] = []
        for _ in 0..<shuffles {
            let context = DinucleotideShuffle.shuffle(left, rng: &rng) + refBases + DinucleotideShuffle.shuffle(right, rng: &rng)
            let local = VariantAllele(record: allele.record, altIndex: allele.altIndex, chrom: allele.chrom, pos: centre + extra,
                                      ref: allele.ref, alt: allele.alt, kind: allele.kind)
            var ref: [UInt8] = [], alt: [UInt8] = []
            _ = VariantWindows.append(local, length: l, ref: &ref, alt: &alt) { codes, start, count in
                for i in start..<(start + count) { codes.append(i >= 0 && i < context.count ? context[i] : 4) }
                return false
            }
            refWindows.append(ref)
            alternatives.append(VariantWorker.alternative(local, ref: ref, alt: alt))
        }
        var exceed = [Int](repeating: 0, count: observed.count)
        for s in 0..<shuffles {
            var refSum = [Double](repeating: 0, count: t), altSum = refSum
            for w in workspaces {
                let (r, a) = try w.score(reference: refWindows[s], alternatives: [alternatives[s]])
                for j in 0..<t {
                    refSum[j] += Double(r[j])
                    altSum[j] += Double(a[j])
                }
            }
            for (k, task) in ensemble.selected.enumerated() {
                let null = (altSum[task] - refSum[task]) / Double(workspaces.count)
                if abs(null) >= abs(observed[k]) { exceed[k] += 1 }
            }
        }
        return exceed.map { Double(1 + $0) / Double(shuffles + 1) }
    }

    private func meanOver(_ values: [Float]) -> Double {
        values.isEmpty ? 0 : values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
    }
}
