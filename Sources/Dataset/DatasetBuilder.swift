import Foundation
import Genome
import Pipeline

/// Builds a labelled dataset from a genome and peak files (`crick dataset`).
///
/// Planning is serial and seeded (peaks, labels, negatives, splits); fetching and encoding
/// run on the worker threads in order, so the files are byte-identical at any thread count.
/// Sequences stream to `sequences.npy` as they are encoded; the whole directory is written
/// under a temporary name beside the target and renamed at the end.
public final class DatasetBuilder {
    public let fasta: FastaFile
    public let options: DatasetOptions
    /// Warnings for the caller to print (skipped peaks, shortfalls).
    public private(set) var warnings: [String] = []
    /// Notes for the caller to print (what the peak filter kept).
    public internal(set) var notes: [String] = []

    var windows: [DatasetWindow] = []
    /// Labels of positive windows, `tasks.count` bytes per row.
    var labelTable: [UInt8] = []
    var skipped: [String: DatasetInfo.Skipped] = [:]
    var shortfall: [String: Int] = [:]
    private var peakMask: GenomeMask
    var excludeMask: GenomeMask
    var usable: [Bool]
    let readers: [FastaReader]
    /// The region policy of the peaks, with `options.maxN`.
    let policy: RegionPolicy

    public init(fasta: FastaFile, options: DatasetOptions) throws {
        self.fasta = fasta
        self.options = options
        var policy = options.policy
        policy.maxN = NLimit(options.maxN) ?? .standard
        self.policy = policy
        peakMask = GenomeMask(contigCount: fasta.contigs.count)
        excludeMask = GenomeMask(contigCount: fasta.contigs.count)
        usable = Array(repeating: options.chroms == nil, count: fasta.contigs.count)
        readers = try (0..<max(1, options.threads)).map { _ in try fasta.makeReader() }
        try validate()
    }

    private func validate() throws {
        let o = options
        guard !o.tasks.isEmpty || o.signal != nil else { throw DatasetError.invalid("no peak files: give at least one --peaks NAME=PATH (or --signal to tile the genome)") }
        if let stride = o.tileStride {
            guard o.tasks.isEmpty else { throw DatasetError.invalid("--stride tiles the genome without peaks; with --peaks the windows come from the peaks") }
            guard stride >= 1 else { throw DatasetError.invalid("--stride must be at least 1") }
        }
        var seen = Set<String>()
        for t in o.tasks {
            guard !t.name.isEmpty else { throw DatasetError.invalid("empty task name in --peaks \(t.name)=\(t.path)") }
            guard seen.insert(t.name).inserted else { throw DatasetError.invalid("duplicate task name '\(t.name)' in --peaks") }
        }
        guard o.length > 0 else { throw DatasetError.invalid("--length must be positive") }
        guard o.labelCore > 0, o.labelCore <= o.length else {
            throw DatasetError.invalid("--label-core \(o.labelCore) must lie in 1...\(o.length) (the window length)")
        }
        if let signal = o.signal { _ = try DatasetBuilder.checkSignal(signal, length: o.length, jitter: o.jitter, labelCore: o.labelCore) }
        guard fasta.contigs.contains(where: { $0.length >= o.length }) else {
            throw DatasetError.invalid("--length \(o.length) does not fit in any contig of \(fasta.path) (longest \(fasta.contigs.map(\.length).max() ?? 0) bp)")
        }
        if let chroms = o.chroms {
            for c in chroms {
                guard let i = fasta.contigIndex(c) else { throw GenomeError.unknownContig(name: c, path: fasta.path) }
                usable[i] = true
            }
        }
        for c in (o.validChroms ?? []) + (o.testChroms ?? []) where fasta.contigIndex(c) == nil {
            throw GenomeError.unknownContig(name: c, path: fasta.path)
        }
        if let v = o.validChroms, let t = o.testChroms, let both = Set(v).intersection(t).first {
            throw DatasetError.invalid("contig \(both) is in both --valid-chroms and --test-chroms")
        }
        guard o.negativeRatio >= 0, o.negativeRatio.isFinite else { throw DatasetError.invalid("--neg-ratio must be >= 0") }
        guard NLimit(o.maxN) != nil else { throw DatasetError.invalid("--max-n must be a number >= 0") }
        guard o.gcBins >= 1 else { throw DatasetError.invalid("--gc-bins must be at least 1") }
        guard o.margin >= 0 else { throw DatasetError.invalid("--margin must be >= 0") }
        let namedChroms = o.validChroms != nil || o.testChroms != nil
        let namedRegions = o.validRegions != nil || o.testRegions != nil
        if namedChroms && (namedRegions || o.splitBy == .region) {
            throw DatasetError.invalid("--valid-chroms/--test-chroms split by contig; they cannot go with --split-by region or --valid-regions/--test-regions")
        }
        if namedRegions && o.splitBy == .chrom {
            throw DatasetError.invalid("--valid-regions/--test-regions split by region; they cannot go with --split-by chrom")
        }
        guard o.jitter >= 0, o.jitter <= o.length else {
            throw DatasetError.invalid("--jitter \(o.jitter) must lie in 0...\(o.length) (the window length)")
        }
        if let b = o.blockSize, b < o.length {
            throw DatasetError.invalid("--block-size \(b) is shorter than the window length \(o.length)")
        }
        if let top = o.peakFilter.top, top < 1 { throw DatasetError.invalid("--top must be at least 1") }
        if let m = o.peakFilter.minScore, !m.isFinite { throw DatasetError.invalid("--min-score must be a finite number") }
    }

