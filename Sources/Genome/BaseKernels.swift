/// Fast kernels over raw base bytes, 16 at a time with portable SIMD (no host-specific
/// flags); `BaseCode.encodeNaive` and `BaseCounts.countNaive` are their reference twins.
extension BaseCode {
    /// Replaces bases with their codes in place (SIMD kernel; same result as `encodeNaive`).
    public static func encode(_ bases: UnsafeMutableBufferPointer<UInt8>) {
        guard let p = bases.baseAddress else { return }
        let n = bases.count
        var i = 0
        let raw = UnsafeMutableRawPointer(p)
        let lowerBit = SIMD16<UInt8>(repeating: 0x20)
        let a = SIMD16<UInt8>(repeating: 97), c = SIMD16<UInt8>(repeating: 99)
        let g = SIMD16<UInt8>(repeating: 103), t = SIMD16<UInt8>(repeating: 116)
        while i + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self) | lowerBit
            var code = SIMD16<UInt8>(repeating: 4)
            code.replace(with: 0, where: v .== a)
            code.replace(with: 1, where: v .== c)
            code.replace(with: 2, where: v .== g)
            code.replace(with: 3, where: v .== t)
            raw.storeBytes(of: code, toByteOffset: i, as: SIMD16<UInt8>.self)
            i += 16
        }
        while i < n {
            p[i] = table[Int(p[i])]
            i += 1
        }
    }

    /// Replaces bases with their codes in place, one table lookup per base (reference).
    public static func encodeNaive(_ bases: UnsafeMutableBufferPointer<UInt8>) {
        for i in bases.indices { bases[i] = table[Int(bases[i])] }
    }
}

/// Counts of G or C, of A, C, G or T, and of anything else, in raw bases (either case).
public struct BaseCounts: Equatable, Sendable {
    public var gc = 0
    public var acgt = 0
    public var other = 0

    public init(gc: Int = 0, acgt: Int = 0, other: Int = 0) {
        self.gc = gc
        self.acgt = acgt
        self.other = other
    }

    /// GC fraction of the A, C, G, T bases (0 when there are none).
    public var gcFraction: Double { acgt > 0 ? Double(gc) / Double(acgt) : 0 }

    /// Adds the counts of `bases` (SIMD kernel; same result as `countNaive`).
    public mutating func count(_ bases: UnsafeBufferPointer<UInt8>) {
        guard let p = bases.baseAddress else { return }
        let raw = UnsafeRawPointer(p)
        let n = bases.count
        let lowerBit = SIMD16<UInt8>(repeating: 0x20)
        let a = SIMD16<UInt8>(repeating: 97), c = SIMD16<UInt8>(repeating: 99)
        let g = SIMD16<UInt8>(repeating: 103), t = SIMD16<UInt8>(repeating: 116)
        var i = 0
        // Byte lanes count at most 255 per lane: flush every 240 vectors.
        while i + 16 <= n {
            var gcLanes = SIMD16<UInt8>(), atLanes = SIMD16<UInt8>()
            var k = 0
            while k < 240 && i + 16 <= n {
                let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self) | lowerBit
                let isGC = (v .== c) .| (v .== g)
                let isAT = (v .== a) .| (v .== t)
                gcLanes &+= SIMD16<UInt8>(repeating: 0).replacing(with: 1, where: isGC)
                atLanes &+= SIMD16<UInt8>(repeating: 0).replacing(with: 1, where: isAT)
                i += 16
                k += 1
            }
            let gcCount = Int(SIMD16<UInt16>(truncatingIfNeeded: gcLanes).wrappedSum())
            let atCount = Int(SIMD16<UInt16>(truncatingIfNeeded: atLanes).wrappedSum())
            gc += gcCount
            acgt += gcCount + atCount
            other += 16 * k - gcCount - atCount
        }
        if i < n { countTail(UnsafeBufferPointer(rebasing: bases[i...])) }
    }

    /// 1 for G and C (either case), else 0.
    private static let gcTable: [UInt8] = (0..<256).map { BaseCode.table[$0] == 1 || BaseCode.table[$0] == 2 ? 1 : 0 }
    /// 1 for A, C, G and T (either case), else 0.
    private static let acgtTable: [UInt8] = (0..<256).map { BaseCode.table[$0] < 4 ? 1 : 0 }

    /// The fewer-than-16 bases after the vector loop, by table lookups without branches.
    private mutating func countTail(_ bases: UnsafeBufferPointer<UInt8>) {
        var g = 0, k = 0
        BaseCounts.gcTable.withUnsafeBufferPointer { gt in
            BaseCounts.acgtTable.withUnsafeBufferPointer { at in
                for b in bases {
                    g &+= Int(gt[Int(b)])
                    k &+= Int(at[Int(b)])
                }
            }
        }
        gc += g
        acgt += k
        other += bases.count - k
    }

    /// Adds the counts of `bases`, one base at a time (reference).
    public mutating func countNaive(_ bases: UnsafeBufferPointer<UInt8>) {
        for b in bases {
            switch BaseCode.table[Int(b)] {
            case 1, 2: gc += 1; acgt += 1
            case 0, 3: acgt += 1
            default: other += 1
            }
        }
    }
}
