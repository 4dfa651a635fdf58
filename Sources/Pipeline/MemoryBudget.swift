#if canImport(Glibc)
import Glibc
#endif

/// What a run may allocate: the machine's physical memory, and the refusal a run gives
/// before it allocates more than that.
public enum MemoryBudget {
    /// Physical memory in bytes (`sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE)`); when the
    /// system does not say, 2^62 (refuse nothing here; allocation failures stay possible).
    public static let physicalBytes: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 1 << 62 }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
        return overflow ? 1 << 62 : bytes
    }()

    /// Bytes as GB with one decimal (`12.5 GB`).
    public static func gigabytes(_ bytes: Int) -> String {
        let gb = Double(bytes) / 1_073_741_824
        if gb >= 1e6 { return "\(Int(gb / 1e6)) million GB" }
        return String(format: "%.1f GB", gb)
    }

    /// nil when `bytes` fits in physical memory; otherwise the reason to refuse,
    /// "`what` would need N GB, this machine has M GB". `bytes` nil means the estimate
    /// itself overflowed.
    public static func refusal(_ what: String, bytes: Int?) -> String? {
        if let bytes, bytes <= physicalBytes { return nil }
        let need = bytes.map(gigabytes) ?? "more than 8 billion GB"
        return "\(what) would need \(need), this machine has \(gigabytes(physicalBytes))"
    }
}

/// Sums and products of sizes from outside that report overflow as nil.
public enum CheckedSize {
    /// a * b, or nil on overflow or a negative factor.
    public static func product(_ factors: Int...) -> Int? { product(factors) }

    /// The product of `factors`, or nil on overflow or a negative factor.
    public static func product(_ factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (r, o) = p.multipliedReportingOverflow(by: f)
            guard !o else { return nil }
            p = r
        }
        return p
    }

    /// The sum of `terms` (each possibly nil), or nil on overflow or a nil term.
    public static func sum(_ terms: Int?...) -> Int? { sum(terms) }

    /// The sum of `terms`, or nil on overflow or a nil term.
    public static func sum(_ terms: [Int?]) -> Int? {
        var s = 0
        for t in terms {
            guard let t else { return nil }
            let (r, o) = s.addingReportingOverflow(t)
            guard !o else { return nil }
            s = r
        }
        return s
    }
}