    // MARK: Planning

    /// Plans the dataset and writes it into `directory`; returns its description. `tracks`
    /// are the opened files of `options.signal`, in its order.
    public func build(into directory: String, progress: ProgressReporter? = nil, tracks: [SignalTrack] = []) throws -> DatasetInfo {
        if let signal = options.signal, signal.tasks.count != tracks.count {
            throw DatasetError.invalid("\(signal.tasks.count) --signal tasks but \(tracks.count) opened tracks")
        }
        try readExcluded()
        if options.tasks.isEmpty {
            // Signal without peaks: the genome tiled, no negatives.
            windows = try planTiles()
            let splits = try assignSplits()
            return try write(directory: directory, splits: splits, progress: progress, tracks: tracks)
        }
        let positives = try planPositives()
        let compositions = try composition(of: positives.map { ($0.contig, $0.start) })
        windows = positives
        // Every window is planned in memory (its record and label row) before any is written.
        let planned = (options.negativeRatio * Double(positives.count)).rounded()
        let windowBytes = MemoryLayout<DatasetWindow>.stride + options.tasks.count + 16
        let bytes = planned < 1e15 ? CheckedSize.product(positives.count + Int(planned), windowBytes) : nil
        if let why = MemoryBudget.refusal("--neg-ratio \(options.negativeRatio) (\(planned) negatives)", bytes: bytes) {
            throw DatasetError.invalid(why + "; lower --neg-ratio")
        }
        let total = Int(planned)
        let kinds = options.negatives
        var rng = SeededRandom(seed: options.seed, stream: 1)
        for (k, kind) in kinds.enumerated() {
            let count = total / kinds.count + (k < total % kinds.count ? 1 : 0)
            guard count > 0 else { continue }
            switch kind {
            case .background: try planBackground(count: count, positiveGC: compositions.map(\.gc), rng: &rng)
            case .flank: try planFlanks(count: count, positives: positives, rng: &rng)
            case .shuffle: planShuffles(count: count, positives: positives)
            case .positive, .tile: break
            }
        }
        windows.sort(by: DatasetWindow.ordered)
        let splits = try assignSplits()
        return try write(directory: directory, splits: splits, progress: progress, tracks: tracks)
    }

    private func readExcluded() throws {
        // GenomeMask's BED reader (intervals on contigs the FASTA lacks are left out, as before).
        for path in options.exclude { excludeMask.add(try GenomeMask(bed: path, fasta: fasta)) }
        excludeMask.finish()
    }

