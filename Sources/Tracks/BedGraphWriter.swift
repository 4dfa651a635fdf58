import Pipeline

/// Writes a bedGraph (chrom, start, end, value; tab-separated) through a temporary file
/// renamed into place by `finish()`. Values are written in the shortest form that reads back
/// as the same float.
public final class BedGraphWriter: TrackWriter {
    private let output: OutputFile
    private var order: TrackOrderCheck
    private var line: [UInt8] = []

    /// Opens `path` (`-` for stdout). `trackLine`, when given, is the first line.
    public init(path: String, genome: TrackGenome, trackLine: String? = nil, comments: [String] = []) throws {
        output = try OutputFile(path: path)
        order = TrackOrderCheck(genome: genome, path: path)
        if let trackLine { try output.write(trackLine + "\n") }
        for c in comments { try output.write("#" + c + "\n") }
        line.reserveCapacity(128)
    }

    public func add(_ chrom: String, _ start: Int, _ end: Int, _ value: Float) throws {
        try order.check(chrom, start, end)
        guard value.isFinite else {
            throw TrackError.invalidInterval(path: output.path, detail: "non-finite score at \(chrom):\(start + 1)-\(end)")
        }
        line.removeAll(keepingCapacity: true)
        BedGraphWriter.compose(&line, chrom, start, end, value)
        try output.write(line)
    }

    /// Appends a chromosome's intervals composed in one scratch buffer (written every 64 KB),
    /// each checked as `add` checks it: the same bytes as one `add` per interval.
    public func add(_ chrom: String, runs: [(start: Int, end: Int, value: Float)]) throws {
        guard !runs.isEmpty else { return }
        let name = Array(chrom.utf8)
        let flushAt = 1 << 16, lineMax = name.count + 3 * 21 + 64
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: flushAt + lineMax)
        defer { scratch.deallocate() }
        var n = 0
        var order = self.order
        defer { self.order = order }
        try name.withUnsafeBufferPointer { chromBytes in
            for r in runs {
                try order.check(chrom, r.start, r.end)
                guard r.value.isFinite else {
                    throw TrackError.invalidInterval(path: output.path, detail: "non-finite score at \(chrom):\(r.start + 1)-\(r.end)")
                }
                if let base = chromBytes.baseAddress { (scratch + n).update(from: base, count: chromBytes.count) }
                n += chromBytes.count
                scratch[n] = 9; n += 1
                n = BedGraphWriter.writeDecimal(r.start, scratch, n)
                scratch[n] = 9; n += 1
                n = BedGraphWriter.writeDecimal(r.end, scratch, n)
                scratch[n] = 9; n += 1
                let v = r.value
                if v == v.rounded(), abs(v) < BedGraphWriter.plainIntegers, v != 0 || v.sign == .plus {
                    if v < 0 { scratch[n] = UInt8(ascii: "-"); n += 1 }
                    n = BedGraphWriter.writeDecimal(Int(abs(v)), scratch, n)
                } else {
                    for b in formatScore(v).utf8 { scratch[n] = b; n += 1 }
                }
                scratch[n] = 10; n += 1
                if n >= flushAt {
                    try output.write(UnsafeRawBufferPointer(start: scratch, count: n))
                    n = 0
                }
            }
        }
        if n > 0 { try output.write(UnsafeRawBufferPointer(start: scratch, count: n)) }
    }

    /// Writes the decimal digits of v >= 0 at `out + at`; returns the position after them.
    private static func writeDecimal(_ v: Int, _ out: UnsafeMutablePointer<UInt8>, _ at: Int) -> Int {
        var digits = 1, x = v
        while x >= 10 { x /= 10; digits += 1 }
        var n = v
        for i in stride(from: at + digits - 1, through: at, by: -1) {
            out[i] = UInt8(48 + n % 10)
            n /= 10
        }
        return at + digits
    }

    /// Integers below this magnitude are written digit by digit (formatScore gives the same).
    static let plainIntegers: Float = 16_777_216

    public func finish() throws { try output.commit() }
    public func abort() { output.abort() }

    /// One line: chrom, start, end and value, tab-separated (one access to the buffer).
    private static func compose(_ line: inout [UInt8], _ chrom: String, _ start: Int, _ end: Int, _ value: Float) {
        line.append(contentsOf: chrom.utf8)
        line.append(9)
        appendDecimal(start, to: &line)
        line.append(9)
        appendDecimal(end, to: &line)
        line.append(9)
        if value == value.rounded(), abs(value) < plainIntegers, value != 0 || value.sign == .plus {
            // An integer below 2^24 reads back exactly and Float.description writes it as
            // "N.0": the same digits without the string.
            if value < 0 { line.append(UInt8(ascii: "-")) }
            appendDecimal(Int(abs(value)), to: &line)
        } else {
            line.append(contentsOf: formatScore(value).utf8)
        }
        line.append(10)
    }

    private static func appendDecimal(_ v: Int, to line: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = v, count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(48 + n % 10)
                n /= 10
                count += 1
            } while n > 0
            for i in stride(from: count - 1, through: 0, by: -1) { line.append(d[i]) }
        }
    }
}

/// A score as bedGraph text: the shortest decimal that reads back as the same float.
public func formatScore(_ v: Float) -> String {
    let s = v.description
    return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
}
