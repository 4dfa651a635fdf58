/// The most N (non-ACGT) bases a window may hold (`--max-n`): a fraction of the window's
/// length when the value is below 1 (0.1: a tenth), else a number of bases.
public struct NLimit: Sendable, Equatable, CustomStringConvertible {
    /// The value as given.
    public let value: Double

    /// A tenth of the length, the default everywhere.
    public static let standard = NLimit(fraction: 0.1)

    /// A limit of `value` (a fraction below 1, else bases); nil unless finite and >= 0.
    public init?(_ value: Double) {
        guard value.isFinite, value >= 0 else { return nil }
        self.value = value
    }

    private init(fraction: Double) { value = fraction }

    /// The most N bases allowed in a window of `length` bases.
    public func bases(inLength length: Int) -> Int {
        if value >= 1 { return Int(min(value, Double(Int.max / 2))) }
        // A small allowance so that 0.29 x 100 counts as 29, not 28.999...
        return Int((value * Double(length) + 1e-9).rounded(.down))
    }

    /// True when `n` N bases in `length` bases exceed the limit.
    public func exceeded(n: Int, length: Int) -> Bool { n > bases(inLength: length) }

    /// The value as given on the command line: `0.1`, `50`.
    public var description: String { value >= 1 && value == value.rounded() && value < 1e15 ? "\(Int(value))" : "\(value)" }
}

/// How regions that do not fit the FASTA are handled (one policy for fetch, dataset,
/// predict, attribute and scan): skipped, counted and reported by default; errors with
/// `strict`.
public struct RegionPolicy: Sendable {
    /// Fail at the first region that would be skipped (or, in fetch, counted for N).
    public var strict = false
    /// The most N bases a region's window may hold.
    public var maxN = NLimit.standard
    /// Contig names of the regions mapped to the FASTA's.
    public var aliases = ContigAliases()

    /// A policy; the defaults skip and count, allow a tenth of N, and map no names.
    public init(strict: Bool = false, maxN: NLimit = .standard, aliases: ContigAliases = ContigAliases()) {
        self.strict = strict
        self.maxN = maxN
        self.aliases = aliases
    }

    /// Checks a window's N count: true when `n` N bases in `length` bases (default: the
    /// window's length; tiled regions pass the total of their windows) exceed `maxN`
    /// (counted by the caller), an error naming `origin` under `strict`. Safe to call from
    /// worker threads.
    public func tooManyN(_ n: Int, of length: Int? = nil, window: Interval, origin: @autoclosure () -> String) throws -> Bool {
        let total = length ?? window.length
        guard maxN.exceeded(n: n, length: total) else { return false }
        if strict {
            let what = total == window.length ? "the window \(window.chrom):\(window.start + 1)-\(window.end) has" : "the windows from \(window.chrom):\(window.start + 1) have"
            throw GenomeError.unusableRegion(origin: origin(), detail: "\(what) \(n) N bases in \(total), more than --max-n \(maxN) allows (\(maxN.bases(inLength: total)))")
        }
        return true
    }
}

/// What happened to a run's regions.
public struct RegionTally: Sendable, Equatable {
    /// Regions seen.
    public var seen = 0
    /// Regions on contigs absent from the FASTA (after aliases), by contig name.
    public var absent: [String: Int] = [:]
    /// Regions that themselves run past the end of their contig.
    public var pastEnd = 0
    /// Regions inside their contig whose resized window is not.
    public var nearEnd = 0
    /// Regions whose window holds more N than allowed.
    public var tooManyN = 0
    /// Region strings clipped to their contig's end.
    public var clipped = 0

    /// Nothing counted yet.
    public init() {}

    /// Regions on absent contigs, all names.
    public var absentContig: Int { absent.values.reduce(0, +) }

    /// Regions skipped for any reason (`tooManyN` included).
    public var skipped: Int { absentContig + pastEnd + nearEnd + tooManyN }

    /// Absent contig names, most regions first.
    public var absentNames: [String] { ContigNameHint.byCount(absent) }
}

