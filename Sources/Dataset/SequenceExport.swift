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
    /// Absent contigs, regions past a contig end and N content (regions above `maxN` are
    /// written and counted; with `strict` every one of these is an error).
    public var policy = RegionPolicy()
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
    /// What happened to the regions read.
    public var tally = RegionTally()
    /// The warnings to print (skipped regions, N-rich regions, a likely assembly mismatch).
    public var warnings: [String] = []

    /// Nothing written yet.
    public init() {}
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
        /// Where each region came from, for a strict N error.
        var origins: [String] = []
        /// Regions read into this batch, skipped ones included.
        var seen = 0
    }

    /// Runs the export into `output` (which the caller commits) and returns its summary.
    /// Fails when no region could be used.
    public func run(sources: [RegionSource], output: OutputFile, progress: ProgressReporter? = nil) throws -> ExportSummary {
        let options = self.options
        let fasta = self.fasta
        let stream = RegionStream(sources: sources, fasta: fasta)
        let check = RegionCheck(fasta: fasta, policy: options.policy)
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
            while batch.seen < options.batchSize, var interval = try stream.next() {
                batch.seen += 1
                let original = interval, path = stream.currentPath
                let origin = { original.origin(path: path) }
                if path == nil { try check.clipRegionString(&interval, origin: origin()) }  // a region string
                guard let ci = try check.resolve(&interval, origin: origin()) else { continue }
                let w = options.length.map { interval.resized(to: $0, around: options.center) } ?? interval
                guard try check.windowInside(w, contig: ci, origin: origin()) else { continue }
                if options.format == .npy {
                    if npyLength == nil { npyLength = w.length }
                    if w.length != npyLength {
                        throw DatasetError.region(source: origin(),
                                                  detail: "--format npy needs regions of one length (this one has \(w.length), the first had \(npyLength ?? 0)); use --length")
                    }
                }
                batch.contig.append(Int32(ci))
                batch.start.append(w.start)
                batch.end.append(w.end)
                batch.origins.append(origin())
            }
            return batch.seen == 0 ? nil : batch
        }, transform: { batch, worker in
            var nRich = 0
            let bytes = try Self.format(batch, reader: readers[worker], format: options.format) { i, n in
                let name = fasta.contigs[Int(batch.contig[i])].name
                let w = Interval(chrom: name, start: batch.start[i], end: batch.end[i])
                if try options.policy.tooManyN(n, window: w, origin: batch.origins[i]) { nRich += 1 }
            }
            return (bytes, batch.contig.count, nRich, batch.seen)
        }, emit: { (bytes: [UInt8], n: Int, nRich: Int, seen: Int) in
            try output.write(bytes)
            check.add(tooManyN: nRich)
            summary.written += n
            rows += n
            progress?.advance(by: seen)
        })
        if options.format == .npy {
            try output.overwrite(at: 0, with: NPYHeader.bytes(dtype: "|u1", shape: [rows, npyLength ?? 0]))
        }
        progress?.finish()
        let source = sources.compactMap { if case .file(let p, _, _) = $0 { return p == "-" ? "stdin" : p } else { return nil } }
        summary.warnings = try check.finish(source: source.isEmpty ? "the region strings" : source.joined(separator: ", "),
                                            windowLength: options.length, nSkipped: false)
        summary.tally = check.tally
        return summary
    }

    /// Fetches and formats one batch; `nCount` is told each region's number of N bases.
    private static func format(_ batch: Batch, reader: FastaReader, format: SequenceFormat,
                               nCount: (Int, Int) throws -> Void) throws -> [UInt8] {
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
            let counts = try scratch.withUnsafeMutableBufferPointer { buf in
                try reader.fetch(contigIndex: ci, s, e, into: buf)
                var counts = BaseCounts()
                counts.count(UnsafeBufferPointer(rebasing: buf[0..<n]))
                return counts
            }
            try nCount(i, counts.other)
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
