extension TrackGenome {
    /// The largest chromosome length or coordinate a track accepts: 2^60, as
    /// `Interval.maxCoordinate` in Genome (Tracks does not import Genome).
    public static let maxLength = 1 << 60

    /// Parses a chrom.sizes file (`name<TAB>length` per line; blank and `#` lines skipped);
    /// `path` names the file in errors.
    public static func parseChromSizes(_ bytes: [UInt8], path: String) throws -> TrackGenome {
        var chroms: [(name: String, length: Int)] = []
        for (n, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let text = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            if text.isEmpty || text.first == UInt8(ascii: "#") { continue }
            let f = text.split(separator: UInt8(ascii: "\t"))
            func fail(_ detail: String) -> TrackError { .malformedLine(path: path, line: n + 1, detail: detail) }
            guard f.count >= 2, let len = Int(String(decoding: f[1], as: UTF8.self)), len > 0 else {
                throw fail("a chrom.sizes line needs a name and a positive length")
            }
            guard len <= maxLength else { throw fail("chromosome length \(len) exceeds the largest crick accepts (\(maxLength))") }
            chroms.append((String(decoding: f[0], as: UTF8.self), len))
        }
        guard !chroms.isEmpty else { throw TrackError.malformedLine(path: path, line: 1, detail: "no chromosomes") }
        return TrackGenome(chroms)
    }
}
