/// The strand bookkeeping of an `rc` model as its layers are built: which channel of the
/// current feature map is the reverse complement of which, and which RC head the next dense
/// layer must be.
///
/// While `pairsChannels` holds, the current (L, C) map is in Shrikumar's RC layout: the reverse
/// complement of channel c is channel C-1-c (the one-hot input, ACGT, is such a map: its RC is
/// TGCA). RC convolutions need such a map and give one; RC batch norms share statistics
/// between the channels it pairs. The layers that make the output RC-invariant end it: a
/// weighted sum (tied between strands), an RC sum pool (inserted before a global pooling), or
/// the DenseAfterRevcompConv1D that absorbs a flatten. In `standard` and `conjoined` models
/// it never holds.
struct RCMapping {
    /// The model shares parameters between strands (`rc` mode).
    let sharesStrands: Bool
    /// The current feature map pairs channel c with its reverse complement C-1-c.
    private(set) var pairsChannels: Bool
    /// A flatten of an RC map was absorbed: the next dense layer is a DenseAfterRevcompConv1D.
    private(set) var pendingFlatten = false
    /// A tied weighted sum came before: the next dense layer is a DenseAfterRevcompWeightedSum.
    private(set) var afterRCWeightedSum = false

    init(strand: StrandMode) {
        sharesStrands = strand == .rc
        pairsChannels = sharesStrands
    }

    /// Whether a convolution is an RC convolution; in `rc` mode its input must be an RC map.
    func convolutionIsRC() throws -> Bool {
        if sharesStrands {
            guard pairsChannels else { throw NetworkError.architecture("an RC convolution needs an RC feature map") }
        }
        return sharesStrands
    }

    /// Whether a layer on a map of `shape` sees channel pairs (an (L, C) map in the RC layout).
    func isRCMap(_ shape: [Int]) -> Bool { pairsChannels && shape.count == 2 }

    /// A flatten of a map of `shape`: true when it is absorbed by the DenseAfterRevcompConv1D
    /// that follows (the map stays in the RC layout until that dense layer).
    mutating func absorbsFlatten(_ shape: [Int]) -> Bool {
        guard isRCMap(shape) else { return false }
        pendingFlatten = true
        return true
    }

    /// A global pooling of a map of `shape`: true when an RC sum pool must come first (which
    /// ends the RC layout).
    mutating func needsSumPoolBeforeGlobalPool(_ shape: [Int]) -> Bool {
        guard isRCMap(shape) else { return false }
        pairsChannels = false
        return true
    }

    /// A weighted sum: whether it is tied between strands (then the next dense layer is a
    /// DenseAfterRevcompWeightedSum); it ends the RC layout.
    mutating func weightedSumIsTied() -> Bool {
        let tied = pairsChannels
        afterRCWeightedSum = tied
        pairsChannels = false
        return tied
    }

    /// An RC sum pool ends the RC layout.
    mutating func rcSumPool() { pairsChannels = false }

    /// What a dense layer must be.
    enum DenseHead {
        /// DenseAfterRevcompWeightedSum: after a tied weighted sum.
        case afterWeightedSum
        /// DenseAfterRevcompConv1D: in place of an absorbed flatten, on the (L, C) RC map.
        case afterFlatten
        /// A plain dense layer on a flat vector.
        case plain
    }

    /// The kind of the next dense layer, consuming the pending head.
    mutating func denseHead() -> DenseHead {
        if afterRCWeightedSum {
            afterRCWeightedSum = false
            return .afterWeightedSum
        }
        if pendingFlatten {
            pendingFlatten = false
            pairsChannels = false
            return .afterFlatten
        }
        return .plain
    }
}
