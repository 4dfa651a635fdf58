/// The base codes of ARCHITECTURE.md: A=0, C=1, G=2, T=3, anything else 4; case-insensitive.
public enum BaseCode {
    /// Code for an unknown base (N, IUPAC ambiguity codes, anything else).
    public static let unknown: UInt8 = 4

    /// Code of every byte value.
    public static let table: [UInt8] = {
        var t = [UInt8](repeating: unknown, count: 256)
        for (i, c) in "ACGT".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
            t[Int(c) + 32] = UInt8(i)  // lowercase (soft-masked)
        }
        return t
    }()

    /// The code of one base byte.
    @inlinable
    public static func code(_ base: UInt8) -> UInt8 { table[Int(base)] }

    /// The complement of a code (4 stays 4).
    @inlinable
    public static func complement(_ code: UInt8) -> UInt8 { code < 4 ? 3 - code : code }
}
