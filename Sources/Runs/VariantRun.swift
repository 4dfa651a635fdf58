import Dataset
import Foundation
import Genome
import NeuralNet
import Pipeline
import Scoring

/// `crick variants`: the effect of each ALT allele of a VCF, BCF or TSV on one or more models'
/// predictions, streamed in input order to a TSV or a VCF/BCF with INFO fields.
///
/// Each record is checked against the FASTA (`refMismatch`), split per ALT (symbolic and
/// missing alleles skipped and counted), and its reference and alternative windows are laid
/// out by `VariantWindowLayout` (centred on the first REF base; deletions fill from the right
/// flank, insertions trim both flanks). SNVs and MNPs are scored on the reference window's
/// cached activations (`IncrementalScorer`), indels by full forward passes. Several models are
/// combined by the mean of their logits.
public struct VariantRun {
    /// Records a worker scores together: sorted records of one batch share reference spans
    /// (`VariantWorker.score(batch:)`), so longer batches recompute less at span edges; the
    /// output does not depend on it.
    static let recordsPerBatch = 256

    /// What to score and how.
    public struct Options {
        /// VCF, BCF or TSV (`-`: stdin).
        public var input: String
        public var inputFormat: VariantInputFormat = .auto
        /// Only records overlapping this region string (through the input's index).
        public var region: String?
        public var fasta: String
        /// Model files or train run directories; several are averaged (logit mean).
        public var models: [String]
        /// Score only this task (nil: every task).
        public var task: String?
        /// Standard models: how the strands combine (nil: forward).
        public var strandMode: StrandCombination?
        /// The score columns, per task.
        public var scores: [VariantScoreKind] = VariantScoreKind.defaults
        /// Also write each model's scores.
        public var perModel = false
        public var refMismatch: RefMismatchPolicy = .skip
        /// Contig names of the input mapped to the FASTA's.
        public var chromAlias: String?
        /// Dinucleotide-shuffled flanks per allele for an empirical p-value (0: none).
        public var shuffles = 0
        public var seed: UInt64 = 1
        /// tsv, vcf, vcf.gz or bcf (nil: from the output name; `-` and other names: tsv).
        public var format: VariantOutputKind?
        public var output = "-"
        /// Part K of N (1-based) of the records, in contiguous blocks.
        public var shard: (part: Int, parts: Int)?
        public var threads = 1

        public init(input: String, fasta: String, models: [String]) {
            self.input = input
            self.fasta = fasta
            self.models = models
        }
    }

    /// What a run scored and skipped.
    public struct Result: Sendable {
        /// Records read (of this shard).
        public var records = 0
        /// Alleles scored.
        public var scored = 0
        /// Alleles kept by the split but not scored: REF mismatch (skip), past a contig end,
        /// contig absent from the FASTA.
        public var unscored = 0
        /// The split's counts (kinds kept, reasons skipped).
        public var alleles = AlleleTally()
        /// The REF check's counts and first examples.
        public var refCheck = RefCheckTally()
        /// Alleles whose reference or alternative window ran past a contig end (padded with N).
        public var padded = 0
        /// The files written.
        public var paths: [String] = []
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// Scores every allele and writes the output (all or nothing).
    public func run(reporter: RunReporter) throws -> Result {
        setBLASThreads(1)
        let fasta = try FastaFile(path: options.fasta)
        let aliases = try options.chromAlias.map { try ContigAliases(path: $0, fasta: fasta) } ?? ContigAliases()
        let ensemble = try VariantEnsemble(paths: options.models, task: options.task, strandMode: options.strandMode, reporter: reporter)
        let region = try options.region.map { try GenomicRegion.parse($0, isContig: { _ in true }) }
        let records = try shardRange()
        let reader = try VariantReader(path: options.input, format: options.inputFormat, region: region)
        let refCheck = try VariantRefCheck(fasta: fasta, policy: options.refMismatch, aliases: aliases)
        let columns = VariantColumns(scores: options.scores, tasks: ensemble.selectedNames, models: options.perModel ? ensemble.models.count : 0,
                                     pValues: options.shuffles > 0)
        let kind = options.format ?? VariantOutputKind.from(path: options.output)
        let sink = try VariantSink(kind: kind, path: options.output, columns: columns, selected: ensemble.selected, header: reader.header,
                                   contigs: fasta.contigs.map { VariantContig(name: $0.name, length: $0.length) })
        var result = Result()
        // Counted by the reading side only (the emitting side updates `result`).
        var tally = AlleleTally()
        let threads = max(1, options.threads)
        let workers = try (0..<threads).map { _ in try VariantWorker(ensemble: ensemble, fasta: fasta, shuffles: options.shuffles, seed: options.seed) }
        let progress = reporter.progress(label: "variants", unit: "records")
        do {
            try orderedParallelMap(threads: threads, next: { () throws -> [VariantItem]? in
                var batch: [VariantItem] = []
                while batch.count < VariantRun.recordsPerBatch, let record = try reader.next() {
                    if let records, !records.contains(record.ordinal - 1) {
                        if record.ordinal > records.upperBound { break }
                        continue
                    }
                    let split = record.splitAlleles()
                    tally.add(split)
                    var contig: Int?
                    if split.contains(where: { $0.allele != nil }) {
                        let outcome = try refCheck.check(record)
                        if refCheck.keeps(outcome) { contig = refCheck.contigIndex(of: record.chrom) }
                    }
                    batch.append(VariantItem(record: record, split: split, contig: contig))
                }
                return batch.isEmpty ? nil : batch
            }, transform: { batch, worker in
                try workers[worker].score(batch: batch)
            }, emit: { scored in
                for s in scored {
                    result.records += 1
                    result.scored += s.alleles.filter { $0 != nil }.count
                    result.unscored += s.item.contig == nil ? s.item.split.filter { $0.allele != nil }.count : 0
                    result.padded += s.padded
                    try sink.write(s)
                }
                progress.advance(by: scored.count)
            })
            progress.finish()
            let finished = try sink.finish()
            result.paths = finished.paths
            for w in finished.warnings { reporter.warning(w) }
        } catch {
            sink.abort()
            throw error
        }
        result.alleles = tally
        result.refCheck = refCheck.tally
        for w in refCheck.warnings() { reporter.warning(w) }
        if result.padded > 0 { reporter.warning("\(result.padded) allele\(result.padded == 1 ? "" : "s") had a window past a contig end, padded with N") }
        return result
    }

