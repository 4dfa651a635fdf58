import Foundation
import Genome
import Pipeline

/// A base-resolution signal track a dataset takes regression targets from: a bigWig or
/// bedGraph of coverage, opened by the run layer (Tracks reads both).
public protocol SignalTrack: AnyObject {
    /// The file, for messages.
    var path: String { get }
    /// Whether the track holds any interval on contig `name`.
    func hasContig(_ name: String) -> Bool
    /// The values over [start, end) of contig `name` into `out` (end - start values), 0 where
    /// the track has none.
    func values(contig name: String, start: Int, end: Int, into out: UnsafeMutableBufferPointer<Float>) throws
}

/// The regression targets of a dataset (`crick dataset --signal`).
public struct SignalOptions: Sendable, Equatable {
    /// One task per track: its name and file.
    public var tasks: [TaskSource]
    /// Central bases whose signal is summed into a window's count, and whose base-resolution
    /// signal is its profile (nil: the label core).
    public var targetLength: Int?
    /// Counts stored as log(1 + count) (`--transform log1p`, the default) or as they are.
    public var log1p = true
    /// Also store the base-resolution profile (N, T, P).
    public var profile = false
    /// Sum the profile in bins of this many bases (1: base resolution).
    public var bin = 1
    /// [plus, minus] task indices whose tracks are the two strands of one signal.
    public var pairs: [[Int]] = []

    public init(tasks: [TaskSource]) { self.tasks = tasks }

    /// The transform's name in dataset.json.
    public var transformName: String { log1p ? "log1p" : "none" }
}

/// Where the signal of a dataset came from and how it was turned into targets (dataset.json
/// `signal`).
public struct SignalInfo: Codable, Sendable, Equatable {
    /// The signal tasks, one per track (the model's outputs for regression).
    public var tasks: [String]
    public var sources: [DatasetInfo.Peaks]
    /// Central bases of a window whose signal is its target.
    public var targetLength: Int
    /// "log1p" or "none": how targets.npy holds the counts.
    public var transform: String
    /// True when profiles.npy holds (N, T, profile_width) observed counts.
    public var profile: Bool
    /// Profile bin size (1: base resolution).
    public var bin: Int
    /// Stored profile positions per row: target_length / bin, plus 2 * jitter at base resolution.
    public var profileWidth: Int?
    /// Windows on contigs a track lacks (their targets are 0), per track.
    public var missingContig: [String: Int]
    /// [plus, minus] task indices whose tracks are the two strands of one signal (absent: none).
    public var pairs: [[Int]]?

    public init(tasks: [String], sources: [DatasetInfo.Peaks], targetLength: Int, transform: String, profile: Bool, bin: Int,
                profileWidth: Int?, missingContig: [String: Int], pairs: [[Int]]? = nil) {
        self.tasks = tasks
        self.sources = sources
        self.targetLength = targetLength
        self.transform = transform
        self.profile = profile
        self.bin = bin
        self.profileWidth = profileWidth
        self.missingContig = missingContig
        self.pairs = pairs
    }

    /// Profile positions a model predicts: target_length / bin.
    public var profileLength: Int { targetLength / max(bin, 1) }
}

extension DatasetBuilder {
    /// Checks the signal options against the window length and jitter before anything is read.
    static func checkSignal(_ s: SignalOptions, length: Int, jitter: Int, labelCore: Int) throws -> Int {
        let target = s.targetLength ?? labelCore
        guard !s.tasks.isEmpty else { throw DatasetError.invalid("--signal needs at least one track") }
        guard Set(s.tasks.map(\.name)).count == s.tasks.count else { throw DatasetError.invalid("--signal task names repeat") }
        guard target >= 1, target <= length else { throw DatasetError.invalid("--target-length \(target) must lie in 1...\(length) (the window length)") }
        guard (length - target) % 2 == 0 else {
            throw DatasetError.invalid("--target-length \(target): the window length \(length) minus it must be even, so the target is centred")
        }
        guard s.bin >= 1, target % s.bin == 0 else { throw DatasetError.invalid("--bin \(s.bin) must divide --target-length \(target)") }
        if jitter > 0 {
            guard s.profile else { throw DatasetError.invalid("--jitter with --signal needs --profile (counts are summed from the shifted profile)") }
            guard s.bin == 1 else { throw DatasetError.invalid("--jitter with --signal needs --bin 1") }
        }
        return target
    }

