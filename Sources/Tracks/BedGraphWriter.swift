import Pipeline

/// Writes a bedGraph (chrom, start, end, value; tab-separated) through a temporary file
/// renamed into place by `finish()`. Values are written in the shortest form that reads back
/// as the same float.
public final class BedGraphWriter: TrackWriter {
    private let output: OutputFile
    private var order: TrackOrderCheck
    /// The line of `add`, composed in place (grown for a long chromosome name).
    private var line = [UInt8](repeating: 0, count: 256)

    /// Opens `path` (`-` for stdout). `trackLine`, when given, is the first line.
    public init(path: String, genome: TrackGenome, trackLine: String? = nil, comments: [String] = []) throws {
        output = try OutputFile(path: path)
        order = TrackOrderCheck(genome: genome, path: path)
        if let trackLine { try output.write(trackLine + "\n") }
        for c in comments { try output.write("#" + c + "\n") }
    }

    public func add(_ chrom: String, _ start: Int, _ end: Int, _ value: Float) throws {
        try BedGraphWriter.check(&order, chrom, start, end, value, path: output.path)
        var text = chrom   // withUTF8 may make the string contiguous: a copy of its own
        let room = text.utf8.count + BedGraphWriter.lineRoom
        if line.count < room { line = [UInt8](repeating: 0, count: room) }
        let n = text.withUTF8 { name in
            line.withUnsafeMutableBufferPointer { out in
                out.baseAddress.map { BedGraphWriter.writeLine($0, 0, name, start, end, value) } ?? 0
            }
        }
        try line.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }

    /// Appends a chromosome's intervals composed in one scratch buffer (written every 64 KB),
    /// each checked as `add` checks it: the same bytes as one `add` per interval.
    public func add(_ chrom: String, runs: [(start: Int, end: Int, value: Float)]) throws {
        guard !runs.isEmpty else { return }
        var text = chrom
        let flushAt = 1 << 16
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: flushAt + text.utf8.count + BedGraphWriter.lineRoom)
        defer { scratch.deallocate() }
        var n = 0
        var order = self.order
        defer { self.order = order }
        let path = output.path
        try text.withUTF8 { name in
            for r in runs {
                try BedGraphWriter.check(&order, chrom, r.start, r.end, r.value, path: path)
                n = BedGraphWriter.writeLine(scratch, n, name, r.start, r.end, r.value)
                if n >= flushAt {
                    try output.write(UnsafeRawBufferPointer(start: scratch, count: n))
                    n = 0
                }
            }
        }
        if n > 0 { try output.write(UnsafeRawBufferPointer(start: scratch, count: n)) }
    }

    /// The order and bounds of the interval, and a finite value.
    private static func check(_ order: inout TrackOrderCheck, _ chrom: String, _ start: Int, _ end: Int, _ value: Float, path: String) throws {
        try order.check(chrom, start, end)
        guard value.isFinite else {
            throw TrackError.invalidInterval(path: path, detail: "non-finite score at \(chrom):\(start + 1)-\(end)")
        }
    }

    /// Bytes a line needs beyond its chromosome name: three tabs, two 20-digit coordinates, the
    /// value and the newline.
    static let lineRoom = 128

    /// Writes one line (chrom, start, end and value, tab-separated) at `out + at`, which has
    /// room for the name and `lineRoom` bytes; returns the position after it.
    private static func writeLine(_ out: UnsafeMutablePointer<UInt8>, _ at: Int, _ name: UnsafeBufferPointer<UInt8>,
                                  _ start: Int, _ end: Int, _ value: Float) -> Int {
        var n = at
        if let base = name.baseAddress { (out + n).update(from: base, count: name.count) }
        n += name.count
        out[n] = 9; n += 1
        n = writeDecimal(start, out, n)
        out[n] = 9; n += 1
        n = writeDecimal(end, out, n)
        out[n] = 9; n += 1
        if value == value.rounded(), abs(value) < plainIntegers, value != 0 || value.sign == .plus {
            // An integer below 2^24 reads back exactly and Float.description writes it as
            // "N.0": the same digits without the string.
            if value < 0 { out[n] = UInt8(ascii: "-"); n += 1 }
            n = writeDecimal(Int(abs(value)), out, n)
        } else {
            for b in formatScore(value).utf8 { out[n] = b; n += 1 }
        }
        out[n] = 10
        return n + 1
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
}

/// A score as bedGraph text: the shortest decimal that reads back as the same float.
public func formatScore(_ v: Float) -> String {
    let s = v.description
    return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
}