    /// The 0-based record numbers of the shard (nil: all). Counting needs a first pass over
    /// the input, so a shard of stdin is refused.
    private func shardRange() throws -> Range<Int>? {
        guard let (k, n) = options.shard else { return nil }
        guard options.input != "-" else { throw RunError.usage("--shard needs a file, not stdin: the records are counted first") }
        let region = try options.region.map { try GenomicRegion.parse($0, isContig: { _ in true }) }
        let counter = try VariantReader(path: options.input, format: options.inputFormat, region: region)
        var total = 0
        while try counter.next() != nil { total += 1 }
        let (lo, _) = (k - 1).multipliedReportingOverflow(by: total)
        let (hi, _) = k.multipliedReportingOverflow(by: total)
        return (lo / n)..<(hi / n)
    }
}

/// The models of a variant run, all of one input length and task list.
struct VariantEnsemble {
    let models: [IncrementalScorer]
    let taskNames: [String]
    let selected: [Int]
    let length: Int

    var selectedNames: [String] { selected.map { taskNames[$0] } }

    init(paths: [String], task: String?, strandMode: StrandCombination?, reporter: RunReporter) throws {
        guard let first = paths.first else { throw RunError.usage("give at least one --model") }
        var scorers: [IncrementalScorer] = []
        var names: [String] = []
        var length = 0
        for path in paths {
            let (m, contents) = try ModelFile.read(path)
            try refuseProfileModel(m.architecture, path: path)
            if m.architecture.target != .binary {
                throw RunError.usage("\(path) is a count model (--loss \(m.architecture.target.rawValue)): crick variants scores classifiers (probabilities and logits)")
            }
            let n = modelTaskNames(metadata: contents.metadata, outputs: m.architecture.outputs)
            if scorers.isEmpty {
                names = n
                length = m.architecture.inputLength
                if strandMode != nil && m.architecture.strand != .standard {
                    reporter.info("the model is \(m.architecture.strand.rawValue) (RC-invariant): --strand-mode does not apply")
                }
            } else {
                guard m.architecture.inputLength == length else {
                    throw ScoringError.invalid("the models differ in input length (\(length) in \(first), \(m.architecture.inputLength) in \(path)): an ensemble needs one window")
                }
                guard n == names else {
                    throw ScoringError.invalid("the models differ in tasks (\(names.joined(separator: ",")) in \(first), \(n.joined(separator: ",")) in \(path))")
                }
            }
            scorers.append(try IncrementalScorer(model: m, strands: strandMode))
        }
        models = scorers
        taskNames = names
        self.length = length
        if let task {
            guard let i = names.firstIndex(of: task) else { throw ScoringError.unknownTask(name: task, model: first, tasks: names) }
            selected = [i]
        } else {
            selected = Array(names.indices)
        }
    }
}

/// One record as read: its split and the FASTA contig its alleles are scored on (nil: none
/// scored: REF mismatch skipped, past a contig end, contig absent, or no allele).
struct VariantItem {
    let record: VariantRecord
    let split: [AlleleSplit]
    let contig: Int?
}

/// A record with its alleles' logits.
struct ScoredRecord {
    let item: VariantItem
    /// Per ALT (split order): nil when not scored, else the logits.
    let alleles: [AlleleLogits?]
    /// Alleles whose windows were padded with N.
    let padded: Int
}

/// The logits of one allele: the reference and alternative windows' per model (M, T), and the
/// empirical p-value per task when shuffles were asked for.
struct AlleleLogits {
    let ref: [[Float]]
    let alt: [[Float]]
    let pValues: [Double]?
}
