/// A seedable random generator (SplitMix64): the same seed gives the same stream on every
/// machine and thread count, unlike the system generator.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator for `seed`; `stream` derives independent generators from one seed
    /// (for example one per window), so that work can be split without sharing state.
    public init(seed: UInt64, stream: UInt64 = 0) {
        state = seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1)
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<n (n > 0), without modulo bias.
    public mutating func below(_ n: Int) -> Int {
        Int(next(upperBound: UInt64(n)))
    }

    /// A uniform double in [0, 1).
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