    /// Reads every task's peaks: positive windows with their labels, and the peak mask.
    /// Peaks on absent contigs, past a contig end, too close to one for a window, or whose
    /// window holds more N than `maxN` are skipped and counted (errors with `strict`), so no
    /// negative is ever made from them.
    private func planPositives() throws -> [DatasetWindow] {
        let L = options.length
        var summits = (0..<options.tasks.count).map { _ in PositionIndex(contigCount: fasta.contigs.count) }
        var candidates: [(contig: Int, start: Int, task: Int, line: Int)] = []
        var checks: [RegionCheck] = []
        for (t, task) in options.tasks.enumerated() {
            var skip = DatasetInfo.Skipped()
            let check = RegionCheck(fasta: fasta, policy: policy, noun: "peak")
            checks.append(check)
            let reader = try IntervalReader(path: task.path, format: options.inputFormat)
            let kept = try filteredPeaks(reader, task: task)
            var index = -1
            while var peak = try reader.next() {
                index += 1
                if let kept, !kept.contains(index) {
                    // Dropped by the filter: no window, no label; negatives still avoid it.
                    skip.filtered += 1
                    if let c = fasta.contigIndex(peak.chrom) ?? policy.aliases.target(of: peak.chrom).flatMap(fasta.contigIndex) {
                        peakMask.add(contig: c, start: peak.start, end: peak.end, margin: options.margin)
                    }
                    continue
                }
                let original = peak
                let origin = { original.origin(path: task.path) }
                guard let c = try check.contig(of: &peak, origin: origin()) else { continue }
                // Every peak on the genome labels windows and is avoided by negatives.
                summits[t].add(contig: c, position: peak.center(options.center))
                peakMask.add(contig: c, start: peak.start, end: peak.end, margin: options.margin)
                guard usable[c] else { skip.otherContig += 1; continue }
                guard try check.inside(peak, contig: c, origin: origin()) else { continue }
                let w = peak.resized(to: L, around: options.center)
                guard try check.windowInside(w, contig: c, origin: origin()) else { continue }
                if excludeMask.overlaps(contig: c, start: w.start, end: w.end) { skip.excluded += 1; continue }
                candidates.append((c, w.start, t, peak.line))
            }
            skipped[task.name] = skip
            if kept != nil {
                let total = index + 1
                notes.append("task \(task.name): \(peakFilterText) kept \(total - skip.filtered) of \(total) peaks in \(task.path) (dropped \(skip.filtered))")
            }
        }
        // Windows with too much N: counted per task, dropped before labels and negatives.
        let comps = try composition(of: candidates.map { (Int32($0.contig), $0.start) })
        var kept: [(contig: Int, start: Int, task: Int, line: Int)] = []
        var nRich = [Int](repeating: 0, count: options.tasks.count)
        for (i, cand) in candidates.enumerated() {
            let n = Int((comps[i].n * Double(L)).rounded())
            let window = Interval(chrom: fasta.contigs[cand.contig].name, start: cand.start, end: cand.start + L)
            if try policy.tooManyN(n, window: window, origin: "\(options.tasks[cand.task].path) line \(cand.line)") {
                nRich[cand.task] += 1
            } else {
                kept.append(cand)
            }
        }
        for (t, task) in options.tasks.enumerated() {
            let check = checks[t]
            check.add(tooManyN: nRich[t])
            let used = kept.lazy.filter { $0.task == t }.count
            let skip = skipped[task.name] ?? DatasetInfo.Skipped()
            let tally = check.tally
            skipped[task.name] = DatasetInfo.Skipped(absentContig: tally.absentContig, beyondEnd: tally.nearEnd, otherContig: skip.otherContig,
                                                     excluded: skip.excluded, pastEnd: tally.pastEnd, tooManyN: tally.tooManyN,
                                                     filtered: skip.filtered)
            if used == 0 && skip.otherContig + skip.excluded + skip.filtered == 0 {
                _ = try check.finish(source: task.path, windowLength: L, subject: "task '\(task.name)'")
            }
            guard used > 0 else {
                let causes = check.causes(windowLength: L) + [skip.otherContig > 0 ? "\(skip.otherContig) outside --chroms" : nil,
                                                               skip.excluded > 0 ? "\(skip.excluded) in --exclude regions" : nil,
                                                               skip.filtered > 0 ? "\(skip.filtered) dropped by \(peakFilterText)" : nil].compactMap { $0 }
                throw DatasetError.invalid("task '\(task.name)' has no usable peak in \(task.path): \(causes.joined(separator: ", "))")
            }
            warnings += try check.finish(source: task.path, windowLength: L).map { "task \(task.name): " + $0 }
        }
        for t in summits.indices { summits[t].finish() }
        peakMask.finish()

        // One window per distinct position, labelled by the summits in its core.
        kept.sort { $0.contig != $1.contig ? $0.contig < $1.contig : $0.start < $1.start }
        var out: [DatasetWindow] = []
        let coreStart = (L - options.labelCore) / 2
        var previous: (Int, Int)?
        for cand in kept {
            if let p = previous, p == (cand.contig, cand.start) { continue }
            previous = (cand.contig, cand.start)
            let row = Int32(labelTable.count / options.tasks.count)
            for t in summits.indices {
                let hit = summits[t].contains(contig: cand.contig, start: cand.start + coreStart, end: cand.start + coreStart + options.labelCore)
                labelTable.append(hit ? 1 : 0)
            }
            out.append(DatasetWindow(contig: Int32(cand.contig), start: cand.start, kind: .positive, labelRow: row))
        }
        return out
    }

