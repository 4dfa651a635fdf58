import Dispatch
import Dataset
import Genome
import NeuralNet

/// The batches of one pass over the sequences: each call starts a pass and returns its
/// `next` function (nil at the end; read errors are thrown).
public typealias SequenceBatches = () throws -> () throws -> SequenceBatch?

/// A batch of equal-length sequences (base codes) for `FilterMotifExtractor`.
public struct SequenceBatch {
    /// `count` rows of `length` codes.
    public var codes: [UInt8]
    public var count: Int
    public var length: Int
    /// The output positions of each row that count (nil: all). A chunk of a long record
    /// overlaps its neighbours and owns only its own positions, so that every position of the
    /// record counts once, computed from its real neighbourhood.
    public var positions: Range<Int>?

    public init(codes: [UInt8], count: Int, length: Int, positions: Range<Int>? = nil) {
        self.codes = codes
        self.count = count
        self.length = length
        self.positions = positions
    }
}

/// The first convolution of a model, seen as motif detectors.
public struct FirstLayer: Sendable {
    /// Layers `0..<end` give the map whose positions are averaged (after the first batch norm
    /// and activation, when they follow the convolution).
    public let end: Int
    public let kernel: Int
    /// Input offset of output position 0 (`same` padding shifts it left).
    public let padLeft: Int
    /// Learned filters (one motif each).
    public let filters: Int
    /// Channels of the map: 2F in rc models, where channel 2F-1-f is filter f on the other strand.
    public let channels: Int
    public let reverseComplement: Bool

    /// Reads the first layers of `model`; throws when it does not start with a convolution.
    public init(_ model: Model) throws {
        guard let conv = model.layers.first as? Conv1D else {
            throw NetworkError.architecture("the model's first layer is not a convolution")
        }
        kernel = conv.kernelSize
        padLeft = conv.padding == .same ? (kernel - 1) / 2 : 0
        reverseComplement = conv is RCConv1D
        channels = model.shapes[0].last ?? 0
        filters = reverseComplement ? channels / 2 : channels
        var end = 1
        while end < model.layers.count, model.layers[end] is BatchNorm { end += 1 }
        if end < model.layers.count, model.layers[end] is Activation { end += 1 }
        self.end = end
    }
}

/// One filter's motif: the position probability matrix of the sequences that activate it.
public struct FilterMotif: Sendable {
    /// 0-based filter index.
    public let filter: Int
    /// The motif, trimmed of low-information flanks (ID `filterN`, 1-based as in MEME output).
    public let motif: Motif
    /// Aligned sequences averaged.
    public let sites: Int
    /// Information content of the trimmed motif, in bits.
    public var informationContent: Double { motif.informationContent.reduce(0, +) }

    public init(filter: Int, motif: Motif, sites: Int) {
        self.filter = filter
        self.motif = motif
        self.sites = sites
    }
}

/// Activation-based PWMs of first-layer filters (Koo & Ploenzke 2021): the positions where a
/// filter's output exceeds `threshold` x its maximum over the data, the one-hot windows aligned
/// there averaged into a position probability matrix, flanks below `trimBits` trimmed (keeping
/// `trimPad` columns beyond the informative core, as Koo & Ploenzke's analysis does with 3). In rc
/// models a filter's reverse-complement channel adds its windows reverse-complemented.
///
/// Two passes over the sequences: the maximum of each filter, then the windows above the
/// threshold. Sequences come as base codes (0-3, 4 for N) in batches of equal length.
public final class FilterMotifExtractor {
    public let model: Model
    public let layer: FirstLayer
    public let threshold: Float
    /// Window width (nil: the filter width), centred on the filter's span.
    public let window: Int?
    public let trimBits: Double
    /// Columns kept on each side of the first and last column of at least `trimBits`.
    public let trimPad: Int
    /// Threads that scan the activation maps (each a share of every batch's sequences; the
    /// network's own loops follow `setBLASThreads`). Counts are whole numbers, so the motifs are
    /// the same at any thread count.
    public let threads: Int

    public init(model: Model, threshold: Float = 0.5, window: Int? = nil, trimBits: Double = 0.5, trimPad: Int = 0,
                threads: Int = 1) throws {
        self.model = model
        self.threads = max(1, threads)
        layer = try FirstLayer(model)
        self.threshold = threshold
        self.window = window
        self.trimBits = trimBits
        self.trimPad = max(0, trimPad)
    }

    /// Activation maps (B, Lout, C) of a batch of codes (B x L).
    func activations(_ codes: [UInt8], batch: Int, length: Int) -> Tensor {
        let x = codes.withUnsafeBufferPointer { oneHot(codes: $0, batch: batch, length: length) }
        return model.inference(x, layers: 0..<layer.end)
    }

