/// Where one row of an attribution matrix lies on the genome: `crick attribute` writes a
/// window per row to PREFIX.windows.bed (chrom, start and end clipped to the chromosome, name,
/// and the matrix column of `start`). `line(...)` is that file's one writer, `read` its reader.
public struct AttributionWindow: Sendable, Equatable {
    public let chrom: String
    /// 0-based genomic position of matrix column 0 (negative where the window starts before the chromosome).
    public let firstPosition: Int
    public let name: String

    public init(chrom: String, firstPosition: Int, name: String) {
        self.chrom = chrom
        self.firstPosition = firstPosition
        self.name = name
    }

    /// Parses one line of PREFIX.windows.bed (columns 4 and 5 optional); nil if it is not one.
    public init?(line: Substring) {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard f.count >= 3, let start = Int(f[1]), Int(f[2]) != nil else { return nil }
        let offset = f.count >= 5 ? Int(f[4]) ?? 0 : 0
        self.init(chrom: String(f[0]), firstPosition: start - offset, name: f.count >= 4 ? String(f[3]) : ".")
    }

    /// The line of a window [start, end) on a chromosome of `contigLength` bases: clipped to
    /// the chromosome, with the matrix column where the clipped start lies.
    public static func line(chrom: String, start: Int, end: Int, contigLength n: Int, name: String?) -> String {
        let s = max(0, start), e = min(n, end)
        return "\(chrom)\t\(s)\t\(e)\t\(name ?? ".")\t\(s - start)\n"
    }

    /// The windows of a PREFIX.windows.bed, in file order; a line that is not one is an error
    /// naming its line.
    public static func read(path: String) throws -> [AttributionWindow] {
        let text = try readText(path)
        var out: [AttributionWindow] = []
        for (k, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() where !line.isEmpty {
            guard let w = AttributionWindow(line: line) else {
                throw InterpretError.format(path: path, line: k + 1, detail: "not a window line (chrom, start, end, name, column)")
            }
            out.append(w)
        }
        return out
    }
}
