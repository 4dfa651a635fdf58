import Foundation

/// A DNA motif as a position probability matrix: `probabilities[i]` is the distribution over
/// A, C, G, T at position i (each row sums to 1).
public struct Motif: Sendable, Equatable {
    /// Identifier (JASPAR matrix ID, or the MEME motif name).
    public var id: String
    /// Alternative name (the TF), when known.
    public var name: String
    /// Rows of 4 probabilities in ACGT order, one per position.
    public var probabilities: [[Double]]
    /// Number of sites the matrix was built from, when known.
    public var sites: Int?
    /// Source URL, when known.
    public var url: String?

    public init(id: String, name: String, probabilities: [[Double]], sites: Int? = nil, url: String? = nil) {
        self.id = id
        self.name = name
        self.probabilities = probabilities
        self.sites = sites
        self.url = url
    }

    /// Width in positions.
    public var width: Int { probabilities.count }

    /// The motif without flanking columns under `bits` of information, but for `pad` columns each
    /// side of the informative core; at least its most informative column.
    public func trimmed(bits: Double, pad: Int) -> Motif {
        let ic = informationContent
        guard let first = ic.firstIndex(where: { $0 >= bits }), let last = ic.lastIndex(where: { $0 >= bits }) else {
            let best = ic.indices.max { ic[$0] < ic[$1] } ?? 0
            var t = self
            t.probabilities = ic.isEmpty ? [] : [probabilities[best]]
            return t
        }
        var t = self
        let lo = max(0, first - pad), hi = min(ic.count - 1, last + pad)
        t.probabilities = Array(probabilities[lo...hi])
        return t
    }

    /// The reverse complement: positions reversed, A<->T and C<->G swapped.
    public var reverseComplement: Motif {
        var m = self
        m.probabilities = probabilities.reversed().map { Array($0.reversed()) }
        return m
    }

    /// Information content of each position in bits (uniform background).
    public var informationContent: [Double] {
        probabilities.map { row in 2 + row.reduce(0) { $1 > 0 ? $0 + $1 * log2($1) : $0 } }
    }

    /// The most probable base at each position (N where no base reaches 0.5 and two tie).
    public var consensus: String {
        String(probabilities.map { row -> Character in
            let best = row.indices.max { row[$0] < row[$1] } ?? 0
            return Array("ACGT")[best]
        })
    }

    /// True for the motif's ID or name, compared without case.
    public func matches(_ key: String) -> Bool {
        id.caseInsensitiveCompare(key) == .orderedSame || name.caseInsensitiveCompare(key) == .orderedSame
    }
}