    /// The peak filter as the command line gives it, for messages.
    private var peakFilterText: String {
        let f = options.peakFilter
        return [f.minScore.map { "--min-score \($0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String($0))" }, f.top.map { "--top \($0)" }]
            .compactMap { $0 }.joined(separator: " ") + " on \(f.column.rawValue)"
    }

    /// With a peak filter: the indices (in file order) of the peaks of `task` it keeps, read
    /// in one pass before `reader` is rewound; nil without a filter (every peak is kept).
    private func filteredPeaks(_ reader: IntervalReader, task: TaskSource) throws -> Set<Int>? {
        let f = options.peakFilter
        guard f.isActive else { return nil }
        guard task.path != "-" else {
            throw DatasetError.invalid("--min-score and --top read the peaks of task '\(task.name)' twice: give a file, not standard input")
        }
        let scan = try IntervalReader(path: task.path, format: options.inputFormat)
        scan.scoreColumn = f.column
        var scores: [Double] = []
        while let peak = try scan.next() { scores.append(peak.score ?? -.infinity) }
        var kept = scores.indices.filter { f.minScore == nil || scores[$0] >= (f.minScore ?? 0) }
        if let top = f.top, kept.count > top {
            // The best `top` by score; ties keep file order.
            kept = Array(kept.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(top))
        }
        return Set(kept)
    }

    /// Base composition of windows, computed on the worker threads.
    func composition(of list: [(Int32, Int)]) throws -> [Composition] {
        let L = options.length
        var result: [Composition] = []
        result.reserveCapacity(list.count)
        var next = 0
        let batch = 1024
        try orderedParallelMap(threads: options.threads, next: { () -> Range<Int>? in
            guard next < list.count else { return nil }
            defer { next += batch }
            return next..<min(next + batch, list.count)
        }, transform: { range, worker in
            var scratch: [UInt8] = []
            var out: [Composition] = []
            out.reserveCapacity(range.count)
            for i in range {
                let (c, s) = list[i]
                let counts = try self.readers[worker].counts(contigIndex: Int(c), s, s + L, scratch: &scratch)
                out.append(Composition(counts: counts, length: L))
            }
            return out
        }, emit: {
            result += $0
            // Every 4,096 windows: the pages mapped around them leave the process.
            if result.count % (4 * batch) == 0 { self.fasta.releaseMappedPages() }
        })
        fasta.releaseMappedPages()
        return result
    }

    /// The N limit of every window (`maxN`).
    private var nLimit: NLimit { policy.maxN }

    private func gcBin(_ gc: Double) -> Int { min(Int(gc * Double(options.gcBins)), options.gcBins - 1) }

