import Genome
import Pipeline

/// Options of a sequence export (`crick fetch`).
public struct ExportOptions: Sendable {
    /// Resize every region to this length around its centre; nil keeps regions as they are.
    public var length: Int?
    /// Where resized windows are centred.
    public var center: Interval.Center = .summit
    /// Output format.
    public var format: SequenceFormat = .fasta
    /// Treat skipped regions (absent contig, beyond a contig end) as errors.
    public var strict = false
    /// Worker threads.
    public var threads = 1
    /// Regions per batch handed to a worker.
    public var batchSize = 2048

    public init() {}
}

/// What an export did.
public struct ExportSummary: Sendable, Equatable {
    /// Regions written.
    public var written = 0
    /// Regions skipped because their contig is absent from the FASTA.
    public var absentContig = 0
    /// Regions skipped because they run past a contig end (after resizing).
    public var beyondEnd = 0

    public init(written: Int = 0, absentContig: Int = 0, beyondEnd: Int = 0) {
        self.written = written
        self.absentContig = absentContig
        self.beyondEnd = beyondEnd
    }

    /// Regions skipped, all causes.
    public var skipped: Int { absentContig + beyondEnd }

    /// The one-line warning for skipped regions, or nil when none was skipped.
    public var warning: String? {
        guard skipped > 0 else { return nil }
        var causes: [String] = []
        if absentContig > 0 { causes.append("\(absentContig) on contigs absent from the FASTA") }
        if beyondEnd > 0 { causes.append("\(beyondEnd) running past a contig end") }
        return "skipped \(skipped) region\(skipped == 1 ? "" : "s"): " + causes.joined(separator: ", ")
    }
}

/// Errors of dataset-level work that are not about one input file's syntax.
public enum DatasetError: Error, CustomStringConvertible, Sendable {
    /// A region that cannot be used, with where it came from.
    case region(source: String, detail: String)
    /// Options that contradict the data.
    case invalid(String)

    public var description: String {
        switch self {
        case .region(let source, let detail): return "\(detail): \(source)"
        case .invalid(let what): return what
        }
    }
}

/// Fetches the sequence of every region of a stream of sources and writes it in one of the
/// `SequenceFormat`s, on several threads, in input order.
public struct SequenceExport {
    public let fasta: FastaFile
    public let options: ExportOptions

    public init(fasta: FastaFile, options: ExportOptions) {
        self.fasta = fasta
        self.options = options
    }

    /// One batch of resolved regions: contig index and window, plus the name when needed.
    private struct Batch {
        var contig: [Int32] = []
        var start: [Int] = []
        var end: [Int] = []
        var counts = ExportSummary()
    }

