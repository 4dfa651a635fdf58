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
        line.append(contentsOf: chrom.utf8)
        line.append(9)
        appendDecimal(start)
        line.append(9)
        appendDecimal(end)
        line.append(9)
        line.append(contentsOf: formatScore(value).utf8)
        line.append(10)
        try output.write(line)
    }

    public func finish() throws { try output.commit() }
    public func abort() { output.abort() }

    private func appendDecimal(_ v: Int) {
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