    /// Random windows away from peaks and excluded regions, matching the positives' GC bins.
    private func planBackground(count: Int, positiveGC: [Double], rng: inout SeededRandom) throws {
        let L = options.length
        // Target per GC bin, proportional to the positives (largest remainders first).
        var inBin = [Int](repeating: 0, count: options.gcBins)
        for gc in positiveGC { inBin[gcBin(gc)] += 1 }
        let exact = inBin.map { Double($0) * Double(count) / Double(max(positiveGC.count, 1)) }
        var target = exact.map { Int($0) }
        let order = exact.indices.sorted { (exact[$0] - Double(target[$0]), -$0) > (exact[$1] - Double(target[$1]), -$1) }
        for b in order.prefix(count - target.reduce(0, +)) { target[b] += 1 }

        let contigs = fasta.contigs.indices.filter { usable[$0] && fasta.contigs[$0].length >= L }
        let weights = contigs.map { fasta.contigs[$0].length - L + 1 }
        let totalWeight = weights.reduce(0, +)
        guard totalWeight > 0 else { shortfall["background"] = count; return }
        var cumulative: [Int] = []
        var acc = 0
        for w in weights { acc += w; cumulative.append(acc) }

        var accepted = Set<Int64>()
        var found = 0
        let maxAttempts = 100 * count + 100_000
        var attempts = 0
        while found < count && attempts < maxAttempts {
            // Candidates drawn serially (seeded), composition computed in parallel, accepted in order.
            var batch: [(Int32, Int)] = []
            while batch.count < 8192 && attempts < maxAttempts {
                attempts += 1
                let x = rng.below(totalWeight)
                var lo = 0, hi = cumulative.count - 1
                while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] > x { hi = mid } else { lo = mid + 1 } }
                let c = contigs[lo]
                let start = x - (lo > 0 ? cumulative[lo - 1] : 0)
                if peakMask.overlaps(contig: c, start: start, end: start + L) { continue }
                if excludeMask.overlaps(contig: c, start: start, end: start + L) { continue }
                batch.append((Int32(c), start))
            }
            let comps = try composition(of: batch)
            for (i, comp) in comps.enumerated() where found < count {
                guard !nLimit.exceeded(n: Int((comp.n * Double(L)).rounded()), length: L) else { continue }
                let b = gcBin(comp.gc)
                guard target[b] > 0 else { continue }
                let key = Int64(batch[i].0) << 40 | Int64(batch[i].1)
                guard accepted.insert(key).inserted else { continue }
                target[b] -= 1
                found += 1
                windows.append(DatasetWindow(contig: batch[i].0, start: batch[i].1, kind: .background))
            }
        }
        if found < count {
            shortfall["background"] = count - found
            let bins = target.indices.filter { target[$0] > 0 }.map { b -> String in
                String(format: "%.2f-%.2f: %d", Double(b) / Double(options.gcBins), Double(b + 1) / Double(options.gcBins), target[b])
            }
            warnings.append("background: found \(found) of \(count) GC-matched windows after \(attempts) draws; short in GC bins \(bins.joined(separator: ", "))")
        }
    }

    /// Windows shifted by the flank distance (then twice it, ...) from each positive.
    private func planFlanks(count: Int, positives: [DatasetWindow], rng: inout SeededRandom) throws {
        let L = options.length
        let d = options.flankDistance ?? L
        var chosen: [(Int32, Int)] = []
        var taken = Set<Int64>()
        var round = 1
        while chosen.count < count && round <= 10 && d > 0 {
            for p in positives where chosen.count < count {
                let c = Int(p.contig)
                let first = rng.below(2) == 0 ? -1 : 1
                for side in [first, -first] {
                    let s = p.start + side * round * d
                    guard s >= 0, s + L <= fasta.contigs[c].length else { continue }
                    if peakMask.overlaps(contig: c, start: s, end: s + L) || excludeMask.overlaps(contig: c, start: s, end: s + L) { continue }
                    guard taken.insert(Int64(c) << 40 | Int64(s)).inserted else { continue }
                    chosen.append((p.contig, s))
                    break
                }
            }
            round += 1
        }
        let comps = try composition(of: chosen)
        var found = 0
        for (i, comp) in comps.enumerated() where !nLimit.exceeded(n: Int((comp.n * Double(L)).rounded()), length: L) {
            windows.append(DatasetWindow(contig: chosen[i].0, start: chosen[i].1, kind: .flank))
            found += 1
        }
        if found < count {
            shortfall["flank"] = count - found
            warnings.append("flank: found \(found) of \(count) flank windows \(d) bp (up to \(10 * d) bp) from positives, away from peaks")
        }
    }

    /// Shuffles of the positives, cycling through them.
    private func planShuffles(count: Int, positives: [DatasetWindow]) {
        guard !positives.isEmpty else { shortfall["shuffle"] = count; return }
        for j in 0..<count {
            let p = positives[j % positives.count]
            windows.append(DatasetWindow(contig: p.contig, start: p.start, kind: .shuffle, round: Int32(j / positives.count)))
        }
    }

    // MARK: Splits

    /// Assigns every window its split and returns how it was done: given contigs, given
    /// regions, region blocks (`--split-by region`, or when fewer than 3 contigs hold windows:
    /// said in the warnings), or contigs chosen with the seed.
    private func assignSplits() throws -> DatasetInfo.Splits {
        var perContig = [Int](repeating: 0, count: fasta.contigs.count)
        for w in windows { perContig[Int(w.contig)] += 1 }
        var code = [UInt8](repeating: 0, count: fasta.contigs.count)
        let name = { (i: Int) in self.fasta.contigs[i].name }
        let regions = RegionSplitter(fasta: fasta, aliases: policy.aliases, windowLength: options.length, jitter: options.jitter)
        let holding = perContig.filter { $0 > 0 }.count
        if options.validRegions != nil || options.testRegions != nil {
            return try regions.named(&windows, validPath: options.validRegions, testPath: options.testRegions)
        }
        if options.validChroms != nil || options.testChroms != nil {
            for c in options.validChroms ?? [] { if let i = fasta.contigIndex(c) { code[i] = 1 } }
            for c in options.testChroms ?? [] { if let i = fasta.contigIndex(c) { code[i] = 2 } }
        } else if options.splitBy == .chrom && holding < 3 {
            throw DatasetError.invalid("--split-by chrom needs windows on at least 3 contigs (they are on \(holding)); use --split-by region or name --valid-chroms/--test-chroms")
        } else if options.splitBy == .region || holding < 3 {
            let genome = fasta.contigs.indices.filter { usable[$0] }.reduce(0) { $0 + fasta.contigs[$1].length }
            let block = max(options.blockSize ?? RegionSplitter.defaultBlockSize(genome: genome, window: options.length), options.length)
            if options.splitBy != .region {
                warnings.append("splits: only \(holding) contig\(holding == 1 ? "" : "s") hold\(holding == 1 ? "s" : "") windows, too few for a split by contig; split by region blocks of \(block) bp instead (--split-by region)")
            }
            let splits = regions.blocks(&windows, blockSize: block, seed: options.seed)
            if let dropped = splits.droppedAcrossSplits, dropped > 0 {
                warnings.append("splits: dropped \(dropped) windows that crossed from one split's block into another's")
            }
            return splits
        } else {
            // Contigs in a seeded order; each joins test, then valid, when that brings the
            // split closer to 10% of the windows; the rest train.
            var order = perContig.indices.filter { perContig[$0] > 0 }
            var rng = SeededRandom(seed: options.seed, stream: 2)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
            let goal = Double(windows.count) / 10
            var sizes = [0, 0, 0]
            for c in order {
                let n = perContig[c]
                for split in [2, 1] where sizes[split] < Int(goal) {
                    if abs(Double(sizes[split] + n) - goal) < abs(Double(sizes[split]) - goal) {
                        code[c] = UInt8(split)
                        sizes[split] += n
                        break
                    }
                }
            }
        }
        for i in windows.indices { windows[i].split = code[Int(windows[i].contig)] }
        let valid = code.indices.filter { code[$0] == 1 }.map(name)
        let test = code.indices.filter { code[$0] == 2 }.map(name)
        return DatasetInfo.Splits(method: "chromosome", validChroms: valid, testChroms: test)
    }
}
