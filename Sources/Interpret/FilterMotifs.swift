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

    public init(model: Model, threshold: Float = 0.5, window: Int? = nil, trimBits: Double = 0.5, trimPad: Int = 0) throws {
        self.model = model
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
        let firstPass = try batches()
        while let batch = try firstPass() {
            let a = activations(batch.codes, batch: batch.count, length: batch.length)
            let lout = a.shape[1]
            let owned = batch.positions ?? 0..<lout
            a.data.withUnsafeBufferPointer { ys in
                guard let y = ys.baseAddress else { return }
                for item in 0..<batch.count {
                    for p in owned.clamped(to: 0..<lout) {
                        let row = y + (item * lout + p) * c
                        for ch in 0..<c where row[ch] > maxima[filterOf[ch]] { maxima[filterOf[ch]] = row[ch] }
                    }
                }
            }
            cached += a.count * 4 + batch.codes.count
            if cache != nil, cached <= cacheBytes { cache?.append((batch, a)) } else { cache = nil }
        }
        let w = window ?? layer.kernel
        // Window start = position - shift. The columns beyond the filter span split extraLeft and
        // extraRight; the other strand's channel takes them mirrored, so that once its window is
        // reverse-complemented the filter span sits on the same rows as on the forward strand.
        let extraLeft = (w - layer.kernel) / 2, extraRight = w - layer.kernel - extraLeft
        let shifts = (forward: layer.padLeft + extraLeft, reverse: layer.padLeft + extraRight)
        let cut = (0..<f).map { maxima[$0] > 0 ? threshold * maxima[$0] : Float.infinity }
        // counts[(filter * w + row) * 4 + base]
        var counts = [Double](repeating: 0, count: f * w * 4)
        var sites = [Int](repeating: 0, count: f)
        func count(_ batch: SequenceBatch, _ a: Tensor) {
            let lout = a.shape[1], l = batch.length
            let owned = (batch.positions ?? 0..<lout).clamped(to: 0..<lout)
            a.data.withUnsafeBufferPointer { ys in
                batch.codes.withUnsafeBufferPointer { cs in
                    counts.withUnsafeMutableBufferPointer { ks in
                        guard let y = ys.baseAddress, let codes = cs.baseAddress, let k = ks.baseAddress else { return }
                        for item in 0..<batch.count {
                            for p in owned {
                                let row = y + (item * lout + p) * c
                                for ch in 0..<c {
                                    let filter = filterOf[ch]
                                    guard row[ch] > cut[filter] else { continue }
                                    let reverse = layer.reverseComplement && ch >= f
                                    let start = p - (reverse ? shifts.reverse : shifts.forward)
                                    guard start >= 0, start + w <= l else { continue }
                                    sites[filter] += 1
                                    let window = codes + item * l + start, out = k + filter * w * 4
                                    for j in 0..<w {
                                        let code = Int(window[j])
                                        guard code < 4 else { continue }
                                        // The other strand's channel sees the motif reverse-complemented.
                                        if reverse { out[(w - 1 - j) * 4 + 3 - code] += 1 } else { out[j * 4 + code] += 1 }
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
