/// Dinucleotide shuffling that keeps the count of every dinucleotide exactly (Altschul &
/// Erickson 1985), by a random Eulerian walk through the sequence's dinucleotide graph: a
/// uniform random arborescence of "last exits" towards the final symbol (Wilson's algorithm),
/// the other exits of each symbol shuffled, then one walk from the first symbol.
/// Works on base codes 0-4 (N is a fifth symbol); first and last symbols are kept.
public enum DinucleotideShuffle {
    /// A shuffle of `codes` (values 0...4) drawn with `rng`.
    public static func shuffle(_ codes: [UInt8], rng: inout SeededRandom) -> [UInt8] {
        let n = codes.count
        guard n > 2 else { return codes }
        // Successors of each symbol, in sequence order.
        var exits = [[UInt8]](repeating: [], count: 5)
        for i in 0..<(n - 1) { exits[Int(codes[i])].append(codes[i + 1]) }
        let last = Int(codes[n - 1])

        // Wilson's algorithm: a random spanning arborescence rooted at the last symbol.
        var inTree = [Bool](repeating: false, count: 5)
        var nextInTree = [Int](repeating: -1, count: 5)
        inTree[last] = true
        for start in 0..<5 where !exits[start].isEmpty && !inTree[start] {
            var u = start
            while !inTree[u] {
                nextInTree[u] = Int(exits[u][rng.below(exits[u].count)])
                u = nextInTree[u]
            }
            u = start
            while !inTree[u] {
                inTree[u] = true
                u = nextInTree[u]
            }
        }
        // Each symbol's exits: shuffled, with its tree exit last.
        for v in 0..<5 where !exits[v].isEmpty {
            if v != last, let k = exits[v].firstIndex(of: UInt8(nextInTree[v])) {
                exits[v].swapAt(k, exits[v].count - 1)
                let treeExit = exits[v].removeLast()
                fisherYates(&exits[v], &rng)
                exits[v].append(treeExit)
            } else {
                fisherYates(&exits[v], &rng)
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(n)
        var used = [Int](repeating: 0, count: 5)
        var u = Int(codes[0])
        out.append(UInt8(u))
        for _ in 1..<n {
            let v = exits[u][used[u]]
            used[u] += 1
            out.append(v)
            u = Int(v)
        }
        return out
    }

    /// Counts of the 25 dinucleotides of `codes` (index 5 * first + second).
    public static func dinucleotideCounts(_ codes: [UInt8]) -> [Int] {
        var c = [Int](repeating: 0, count: 25)
        if codes.count > 1 { for i in 0..<(codes.count - 1) { c[Int(codes[i]) * 5 + Int(codes[i + 1])] += 1 } }
        return c
    }

    private static func fisherYates(_ a: inout [UInt8], _ rng: inout SeededRandom) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            a.swapAt(i, rng.below(i + 1))
        }
    }
}
