/// The formats an interval file may have.
public enum IntervalFormat: String, Sendable, CaseIterable {
    /// BED3 to BED12 (and broadPeak and other BED-like files).
    case bed
    /// ENCODE narrowPeak (BED6+4; column 10 is the summit offset, -1 for none).
    case narrowPeak = "narrowpeak"
    /// Decided from the file name, then from the first data line.
    case auto

    /// The format implied by a file name, if any.
    static func fromName(_ path: String) -> IntervalFormat? {
        var name = path.lowercased()
        for ext in [".gz", ".bgz"] where name.hasSuffix(ext) { name.removeLast(ext.count) }
        // ENCODE ships narrowPeak as .bed.gz, so only the narrowPeak name is decisive.
        if name.hasSuffix(".narrowpeak") { return .narrowPeak }
        if name.hasSuffix(".broadpeak") || name.hasSuffix(".bedgraph") { return .bed }
        return nil
    }

    /// The format implied by the fields of a data line: 10 or 11 columns, or more than 12,
    /// or 12 whose 11th is not a BED12 block list, is narrowPeak (IDR adds columns).
    static func fromFields(_ f: [Substring]) -> IntervalFormat {
        switch f.count {
        case 10, 11: return .narrowPeak
        case 12: return f[10].contains(",") ? .bed : .narrowPeak
        case 13...: return .narrowPeak
        default: return .bed
        }
    }
}

/// Parses one BED or narrowPeak data line.
enum IntervalParser {
    /// True for lines that carry no interval: blank, `#` comments, `track` and `browser` lines.
    static func isHeader(_ line: Substring) -> Bool {
        if line.allSatisfy({ $0 == " " || $0 == "\t" }) { return true }
        return line.hasPrefix("#") || line.hasPrefix("track") || line.hasPrefix("browser")
    }

    /// Splits a line into fields on tabs (on runs of spaces when there are no tabs).
    static func fields(_ line: Substring) -> [Substring] {
        if line.contains("\t") { return line.split(separator: "\t", omittingEmptySubsequences: false) }
        return line.split(separator: " ", omittingEmptySubsequences: true)
    }

    /// Parses `fields` (line `lineNumber` of `path`) as `format` (never `.auto`).
    static func parse(_ f: [Substring], format: IntervalFormat, path: String, lineNumber: Int) throws -> Interval {
        func fail(_ what: String) -> GenomeError {
            .malformedLine(path: path, line: lineNumber, detail: what)
        }
        guard f.count >= 3 else {
            throw fail("BED line has \(f.count) field\(f.count == 1 ? "" : "s"), needs at least 3 (chrom, start, end)")
        }
        guard !f[0].isEmpty else { throw fail("empty chromosome name") }
        guard let start = Int(f[1]) else { throw fail("start '\(f[1])' is not an integer") }
        guard let end = Int(f[2]) else { throw fail("end '\(f[2])' is not an integer") }
        guard start >= 0 else { throw fail("start \(start) is negative") }
        guard end >= start else { throw fail("end \(end) is less than start \(start)") }
        var interval = Interval(chrom: String(f[0]), start: start, end: end, line: lineNumber)
        if f.count >= 4, f[3] != "." { interval.name = String(f[3]) }
        if format == .narrowPeak {
            guard f.count >= 10 else {
                throw fail("narrowPeak line has \(f.count) fields, needs 10")
            }
            guard let offset = Int(f[9]) else { throw fail("summit '\(f[9])' is not an integer") }
            if offset != -1 {
                guard offset >= 0, offset < max(end - start, 1) else {
                    throw fail("summit offset \(offset) lies outside its peak of length \(end - start)")
                }
                interval.summit = start + offset
            }
        }
        return interval
    }
}