    /// targets.npy (N, T) float32 counts over each window's central `target` bases (log1p or
    /// not), and with `profile` profiles.npy (N, T, W) float32: the signal over the central
    /// target plus `jitter` bases each side, or its sums in bins. Shuffled windows get 0 (their
    /// sequence is no genomic place). Values must be finite and not negative.
    func writeSignal(into dir: String, tracks: [SignalTrack], signal: SignalOptions, target: Int) throws -> SignalInfo {
        let n = windows.count, T = tracks.count, L = options.length, J = options.jitter
        let span = target + 2 * J
        let width = signal.profile ? (signal.bin > 1 ? target / signal.bin : span) : 0
        guard let profileBytes = CheckedSize.product(n, T, max(width, 1), 4) else { throw DatasetError.invalid("the profiles overflow a 64-bit size") }
        if signal.profile, let why = MemoryBudget.refusal("profiles.npy (\(n) windows x \(T) tracks x \(width))", bytes: profileBytes) {
            throw DatasetError.invalid(why)
        }
        var counts = [Float](repeating: 0, count: n * T)
        var profiles = [Float](repeating: 0, count: signal.profile ? n * T * width : 0)
        var buffer = [Float](repeating: 0, count: span)
        var missing: [String: Int] = [:]
        let contigNames = fasta.contigs.map(\.name)
        let genomic = windows.filter { $0.kind != .shuffle }.count
        for (t, track) in tracks.enumerated() {
            let present = contigNames.map { track.hasContig($0) }
            // A track that names no contig of the windows (chr1 against 1, say) is a mistake,
            // not a dataset of zeros.
            if genomic > 0 && !windows.contains(where: { $0.kind != .shuffle && present[Int($0.contig)] }) {
                let names = Array(Set(windows.prefix(1000).map { contigNames[Int($0.contig)] })).sorted().prefix(3)
                throw DatasetError.invalid("signal track \(track.path) holds none of the windows' contigs (such as \(names.joined(separator: ", "))); see --chrom-alias")
            }
            for (i, w) in windows.enumerated() where w.kind != .shuffle {
                let c = Int(w.contig)
                guard present[c] else { missing[signal.tasks[t].name, default: 0] += 1; continue }
                let from = w.start + (L - target) / 2 - J
                let contigLength = fasta.contigs[c].length
                // Past a contig end there is no signal.
                for j in 0..<span { buffer[j] = 0 }
                let lo = max(from, 0), hi = min(from + span, contigLength)
                if hi > lo {
                    try buffer.withUnsafeMutableBufferPointer { b in
                        try track.values(contig: contigNames[c], start: lo, end: hi, into: UnsafeMutableBufferPointer(rebasing: b[(lo - from)..<(hi - from)]))
                    }
                }
                var total: Double = 0
                for j in 0..<span {
                    let v = buffer[j]
                    guard v.isFinite, v >= 0 else {
                        throw DatasetError.invalid("signal value \(v) at \(contigNames[c]):\(from + j + 1) is not a finite count >= 0: \(track.path)")
                    }
                    if j >= J && j < J + target { total += Double(v) }
                }
                counts[i * T + t] = signal.log1p ? Float(Foundation.log1p(total)) : Float(total)
                if signal.profile {
                    let row = (i * T + t) * width
                    if signal.bin > 1 {
                        for j in 0..<target { profiles[row + j / signal.bin] += buffer[j] }
                    } else {
                        for j in 0..<span { profiles[row + j] = buffer[j] }
                    }
                }
            }
        }
        try writeFloatNPY(dir + "/targets.npy", counts, shape: [n, T])
        if signal.profile { try writeFloatNPY(dir + "/profiles.npy", profiles, shape: [n, T, width]) }
        return SignalInfo(tasks: signal.tasks.map(\.name), sources: signal.tasks.map { .init(name: $0.name, path: $0.path) },
                          targetLength: target, transform: signal.transformName, profile: signal.profile, bin: signal.bin,
                          profileWidth: signal.profile ? width : nil, missingContig: missing,
                          pairs: signal.pairs.isEmpty ? nil : signal.pairs)
    }

    private func writeFloatNPY(_ path: String, _ data: [Float], shape: [Int]) throws {
        let out = try OutputFile(path: path)
        try out.write(NPYHeader.bytes(dtype: "<f4", shape: shape))
        try data.withUnsafeBytes { try out.write(Array($0)) }
        try out.commit()
    }
}
