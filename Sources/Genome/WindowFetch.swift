extension FastaReader {
    /// Appends the base codes (0-4) of [start, start + length) on a contig to `codes`, reading
    /// N (4) where the window runs past either end of the contig; returns true when it did.
    @discardableResult
    public func appendWindowCodes(to codes: inout [UInt8], contigIndex: Int, start: Int, length: Int) throws -> Bool {
        let n = file.contigs[contigIndex].length
        let a = max(0, start), b = min(n, start + length)
        let base = codes.count
        codes.append(contentsOf: repeatElement(BaseCode.unknown, count: length))
        guard a < b else { return true }
        try codes.withUnsafeMutableBufferPointer { all in
            let dst = UnsafeMutableBufferPointer(rebasing: all[(base + a - start)..<(base + b - start)])
            try fetch(contigIndex: contigIndex, a, b, into: dst)
            BaseCode.encode(dst)
        }
        return a != start || b != start + length
    }
}
