import Foundation
import Genome
import Pipeline
import Tracks

/// `crick coverage`: read or fragment coverage as a bedGraph or bigWig track.
public struct CoverageRun {
    /// The kinds of input.
    public enum InputKind: String, Sendable, CaseIterable {
        /// Decided from the name: .bam, .cram and .sam are alignments, anything else fragments.
        case auto
        /// SAM, BAM or CRAM through htslib.
        case alignments
        /// BED-like fragments (chrom, start, end, ...), 10x fragments.tsv or BEDPE.
        case fragments
    }

    /// What to count and where to write it.
    public struct Options {
        public var inputs: [String]
        public var kind = InputKind.auto
        public var coverage = CoverageOptions()
        /// Chromosome sizes (FASTA, .fai or chrom.sizes): required for fragments; for
        /// alignments the header's are used.
        public var genome: String?
        /// CRAM reference.
        public var reference: String?
        /// Values per million reads or fragments counted.
        public var cpm = false
        public var format: TrackFormat?
        public var output: String
        public var noTrackLine = false
        public var threads = 1

        public init(inputs: [String], output: String) {
            self.inputs = inputs
            self.output = output
        }
    }

    /// What a coverage run counted and wrote.
    public struct Result: Sendable {
        /// Reads or fragments counted (after the filters).
        public var counted: Int
        /// Records read in all.
        public var read: Int
        /// Fragments on contigs absent from the genome, or pairs across two contigs, skipped.
        public var skipped: Int
        /// Intervals written.
        public var intervals: Int
        public var path: String
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// The kind of `path` under `kind`.
    static func kind(of path: String, _ kind: InputKind) -> InputKind {
        guard kind == .auto else { return kind }
        let lower = path.lowercased()
        return [".bam", ".cram", ".sam", ".sam.gz"].contains(where: lower.hasSuffix) ? .alignments : .fragments
    }

    public func run(reporter: RunReporter) throws -> Result {
        guard !options.inputs.isEmpty else { throw RunError.usage("give at least one input") }
        let kinds = options.inputs.map { CoverageRun.kind(of: $0, options.kind) }
        if options.coverage.mode == .fivePrime, let f = options.inputs.indices.first(where: { kinds[$0] == .fragments }) {
            throw RunError.usage("fragments have no 5' end (\(options.inputs[f])): use --mode insertions for their two ends, or span")
        }
        // The contigs: the genome file's, else the first alignment file's header.
        var contigs: [(name: String, length: Int)]
        if let g = options.genome {
            let genome = try TrackMergeRun.loadGenome(g)
            contigs = zip(genome.names, genome.lengths).map { ($0, $1) }
        } else if let first = options.inputs.indices.first(where: { kinds[$0] == .alignments }) {
            guard options.inputs[first] != "-" else { throw RunError.usage("alignments on standard input need --genome for the chromosome sizes") }
            contigs = try AlignmentReader(path: options.inputs[first], reference: options.reference).contigs
        } else {
            throw RunError.usage("fragments need --genome FASTA|.fai|chrom.sizes for the chromosome sizes")
        }
        var index: [String: Int] = [:]
        for (i, c) in contigs.enumerated() where index[c.name] == nil { index[c.name] = i }
        var builder = CoverageBuilder(lengths: contigs.map(\.length))
        var read = 0, skipped = 0
        var absent: [String: Int] = [:]
        for (path, kind) in zip(options.inputs, kinds) {
            if kind == .alignments {
                let reader = try AlignmentReader(path: path, threads: options.threads, reference: options.reference)
                // Header contig -> genome contig, by name.
                let map = reader.contigs.map { index[$0.name] }
                while var r = try reader.next() {
                    read += 1
                    guard r.contig >= 0 else { continue }
                    guard let c = map[r.contig] else { absent[reader.contigs[r.contig].name, default: 0] += 1; continue }
                    r.contig = c
                    builder.add(r, options: options.coverage)
                }
            } else {
                let reader = try FragmentReader(path: path)
                var last: (name: String, contig: Int?)?
                while let f = try reader.next() {
                    read += 1
                    if last?.name != f.chrom { last = (f.chrom, index[f.chrom]) }
                    guard let c = last?.contig else { absent[f.chrom, default: 0] += 1; continue }
                    builder.addFragment(contig: c, start: f.start, end: f.end, options: options.coverage)
                }
                skipped += reader.crossContig + reader.unplaced
                if reader.crossContig > 0 { reporter.warning("\(path): \(reader.crossContig) pairs whose mates lie on two contigs skipped") }
                if reader.unplaced > 0 { reporter.warning("\(path): \(reader.unplaced) pairs with an unplaced mate skipped") }
            }
        }
        let absentCount = absent.values.reduce(0, +)
        if absentCount > 0 {
            let names = absent.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5).map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
            let genome = options.genome ?? "the first alignment file's header"
            reporter.warning("\(absentCount) records of \(options.inputs.joined(separator: ", ")) on contigs absent from \(genome) skipped: \(names)")
            skipped += absentCount
        }
        let scale = options.cpm ? 1e6 / Double(max(builder.counted, 1)) : 1
        let genome = TrackGenome(contigs)
        let format = options.format ?? TrackFormat.fromName(options.output)
        let what = options.coverage.mode.rawValue + (options.cpm ? " cpm" : "")
        let line = options.noTrackLine ? nil : "track type=bedGraph name=\"coverage\" description=\"crick coverage \(what)\""
        let writer = try makeTrackWriter(path: options.output, format: format, genome: genome, trackLine: line)
        var intervals = 0
        do {
            for name in genome.names {
                guard let c = index[name] else { continue }
                let runs = builder.runs(contig: c).map { (start: $0.start, end: $0.end, value: Float(Double($0.value) * scale)) }
                try writer.add(name, runs: runs)
                intervals += runs.count
            }
            try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
        return Result(counted: builder.counted, read: read, skipped: skipped, intervals: intervals, path: options.output)
    }
}