/// Applies a `RegionPolicy` to the regions of one run, serially: resolves contig names
/// (through the aliases), checks bounds, counts what it skips, and at the end says what
/// was skipped, warns of a likely assembly mismatch, and fails when nothing was left.
public final class RegionCheck {
    /// The FASTA regions are checked against.
    public let fasta: FastaFile
    /// The policy applied.
    public let policy: RegionPolicy
    /// "region" or "peak", for messages.
    public let noun: String
    /// The counts so far.
    public private(set) var tally = RegionTally()

    /// A check of one run's regions against `fasta`; `noun` names them in messages.
    public init(fasta: FastaFile, policy: RegionPolicy, noun: String = "region") {
        self.fasta = fasta
        self.policy = policy
        self.noun = noun
    }

    /// The contig of `interval`, renamed to the FASTA's name through the aliases; nil (and
    /// counted) when the FASTA lacks it, an error under `strict`. Counts the region as seen.
    public func contig(of interval: inout Interval, origin: @autoclosure () -> String) throws -> Int? {
        tally.seen += 1
        if let i = fasta.contigIndex(interval.chrom) { return i }
        if let name = policy.aliases.target(of: interval.chrom), let i = fasta.contigIndex(name) {
            interval.chrom = name
            return i
        }
        if policy.strict {
            let cause = ContigNameHint.cause(absent: [interval.chrom], fasta: fasta).map { " (\($0): pass --chrom-alias FILE)" } ?? ""
            throw GenomeError.unusableRegion(origin: origin(), detail: "contig '\(interval.chrom)' is not in the FASTA \(fasta.path)\(cause)")
        }
        tally.absent[interval.chrom, default: 0] += 1
        return nil
    }

    /// True when `interval` lies inside contig `contig`; else counted as past the end (an
    /// error under `strict`).
    public func inside(_ interval: Interval, contig: Int, origin: @autoclosure () -> String) throws -> Bool {
        let length = fasta.contigs[contig].length
        guard interval.end > length else { return true }
        if policy.strict {
            throw GenomeError.unusableRegion(origin: origin(), detail: "region \(interval.chrom):\(interval.start + 1)-\(interval.end) runs past the end of contig \(interval.chrom) (length \(length))")
        }
        tally.pastEnd += 1
        return false
    }

    /// True when the resized `window` of a region lies inside contig `contig`; else counted
    /// as too close to a contig end (an error under `strict`).
    public func windowInside(_ window: Interval, contig: Int, origin: @autoclosure () -> String) throws -> Bool {
        let length = fasta.contigs[contig].length
        guard window.start < 0 || window.end > length else { return true }
        if policy.strict {
            throw GenomeError.unusableRegion(origin: origin(), detail: "a \(window.length) bp window around this \(noun) runs past the \(window.start < 0 ? "start" : "end") of \(window.chrom) (length \(length))")
        }
        tally.nearEnd += 1
        return false
    }

    /// The contig of `interval` when it is on the FASTA and inside its contig (renamed
    /// through the aliases); nil when skipped.
    public func resolve(_ interval: inout Interval, origin: @autoclosure () -> String) throws -> Int? {
        guard let c = try contig(of: &interval, origin: origin()) else { return nil }
        return try inside(interval, contig: c, origin: origin()) ? c : nil
    }

    /// The regions of a list (read from `source`) that lie on the FASTA and inside their
    /// contig: their rows, the regions renamed through the aliases, and their contigs.
    public func accepted(_ regions: [Interval], source: String) throws -> [(row: Int, region: Interval, contig: Int)] {
        var out: [(row: Int, region: Interval, contig: Int)] = []
        for (row, original) in regions.enumerated() {
            var region = original
            guard let c = try resolve(&region, origin: original.origin(path: source)) else { continue }
            out.append((row, region, c))
        }
        return out
    }

    /// Adds counts made elsewhere (N counts from worker threads).
    public func add(tooManyN: Int = 0, clipped: Int = 0) {
        tally.tooManyN += tooManyN
        tally.clipped += clipped
    }

    /// Clips a region string's interval to its contig's end, as samtools does (counted; an
    /// error under `strict`). A region that starts past the end stays past it.
    public func clipRegionString(_ interval: inout Interval, origin: @autoclosure () -> String) throws {
        guard let length = fasta.length(of: interval.chrom), interval.end > length, interval.start < length else { return }
        if policy.strict {
            throw GenomeError.unusableRegion(origin: origin(), detail: "region runs past the end of contig \(interval.chrom) (length \(length))")
        }
        interval.end = length
        tally.clipped += 1
    }