    /// Runs both passes over `batches()`: the maxima, then the windows above the threshold.
    /// The activation maps of the first pass are kept for the second while they fit in
    /// `cacheBytes`; past that `batches()` is called again (each call yields the same batches)
    /// and the maps recomputed, so memory stays bounded however long the input.
    public func extract(_ batches: SequenceBatches, cacheBytes: Int = 64 << 20) throws -> [FilterMotif] {
        let f = layer.filters, c = layer.channels
        // The filter of each channel (rc models: channel 2F-1-f is filter f on the other strand).
        let filterOf = (0..<c).map { ch in ch < f ? ch : (layer.reverseComplement ? 2 * f - 1 - ch : ch) }
        var maxima = [Float](repeating: -.infinity, count: f)
        var cache: [(SequenceBatch, Tensor)]? = []
        var cached = 0
        // Per-worker tallies: maxima (threads, F), counts (threads, F, w, 4), sites (threads, F).
        let workers = threads
        let w = window ?? layer.kernel
        let tally = ExtractionTally(workers: workers, filters: f, width: w)
        defer { tally.deallocate() }
        let filterOfBuffer = filterOf.map { Int32($0) }
        // Items split evenly between the workers.
        func split(_ batch: SequenceBatch, _ body: @escaping (Int, Range<Int>) -> Void) {
            let items = batch.count, n = min(workers, items)
            if n <= 1 { body(0, 0..<items); return }
            let box = SendableBox(body)
            DispatchQueue.concurrentPerform(iterations: n) { k in box.value(k, (k * items / n)..<((k + 1) * items / n)) }
        }
        let firstPass = try batches()
        while let batch = try firstPass() {
            let a = activations(batch.codes, batch: batch.count, length: batch.length)
            let lout = a.shape[1]
            let owned = (batch.positions ?? 0..<lout).clamped(to: 0..<lout)
            a.data.withUnsafeBufferPointer { ys in
                filterOfBuffer.withUnsafeBufferPointer { fo in
                    guard let y = SendablePointer(ys.baseAddress), let filterOfCh = SendablePointer(fo.baseAddress) else { return }
                    split(batch) { k, items in
                        let m = tally.maxima + k * f
                        for item in items {
                            for p in owned {
                                let row = y.pointer + (item * lout + p) * c
                                for ch in 0..<c {
                                    let filter = Int(filterOfCh.pointer[ch])
                                    if row[ch] > m[filter] { m[filter] = row[ch] }
                                }
                            }
                        }
                    }
                }
            }
            cached += a.count * 4 + batch.codes.count
            if cache != nil, cached <= cacheBytes { cache?.append((batch, a)) } else { cache = nil }
        }
        for k in 0..<workers { for filter in 0..<f where tally.maxima[k * f + filter] > maxima[filter] { maxima[filter] = tally.maxima[k * f + filter] } }
        // Window start = position - shift. The columns beyond the filter span split extraLeft and
        // extraRight; the other strand's channel takes them mirrored, so that once its window is
        // reverse-complemented the filter span sits on the same rows as on the forward strand.
        let extraLeft = (w - layer.kernel) / 2, extraRight = w - layer.kernel - extraLeft
        let shifts = (forward: layer.padLeft + extraLeft, reverse: layer.padLeft + extraRight)
        // The cut of each channel's filter, and whether the channel is the other strand's.
        let cutOfChannel = (0..<c).map { ch -> Float in maxima[filterOf[ch]] > 0 ? threshold * maxima[filterOf[ch]] : Float.infinity }
        let reverseChannel = (0..<c).map { ch -> Bool in layer.reverseComplement && ch >= f }
        func count(_ batch: SequenceBatch, _ a: Tensor) {
            let lout = a.shape[1], l = batch.length
            let owned = (batch.positions ?? 0..<lout).clamped(to: 0..<lout)
            a.data.withUnsafeBufferPointer { ys in
                batch.codes.withUnsafeBufferPointer { cs in
                    cutOfChannel.withUnsafeBufferPointer { cp in
                        filterOfBuffer.withUnsafeBufferPointer { fo in
                            reverseChannel.withUnsafeBufferPointer { rp in
                                guard let y = SendablePointer(ys.baseAddress), let codes = SendablePointer(cs.baseAddress),
                                      let cut = SendablePointer(cp.baseAddress), let filterOfCh = SendablePointer(fo.baseAddress),
                                      let isReverse = SendablePointer(rp.baseAddress) else { return }
                                split(batch) { k, items in
                                    // counts[(filter * w + row) * 4 + base] of this worker
                                    let counts = tally.counts + k * f * w * 4, sites = tally.sites + k * f
                                    for item in items {
                                        for p in owned {
                                            let row = y.pointer + (item * lout + p) * c
                                            for ch in 0..<c where row[ch] > cut.pointer[ch] {
                                                let filter = Int(filterOfCh.pointer[ch]), reverse = isReverse.pointer[ch]
                                                let start = p - (reverse ? shifts.reverse : shifts.forward)
                                                guard start >= 0, start + w <= l else { continue }
                                                sites[filter] += 1
                                                let window = codes.pointer + item * l + start, out = counts + filter * w * 4
                                                // The other strand's channel sees the motif reverse-complemented.
                                                if reverse {
                                                    for j in 0..<w where window[j] < 4 { out[(w - 1 - j) * 4 + 3 - Int(window[j])] += 1 }
                                                } else {
                                                    for j in 0..<w where window[j] < 4 { out[j * 4 + Int(window[j])] += 1 }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let cache {
            for (batch, a) in cache { count(batch, a) }
        } else {
            let secondPass = try batches()
            while let batch = try secondPass() { count(batch, activations(batch.codes, batch: batch.count, length: batch.length)) }
        }
        // The workers' tallies summed (whole numbers: exact in any order).
        var counts = [Double](repeating: 0, count: f * w * 4)
        var sites = [Int](repeating: 0, count: f)
        for k in 0..<workers {
            for i in 0..<(f * w * 4) { counts[i] += tally.counts[k * f * w * 4 + i] }
            for filter in 0..<f { sites[filter] += tally.sites[k * f + filter] }
        }
        return (0..<f).map { filter in
            let rows = (0..<w).map { j -> [Double] in
                let r = Array(counts[((filter * w + j) * 4)..<((filter * w + j) * 4 + 4)])
                let total = r.reduce(0, +)
                return total > 0 ? r.map { $0 / total } : [0.25, 0.25, 0.25, 0.25]
            }
            let full = Motif(id: "filter\(filter + 1)", name: "filter\(filter + 1)", probabilities: rows, sites: sites[filter])
            return FilterMotif(filter: filter, motif: trimmed(full), sites: sites[filter])
        }
    }

    /// The records of `fasta` at least the filter width long, in chunks of `chunk` output
    /// positions that overlap their neighbours by enough context for the convolution and the
    /// window: memory stays bounded however long a record is, and the motifs are those of
    /// whole records. Throws when no record is long enough.
    public func fastaBatches(_ fasta: FastaFile, chunk: Int = 1 << 16) throws -> SequenceBatches {
        let records = fasta.contigs.indices.filter { fasta.contigs[$0].length >= layer.kernel }
        guard !records.isEmpty else {
            throw InterpretError.invalid("no sequence in \(fasta.path) is as long as the filters (\(layer.kernel))")
        }
        let margin = 2 * (layer.kernel + (window ?? layer.kernel))
        let step = max(chunk, 1)
        return {
            let reader = try fasta.makeReader()
            var record = 0, start = 0
            return {
                guard record < records.count else { return nil }
                let i = records[record]
                let n = fasta.contigs[i].length
                let end = min(n, start + step)
                let (from, to) = (max(0, start - margin), min(n, end + margin))
                let owned = (start - from)..<(end - from)
                start = end
                if start >= n { record += 1; start = 0 }
                var codes = try reader.sequence(contigIndex: i, from, to)
                codes.withUnsafeMutableBufferPointer { BaseCode.encode($0) }
                return SequenceBatch(codes: codes, count: 1, length: codes.count, positions: owned)
            }
        }
    }

    /// The motif without flanking columns under `trimBits`, but for `trimPad` columns each side of
    /// the informative core; at least its most informative column.
    func trimmed(_ m: Motif) -> Motif { m.trimmed(bits: trimBits, pad: trimPad) }
}

/// The extraction workers' running tallies, each worker's at its own offset: maxima (workers,
/// F), window base counts (workers, F, w, 4) and sites (workers, F).
private struct ExtractionTally: @unchecked Sendable {
    let maxima: UnsafeMutablePointer<Float>
    let counts: UnsafeMutablePointer<Double>
    let sites: UnsafeMutablePointer<Int>

    init(workers: Int, filters f: Int, width w: Int) {
        maxima = .allocate(capacity: max(1, workers * f))
        maxima.initialize(repeating: -.infinity, count: workers * f)
        counts = .allocate(capacity: max(1, workers * f * w * 4))
        counts.initialize(repeating: 0, count: workers * f * w * 4)
        sites = .allocate(capacity: max(1, workers * f))
        sites.initialize(repeating: 0, count: workers * f)
    }

    func deallocate() {
        maxima.deallocate()
        counts.deallocate()
        sites.deallocate()
    }
}

/// A pointer read by the extraction's workers while its buffer is held.
private struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafePointer<T>
    init?(_ pointer: UnsafePointer<T>?) {
        guard let pointer else { return nil }
        self.pointer = pointer
    }
}

/// A closure run by the extraction's workers.
private struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
