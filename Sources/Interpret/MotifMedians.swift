import CKernels
import Dataset
import Foundation

/// The sorting reference for a column's median (non-finite scores, and the tests' oracle).
extension MotifComparison {
    /// The median of `v` (reordered in place): the middle value, or the mean of the two middle
    /// values for an even count; the value a full sort gives, found by selection.
    static func median(_ v: inout [Double]) -> Double {
        let n = v.count
        guard n > 0 else { return 0 }
        if n < 256 {
            let upper = select(&v, n / 2)
            guard n % 2 == 0 else { return upper }
            // The lower middle value is the largest of the values before the upper one.
            var lower = -Double.infinity
            for i in 0..<(n / 2) { lower = max(lower, v[i]) }
            return (lower + upper) / 2
        }
        let (lower, upper) = middleValues(v, n % 2 == 0 ? n / 2 - 1 : n / 2, n / 2)
        return n % 2 == 0 ? (lower + upper) / 2 : upper
    }

    /// The j-th and k-th smallest values of `v` (0-based, j <= k; the values a sort puts
    /// there): the values counted into buckets by a monotone map of their value, then only
    /// the buckets holding ranks j and k sorted. Exact for finite values.
    static func middleValues(_ v: [Double], _ j: Int, _ k: Int) -> (Double, Double) {
        guard v.allSatisfy({ $0.isFinite }) else {
            // Not a number or infinite values: a sort (NaN last) decides.
            let s = v.sorted { $0 < $1 || (!$0.isNaN && $1.isNaN) }
            return (s[j], s[k])
        }
        var lo = Double.infinity, hi = -Double.infinity
        for x in v { lo = min(lo, x); hi = max(hi, x) }
        guard hi > lo else { return (lo, lo) }
        let buckets = 4096
        let scale = Double(buckets) / (hi - lo)
        @inline(__always) func bucket(_ x: Double) -> Int { min(buckets - 1, Int((x - lo) * scale)) }
        var counts = [Int](repeating: 0, count: buckets)
        v.withUnsafeBufferPointer { vp in counts.withUnsafeMutableBufferPointer { cp in for x in vp { cp[bucket(x)] += 1 } } }
        // The buckets of ranks j and k, and the ranks below the first.
        var below = 0, first = 0
        while below + counts[first] <= j { below += counts[first]; first += 1 }
        var last = first, belowLast = below
        while belowLast + counts[last] <= k { belowLast += counts[last]; last += 1 }
        var kept: [Double] = []
        kept.reserveCapacity(belowLast + counts[last] - below)
        for x in v { let b = bucket(x); if b >= first && b <= last { kept.append(x) } }
        kept.sort()
        return (kept[j - below], kept[k - below])
    }

    /// Reorders `v` so that v[k] holds the value a sort would put there, no value before it
    /// greater and none after it smaller (Hoare's selection with a median-of-three pivot).
    static func select(_ v: inout [Double], _ k: Int) -> Double {
        var lo = 0, hi = v.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if v[mid] < v[lo] { v.swapAt(mid, lo) }
            if v[hi] < v[lo] { v.swapAt(hi, lo) }
            if v[hi] < v[mid] { v.swapAt(hi, mid) }
            let pivot = v[mid]
            var i = lo, j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while pivot < v[j] { j -= 1 }
                if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return v[k] }
        }
        return v[k]
    }
}