    /// Runs the export into `output` (which the caller commits) and returns its summary.
    public func run(sources: [RegionSource], output: OutputFile, progress: ProgressReporter? = nil) throws -> ExportSummary {
        let options = self.options
        let fasta = self.fasta
        let stream = RegionStream(sources: sources, fasta: fasta)
        let readers = try (0..<max(1, options.threads)).map { _ in try fasta.makeReader() }
        var summary = ExportSummary()
        var npyLength: Int? = options.length
        var rows = 0
        if options.format == .npy {
            try output.write(NPYHeader.bytes(dtype: "|u1", shape: [0, npyLength ?? 0]))
        }

        try orderedParallelMap(threads: options.threads, next: { () throws -> Batch? in
            var batch = Batch()
            batch.contig.reserveCapacity(options.batchSize)
            var seen = 0
            while seen < options.batchSize, let interval = try stream.next() {
                seen += 1
                guard let ci = fasta.contigIndex(interval.chrom) else {
                    if options.strict {
                        throw DatasetError.region(source: Self.origin(interval, stream: stream), detail: "contig '\(interval.chrom)' is not in the FASTA \(fasta.path)")
                    }
                    batch.counts.absentContig += 1
                    continue
                }
                let w = options.length.map { interval.resized(to: $0, around: options.center) } ?? interval
                let len = fasta.contigs[ci].length
                guard w.start >= 0, w.end <= len else {
                    if options.strict {
                        throw DatasetError.region(source: Self.origin(interval, stream: stream),
                                                  detail: "region \(w.chrom):\(w.start)-\(w.end) runs past the end of contig \(w.chrom) (length \(len))")
                    }
                    batch.counts.beyondEnd += 1
                    continue
                }
                if options.format == .npy {
                    if npyLength == nil { npyLength = w.length }
                    if w.length != npyLength {
                        throw DatasetError.region(source: Self.origin(interval, stream: stream),
                                                  detail: "--format npy needs regions of one length (this one has \(w.length), the first had \(npyLength ?? 0)); use --length")
                    }
                }
                batch.contig.append(Int32(ci))
                batch.start.append(w.start)
                batch.end.append(w.end)
            }
            return seen == 0 ? nil : batch
        }, transform: { batch, worker in
            (try Self.format(batch, reader: readers[worker], format: options.format), batch.counts, batch.contig.count)
        }, emit: { (bytes: [UInt8], counts: ExportSummary, n: Int) in
            try output.write(bytes)
            summary.absentContig += counts.absentContig
            summary.beyondEnd += counts.beyondEnd
            summary.written += n
            rows += n
            progress?.advance(by: n + counts.skipped)
        })
        if options.format == .npy {
            try output.overwrite(at: 0, with: NPYHeader.bytes(dtype: "|u1", shape: [rows, npyLength ?? 0]))
        }
        progress?.finish()
        return summary
    }

    /// Where an interval came from, for messages.
    private static func origin(_ interval: Interval, stream: RegionStream) -> String {
        interval.line > 0 ? "\(stream.currentPath ?? "input") line \(interval.line)" : "region \(interval.chrom):\(interval.start + 1)-\(interval.end)"
    }

    /// Fetches and formats one batch.
    private static func format(_ batch: Batch, reader: FastaReader, format: SequenceFormat) throws -> [UInt8] {
        var total = 0
        for i in batch.start.indices { total += batch.end[i] - batch.start[i] + 1 }
        var out: [UInt8] = []
        out.reserveCapacity(total + batch.start.count * (format == .fasta || format == .tsv ? 40 : 0))
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        let names = reader.file.contigs
        for i in batch.start.indices {
            let ci = Int(batch.contig[i]), s = batch.start[i], e = batch.end[i]
            let n = e - s
            if scratch.count < n { scratch = [UInt8](repeating: 0, count: n) }
            try scratch.withUnsafeMutableBufferPointer { buf in
                try reader.fetch(contigIndex: ci, s, e, into: buf)
            }
            switch format {
            case .fasta, .tsv:
                if format == .fasta { out.append(UInt8(ascii: ">")) }
                out.append(contentsOf: names[ci].name.utf8)
                out.append(UInt8(ascii: ":"))
                appendDecimal(s, to: &out)
                out.append(UInt8(ascii: "-"))
                appendDecimal(e, to: &out)
                out.append(format == .fasta ? UInt8(ascii: "\n") : UInt8(ascii: "\t"))
                out.append(contentsOf: scratch[0..<n])
                out.append(UInt8(ascii: "\n"))
            case .codes, .npy:
                // Codes in place, then digits for the text form.
                scratch.withUnsafeMutableBufferPointer { buf in
                    let region = UnsafeMutableBufferPointer(rebasing: buf[0..<n])
                    BaseCode.encode(region)
                    if format == .codes {
                        for j in 0..<n { region[j] &+= 48 }
                    }
                    out.append(contentsOf: UnsafeBufferPointer(region))
                }
                if format == .codes { out.append(UInt8(ascii: "\n")) }
            }
        }
        return out
    }

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        var digits: [UInt8] = []
        var v = value
        while v > 0 { digits.append(UInt8(v % 10) + 48); v /= 10 }
        out.append(contentsOf: digits.reversed())
    }
}