    /// The causes of skipped regions, as "2 on contigs absent from the FASTA (c9), ...";
    /// `nSkipped` says whether N-rich regions were skipped (false: only counted).
    public func causes(windowLength: Int?, nSkipped: Bool = true) -> [String] {
        var out: [String] = []
        let t = tally
        if t.absentContig > 0 { out.append("\(t.absentContig) on contigs absent from the FASTA (\(ContigNameHint.list(t.absentNames)))") }
        if t.pastEnd > 0 { out.append("\(t.pastEnd) past the end of their contig") }
        if t.nearEnd > 0 { out.append("\(t.nearEnd) too close to a contig end for a\(windowLength.map { " \($0) bp" } ?? "") window") }
        if t.tooManyN > 0 && nSkipped { out.append("\(t.tooManyN) with more N than --max-n \(policy.maxN) allows") }
        return out
    }

    /// The warnings of the run (nothing when every region was used), after checking that
    /// some region was used: when none was, an error that says why and, for absent contigs,
    /// names both sides' contigs and the likely fix. `source` names the regions' file(s);
    /// `nSkipped` false when N-rich regions were kept (fetch); `subject` (such as "task
    /// 'ctcf'") begins that error.
    public func finish(source: String, windowLength: Int?, nSkipped: Bool = true, subject: String? = nil) throws -> [String] {
        let t = tally
        let skipped = t.skipped - (nSkipped ? 0 : t.tooManyN)
        let plural = { (n: Int) in n == 1 ? self.noun : self.noun + "s" }
        let causes = self.causes(windowLength: windowLength, nSkipped: nSkipped)
        if t.seen > 0 && skipped == t.seen {
            var detail = (subject.map { "\($0) has no usable" } ?? "no usable") + " \(noun) among \(t.seen): " + causes.joined(separator: ", ")
            if t.absentContig == t.seen {
                let which = t.seen == 1 ? "the \(noun) is not" : "none of the \(t.seen) \(noun)s is"
                detail = (subject.map { "\($0): " } ?? "") + "\(which) on a contig of the FASTA \(fasta.path): " + ContigNameHint.describe(absent: t.absentNames, fasta: fasta)
            } else if assemblyNote() != nil {
                detail += "; the \(noun)s may come from another assembly than \(fasta.path)"
            }
            throw GenomeError.unusableRegion(origin: source, detail: detail)
        }
        var warnings: [String] = []
        if t.clipped > 0 {
            warnings.append("clipped \(t.clipped) region string\(t.clipped == 1 ? "" : "s") to the end of \(t.clipped == 1 ? "its contig" : "their contigs")")
        }
        if skipped > 0 {
            var w = "skipped \(skipped) \(plural(skipped)): " + causes.joined(separator: ", ")
            if t.absentContig > 0, let cause = ContigNameHint.cause(absent: t.absentNames, fasta: fasta) {
                w += " (\(cause): pass --chrom-alias FILE)"
            }
            warnings.append(w)
        }
        if !nSkipped && t.tooManyN > 0 {
            warnings.append("\(t.tooManyN) \(plural(t.tooManyN)) written \(t.tooManyN == 1 ? "has" : "have") more N than --max-n \(policy.maxN) allows")
        }
        if let a = assemblyNote() { warnings.append(a) }
        return warnings
    }

    /// A warning when most regions on the FASTA's contigs fall past contig ends or into N.
    private func assemblyNote() -> String? {
        let t = tally
        let onContigs = t.seen - t.absentContig
        let bad = t.pastEnd + t.tooManyN
        guard bad >= 2, bad * 2 > onContigs else { return nil }
        return "\(bad) of \(onContigs) \(noun)s on contigs of the FASTA lie past a contig end or in N: the \(noun)s may come from another assembly than \(fasta.path)"
    }
}

extension Interval {
    /// Where this interval came from, for messages: `PATH line N`, or the region (a region
    /// string, or a line read through a tabix index).
    public func origin(path: String?) -> String {
        if line > 0 { return "\(path ?? "input") line \(line)" }
        let region = "region \(chrom):\(start + 1)-\(end)"
        return path.map { "\($0), \(region)" } ?? region
    }
}
