import Dataset
import NeuralNet

/// The references (baselines) contribution scores are measured against.
public enum ReferenceKind: Sendable, Equatable {
    /// `n` dinucleotide shuffles of each sequence (seeded per sequence and shuffle).
    case shuffles(Int)
    /// One reference per sequence: at every position the sequence's base composition,
    /// A and T (1 - gc) / 2 each, C and G gc / 2 each (gc over its A, C, G and T).
    case gc
    /// One all-zero reference (every base 0).
    case zeros
    /// References given as base codes (sequences x n x L, row i for the i-th region).
    case given(codes: [UInt8], perSequence: Int)

    /// References per sequence.
    public var count: Int {
        switch self {
        case .shuffles(let n): return n
        case .gc, .zeros: return 1
        case .given(_, let n): return n
        }
    }

    /// The references of a sequence (`codes`, L base codes) that is row `row` of its input, each
    /// an (L, 4) matrix, row-major: one-hot for shuffles and given codes (N: a zero row).
    /// Shuffle k of row r is drawn from `SeededRandom(seed: seed &+ k, stream: r)`, so a
    /// sequence's references do not depend on which worker or batch draws them.
    public func references(for codes: ArraySlice<UInt8>, row: Int, seed: UInt64) -> [[Float]] {
        let l = codes.count
        switch self {
        case .shuffles(let n):
            let sequence = Array(codes)
            return (0..<n).map { k in
                var rng = SeededRandom(seed: seed &+ UInt64(k), stream: UInt64(row))
                return ReferenceKind.oneHot(DinucleotideShuffle.shuffle(sequence, rng: &rng))
            }
        case .gc:
            var strong = 0, known = 0
            for c in codes where c < 4 {
                known += 1
                if c == 1 || c == 2 { strong += 1 }
            }
            let gc = known == 0 ? 0.5 : Float(strong) / Float(known)
            let column: [Float] = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
            return [Array([[Float]](repeating: column, count: l).joined())]
        case .zeros:
            return [[Float](repeating: 0, count: l * 4)]
        case .given(let all, let n):
            return (0..<n).map { k in
                let start = (row * n + k) * l
                return ReferenceKind.oneHot(Array(all[start..<(start + l)]))
            }
        }
    }

    /// (L, 4) one-hot rows of base codes (N and other codes: a zero row).
    public static func oneHot(_ codes: [UInt8]) -> [Float] {
        codes.withUnsafeBufferPointer { NeuralNet.oneHot(codes: $0, batch: 1, length: codes.count).data }
    }
}

/// (L, 4) maps mirrored onto the other strand: position l, base b goes to L-1-l, 3-b.
func mirrored(_ map: [Float], length l: Int) -> [Float] {
    Tensor(shape: [1, l, 4], data: map).reverseComplemented().data
}
