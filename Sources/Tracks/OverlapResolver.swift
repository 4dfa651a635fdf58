/// How overlapping scored intervals share the bases they have in common.
public enum OverlapRule: String, Sendable, CaseIterable {
    /// The largest score of the intervals covering a base.
    case max
    /// The mean score of the intervals covering a base.
    case mean
}

/// Turns scored intervals (any order, possibly overlapping) into a track: sorted,
/// non-overlapping pieces where each piece takes the `rule` of the intervals covering it.
/// Adjacent pieces with equal values are joined; empty intervals cover nothing.
public func resolveOverlaps(_ intervals: [TrackInterval], rule: OverlapRule, genome: TrackGenome) -> [TrackInterval] {
    var byChrom: [Int: [TrackInterval]] = [:]
    for i in intervals where i.end > i.start {
        byChrom[genome.rank(of: i.chrom) ?? Int.max, default: []].append(i)
    }
    var out: [TrackInterval] = []
    for rank in byChrom.keys.sorted() {
        guard let list = byChrom[rank] else { continue }
        out.append(contentsOf: resolveChromosome(list, rule: rule))
    }
    return out
}

/// Sweep over the boundaries of one chromosome's intervals.
private func resolveChromosome(_ list: [TrackInterval], rule: OverlapRule) -> [TrackInterval] {
    let chrom = list[0].chrom
    let byStart = list.indices.sorted { (list[$0].start, $0) < (list[$1].start, $1) }
    let byEnd = list.indices.sorted { (list[$0].end, $0) < (list[$1].end, $1) }
    let bounds = Array(Set(list.flatMap { [$0.start, $0.end] })).sorted()
    var active = MaxHeap()          // (value, end) of the intervals started so far
    var sum = 0.0, count = 0
    var si = 0, ei = 0
    var out: [TrackInterval] = []
    for b in 0..<(bounds.count - 1) {
        let lo = bounds[b], hi = bounds[b + 1]
        while ei < byEnd.count, list[byEnd[ei]].end <= lo {
            sum -= Double(list[byEnd[ei]].value); count -= 1; ei += 1
        }
        while si < byStart.count, list[byStart[si]].start <= lo {
            let i = list[byStart[si]]
            sum += Double(i.value); count += 1
            active.push(i.value, i.end)
            si += 1
        }
        active.drop { $0 <= lo }
        guard count > 0, let top = active.top else { continue }
        let value = rule == .max ? top : Float(sum / Double(count))
        if var last = out.last, last.end == lo, last.value == value {
            last.end = hi
            out[out.count - 1] = last
        } else {
            out.append(TrackInterval(chrom: chrom, start: lo, end: hi, value: value))
        }
    }
    return out
}

/// A binary max-heap of (value, end) pairs with lazy removal of ended intervals.
private struct MaxHeap {
    private var items: [(value: Float, end: Int)] = []

    var top: Float? { items.first?.value }

    mutating func push(_ value: Float, _ end: Int) {
        items.append((value, end))
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard items[p].value < items[i].value else { break }
            items.swapAt(p, i)
            i = p
        }
    }

    /// Pops tops while `ended(top.end)`.
    mutating func drop(while ended: (Int) -> Bool) {
        while let first = items.first, ended(first.end) { pop() }
    }

    private mutating func pop() {
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count, items[l].value > items[m].value { m = l }
            if r < items.count, items[r].value > items[m].value { m = r }
            guard m != i else { break }
            items.swapAt(i, m)
            i = m
        }
    }
}
