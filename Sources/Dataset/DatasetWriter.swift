import Foundation
import Genome
import Pipeline

extension DatasetBuilder {
    /// What one batch of windows becomes: sequence codes and regions.bed lines.
    private struct Chunk {
        var codes: [UInt8] = []
        var bed: [UInt8] = []
    }

    /// Writes the planned windows into a temporary directory beside `directory` and renames
    /// it into place.
    func write(directory: String, splits: DatasetInfo.Splits, progress: ProgressReporter?, tracks: [SignalTrack]) throws -> DatasetInfo {
        let staging = try StagingDirectory(final: directory, kind: DatasetInfo.outputKind, force: options.force,
                                           legacyFiles: DatasetInfo.files)
        do {
            let info = try writeFiles(into: staging.path, splits: splits, progress: progress, tracks: tracks)
            try staging.commit()
            return info
        } catch {
            staging.abort()
            throw error
        }
    }

    private func writeFiles(into dir: String, splits: DatasetInfo.Splits, progress: ProgressReporter?, tracks: [SignalTrack]) throws -> DatasetInfo {
        let L = options.length
        let J = options.jitter, W = L + 2 * J  // stored rows: the window and J bases each side
        let T = options.tasks.count
        let n = self.windows.count
        let names = options.tasks.map(\.name)

        // sequences.npy and regions.bed stream as the workers encode.
        let sequences = try OutputFile(path: dir + "/sequences.npy")
        try sequences.write(NPYHeader.bytes(dtype: "|u1", shape: [n, W]))
        let bed = try OutputFile(path: dir + "/regions.bed")
        let splitNames = ["train", "valid", "test"].map { Array($0.utf8) }
        let kindNames = WindowKind.allCases.map { Array($0.name.utf8) }
        let contigNames = fasta.contigs.map { Array($0.name.utf8) }
        let tab = [UInt8(ascii: "\t")]
        var next = 0, written = 0
        let batch = 512
        let windows = self.windows
        let labelTable = self.labelTable
        try orderedParallelMap(threads: options.threads, next: { () -> Range<Int>? in
            guard next < n else { return nil }
            defer { next += batch }
            return next..<min(next + batch, n)
        }, transform: { range, worker in
            var chunk = Chunk()
            chunk.codes = [UInt8](repeating: 0, count: range.count * W)
            let reader = self.readers[worker]
            try chunk.codes.withUnsafeMutableBufferPointer { all in
                for (k, i) in range.enumerated() {
                    let w = windows[i]
                    let row = UnsafeMutableBufferPointer(rebasing: all[(k * W)..<((k + 1) * W)])
                    // The window and J bases each side; past a contig end the row holds N.
                    let contigLength = self.fasta.contigs[Int(w.contig)].length
                    let from = max(w.start - J, 0), to = min(w.start + L + J, contigLength)
                    let lead = from - (w.start - J)
                    for j in 0..<W { row[j] = UInt8(ascii: "N") }
                    try reader.fetch(contigIndex: Int(w.contig), from, to, into: UnsafeMutableBufferPointer(rebasing: row[lead..<(lead + to - from)]))
                    BaseCode.encode(row)
                    if w.kind == .shuffle {
                        // The window is shuffled as without jitter (same stream), then each
                        // flank on its own, so no real sequence is left in a shuffle's row.
                        var rng = SeededRandom(seed: self.options.seed, stream: UInt64(i) &+ 0x5eed)
                        for part in [J..<(J + L), 0..<J, (J + L)..<W] where !part.isEmpty {
                            let shuffled = DinucleotideShuffle.shuffle(Array(row[part]), rng: &rng)
                            for (k, j) in part.enumerated() { row[j] = shuffled[k] }
                        }
                    }
                }
            }
            chunk.bed.reserveCapacity(range.count * 64)
            for i in range {
                let w = windows[i]
                var labels: [String] = []
                if w.labelRow >= 0 {
                    for t in 0..<T where labelTable[Int(w.labelRow) * T + t] == 1 { labels.append(names[t]) }
                }
                chunk.bed += contigNames[Int(w.contig)]
                chunk.bed += tab
                appendDecimal(w.start, to: &chunk.bed)
                chunk.bed += tab
                appendDecimal(w.start + L, to: &chunk.bed)
                chunk.bed += tab
                chunk.bed += kindNames[Int(w.kind.rawValue)]
                chunk.bed += Array("\t0\t.\t".utf8)
                chunk.bed += splitNames[Int(w.split)]
                chunk.bed += tab
                chunk.bed += labels.isEmpty ? Array(".".utf8) : Array(labels.joined(separator: ",").utf8)
                chunk.bed.append(UInt8(ascii: "\n"))
            }
            return chunk
        }, emit: { (chunk: Chunk) in
            try sequences.write(chunk.codes)
            try bed.write(chunk.bed)
            written += 1
            if written % 8 == 0 { self.fasta.releaseMappedPages() }
            progress?.advance(by: chunk.codes.count / max(W, 1))
        })
        try sequences.commit()
        try bed.commit()

        // labels.npy (N, T) and split.npy (N,): small, written from memory.
        var labels = [UInt8](repeating: 0, count: n * T)
        var split = [UInt8](repeating: 0, count: n)
        var counts = DatasetInfo.Counts()
        counts.windows = n
        for t in names { counts.positivesPerTask[t] = DatasetInfo.SplitCounts() }
        for (i, w) in windows.enumerated() {
            split[i] = w.split
            counts.splits[Int(w.split)] += 1
            counts.kinds[w.kind.name, default: 0] += 1
            if w.labelRow >= 0 {
                for t in 0..<T where labelTable[Int(w.labelRow) * T + t] == 1 {
                    labels[i * T + t] = 1
                    counts.positivesPerTask[names[t], default: DatasetInfo.SplitCounts()][Int(w.split)] += 1
                }
            }
        }
        try writeNPY(dir + "/labels.npy", labels, shape: [n, T])
        try writeNPY(dir + "/split.npy", split, shape: [n])

        var signalInfo: SignalInfo?
        if let signal = options.signal {
            let target = try DatasetBuilder.checkSignal(signal, length: L, jitter: J, labelCore: options.labelCore)
            signalInfo = try writeSignal(into: dir, tracks: tracks, signal: signal, target: target)
        }
        var info = DatasetInfo(
            createdBy: "crick dataset",
            tasks: names, length: L, seed: options.seed,
            sources: .init(fasta: fasta.path, peaks: options.tasks.map { .init(name: $0.name, path: $0.path) }, exclude: options.exclude),
            options: .init(center: options.center.rawValue, labelCore: options.labelCore, negatives: options.negatives.map(\.name),
                           negativeRatio: options.negativeRatio, margin: options.margin, maxN: options.maxN, gcBins: options.gcBins,
                           flankDistance: options.flankDistance ?? L, chroms: options.chroms,
                           scoreColumn: options.peakFilter.isActive ? options.peakFilter.column.rawValue : nil,
                           minScore: options.peakFilter.minScore, top: options.peakFilter.top,
                           tileStride: options.tasks.isEmpty ? (options.tileStride ?? L) : nil),
            splits: splits, counts: counts, skipped: skipped, shortfall: shortfall, jitter: J > 0 ? J : nil)
        if let signalInfo {
            info.signal = signalInfo
            info.files += ["targets.npy"] + (signalInfo.profile ? ["profiles.npy"] : [])
        }
        try DatasetInfo.write(info, to: dir + "/dataset.json")
        progress?.finish()
        return info
    }

    private func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        out += Array(String(value).utf8)
    }

    private func writeNPY(_ path: String, _ data: [UInt8], shape: [Int]) throws {
        let out = try OutputFile(path: path)
        try out.write(NPYHeader.bytes(dtype: "|u1", shape: shape))
        try out.write(data)
        try out.commit()
    }
}

extension DatasetInfo {
    /// Writes pretty, key-sorted JSON (deterministic bytes).
    static func write(_ info: DatasetInfo, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let out = try OutputFile(path: path)
        try out.write(Array(try encoder.encode(info)) + [UInt8(ascii: "\n")])
        try out.commit()
    }

    /// Reads `dataset.json` from a dataset directory.
    public static func read(directory: String) throws -> DatasetInfo {
        let path = directory + "/dataset.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            if !FileManager.default.fileExists(atPath: directory) { throw GenomeError.fileNotFound(path: directory) }
            throw DatasetError.invalid("not a crick dataset (no dataset.json): \(directory)")
        }
        return try DatasetInfo.decode(data, path: path)
    }
}
