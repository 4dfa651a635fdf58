/// How `crick fetch` writes sequences.
public enum SequenceFormat: String, Sendable, CaseIterable {
    /// `>chrom:start-end` then the bases on one line, as `bedtools getfasta` writes.
    case fasta
    /// `chrom:start-end<TAB>bases`, as `bedtools getfasta -tab` writes.
    case tsv
    /// One line per region of base codes 0-4 (A, C, G, T, other).
    case codes
    /// A uint8 NPY matrix (N, L) of base codes; regions must share one length.
    case npy
}
