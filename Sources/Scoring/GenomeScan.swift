import Genome
import NeuralNet
import Pipeline
import Tracks

/// Options of a genome-wide scan.
public struct ScanOptions: Sendable {
    /// Bases between window starts (and the bin width).
    public var stride = 20
    /// Windows with more N than this are left out.
    public var maxN = 100
    /// Window starts per job (a chunk of sequence of about this many bases plus one window).
    public var chunkBases = 1 << 17
    /// Worker threads.
    public var threads = 1
    /// Windows touching these regions (a blacklist) are left out.
    public var exclude: GenomeMask?

    public init() {}
}

/// One bin's scores.
struct BinScores {
    let start: Int
    let end: Int
    let offset: Int     // index of the window's first score in the job's score array
}

/// A genome-wide scan: every window of `runs`, scored by workers that share one model (its
/// inference keeps no state) and each own a FASTA reader, written in order to one track per
/// selected task.
public final class GenomeScan {
    public let fasta: FastaFile
    public let grid: ScanGrid
    public let options: ScanOptions
    private let scanner: ConvolutionalScan
    private let readers: [FastaReader]

    /// Windows scored, windows left out for N and windows left out for touching an excluded
    /// region, after `run`.
    public private(set) var scored = 0
    public private(set) var skippedForN = 0
    public private(set) var skippedExcluded = 0

    /// `model` serves every worker (`Model.inference` keeps no state); it must not be trained
    /// while the scan runs.
    public init(fasta: FastaFile, options: ScanOptions, settings: ScoreSettings, model: Model) throws {
        self.fasta = fasta
        self.options = options
        var readers: [FastaReader] = []
        for _ in 0..<max(1, options.threads) { readers.append(try fasta.makeReader()) }
        scanner = ConvolutionalScan(scorer: WindowScorer(model: model, settings: settings))
        self.readers = readers
        grid = ScanGrid(length: scanner.scorer.length, stride: options.stride)
    }

    /// True when the model's trunk is shared between windows.
    public var isFullyConvolutional: Bool { scanner.isFullyConvolutional }

    /// The jobs of `runs` (of one shard).
    public func jobs(_ runs: [WindowRun], shard: (part: Int, parts: Int)? = nil) -> [ScanJob] {
        ScanLayout.jobs(runs, maxWindows: max(1, options.chunkBases / grid.stride), shard: shard)
    }

    /// The profile layout of a profile model (nil for other models): its scan writes each
    /// window's central profile at base resolution, windows every profile length.
    public var profile: ProfileOutputs? { scanner.scorer.profile }

    /// Scores every window of `jobs` and writes task `tasks[i]` to `writers[i]`: one value per
    /// bin, or a profile model's predicted counts at every base of the bin (then
    /// `countWriters[i]`, when given, gets the window's predicted total over the bin).
    public func run(_ jobs: [ScanJob], tasks: [Int], writers: [TrackWriter], countWriters: [TrackWriter] = [], progress: ProgressReporter? = nil) throws {
        let profile = self.profile
        let l = grid.length, s = grid.stride, t = scanner.scorer.tasks
        var next = 0
        let maxN = options.maxN
        try orderedParallelMap(
            threads: max(1, options.threads),
            next: { () -> ScanJob? in
                guard next < jobs.count else { return nil }
                next += 1
                return jobs[next - 1]
            },
            transform: { (scanJob: ScanJob, worker: Int) -> (ScanJob, [BinScores], [Float], (n: Int, excluded: Int)) in
                let job = scanJob.run
                let a = self.grid.windowStart(job.first), b = self.grid.windowStart(job.end - 1) + l
                var codes = try self.readers[worker].sequence(contigIndex: job.contig, a, b)
                self.readers[worker].release(contigIndex: job.contig, a, b)
                codes.withUnsafeMutableBufferPointer { BaseCode.encode($0) }
                // N per window from prefix counts.
                var prefix = [Int32](repeating: 0, count: codes.count + 1)
                for i in 0..<codes.count { prefix[i + 1] = prefix[i] + (codes[i] == BaseCode.unknown ? 1 : 0) }
                var starts: [Int] = []
                var bins: [BinScores] = []
                let n = self.fasta.contigs[job.contig].length
                var skipped = 0, excluded = 0
                for k in job.first..<job.end {
                    let off = (k - job.first) * s
                    if let mask = self.options.exclude, mask.overlaps(contig: job.contig, start: a + off, end: a + off + l) {
                        if scanJob.write.contains(k) { excluded += 1 }
                        continue
                    }
                    guard Int(prefix[off + l] - prefix[off]) <= maxN else {
                        if scanJob.write.contains(k) { skipped += 1 }
                        continue
                    }
                    if scanJob.write.contains(k) {
                        let bin = self.grid.bin(k, chromLength: n)
                        bins.append(BinScores(start: bin.start, end: bin.end, offset: starts.count * t))
                    }
                    starts.append(off)
                }
                let scores = self.scanner.score(codes: codes, starts: starts)
                return (scanJob, bins, scores, (skipped, excluded))
            },
            emit: { (scanJob, bins, scores, skipped) in
                let name = self.fasta.contigs[scanJob.run.contig].name
                for bin in bins {
                    for (i, task) in tasks.enumerated() {
                        guard let profile else {
                            try writers[i].add(name, bin.start, bin.end, scores[bin.offset + task])
                            continue
                        }
                        let t = profile.tasks, width = profile.bin
                        // Each profile position covers `width` bases: its predicted count spread
                        // evenly over them (counts per base, as at base resolution).
                        var q = 0
                        while bin.start + q * width < bin.end {
                            let from = bin.start + q * width, to = Swift.min(from + width, bin.end)
                            try writers[i].add(name, from, to, scores[bin.offset + q * t + task] / Float(width))
                            q += 1
                        }
                        if i < countWriters.count {
                            try countWriters[i].add(name, bin.start, bin.end, scores[bin.offset + profile.length * t + task])
                        }
                    }
                }
                self.scored += bins.count
                self.skippedForN += skipped.n
                self.skippedExcluded += skipped.excluded
                progress?.advance(by: scanJob.write.count)
            })
    }
}
