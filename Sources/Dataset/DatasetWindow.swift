import Genome

/// One window of a dataset being built.
struct DatasetWindow {
    /// Contig index in the FASTA.
    var contig: Int32
    /// 0-based start (for shuffles: the start of the positive they shuffle).
    var start: Int
    var kind: WindowKind
    /// For shuffles: which shuffle of that positive (0, 1, ...); otherwise 0.
    var round: Int32 = 0
    /// Offset of this window's labels in the label table, or -1 for all zeros.
    var labelRow: Int32 = -1
    /// Split code: 0 train, 1 valid, 2 test.
    var split: UInt8 = 0

    /// Sort order of the dataset: by contig, start, kind, round.
    static func ordered(_ a: DatasetWindow, _ b: DatasetWindow) -> Bool {
        if a.contig != b.contig { return a.contig < b.contig }
        if a.start != b.start { return a.start < b.start }
        if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
        return a.round < b.round
    }
}

/// Base composition of a window.
struct Composition {
    /// (G + C) / (A + C + G + T); 0 when there is no A, C, G or T.
    var gc: Double
    /// Fraction of bases that are not A, C, G or T.
    var n: Double

    /// The composition given base counts over `length` bases.
    init(counts: BaseCounts, length: Int) {
        gc = counts.gcFraction
        n = length > 0 ? Double(counts.other) / Double(length) : 0
    }

    /// The composition of base codes.
    init(codes: UnsafeBufferPointer<UInt8>) {
        var counts = (0, 0, 0)  // GC, ACGT, other
        for c in codes {
            if c == 1 || c == 2 { counts.0 += 1 }
            if c < 4 { counts.1 += 1 } else { counts.2 += 1 }
        }
        gc = counts.1 > 0 ? Double(counts.0) / Double(counts.1) : 0
        n = codes.isEmpty ? 0 : Double(counts.2) / Double(codes.count)
    }
}
