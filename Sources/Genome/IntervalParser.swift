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
    static func fromFields(_ f: FieldSplitter) -> IntervalFormat {
        switch f.count {
        case 10, 11: return .narrowPeak
        case 12: return f.field(10).contains(UInt8(ascii: ",")) ? .bed : .narrowPeak
        case 13...: return .narrowPeak
        default: return .bed
        }
    }
}

/// Splits one line into fields without allocating per line: on tabs, or on runs of spaces
/// when the line has no tab. Reused from line to line.
struct FieldSplitter {
    private(set) var line = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var bounds: [Range<Int>] = []

    /// The number of fields of the current line.
    var count: Int { bounds.count }

    /// Field `i` of the current line.
    func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: line[bounds[i]])
    }

    /// Field `i` as a String.
    func string(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }

    /// Splits `line` (valid until the next call).
    mutating func split(_ line: UnsafeBufferPointer<UInt8>) {
        self.line = line
        bounds.removeAll(keepingCapacity: true)
        let tab = UInt8(ascii: "\t"), space = UInt8(ascii: " ")
        if line.contains(tab) {
            var start = 0
            for i in 0..<line.count where line[i] == tab {
                bounds.append(start..<i)
                start = i + 1
            }
            bounds.append(start..<line.count)
        } else {
            var i = 0
            while i < line.count {
                while i < line.count && line[i] == space { i += 1 }
                if i == line.count { break }
                let start = i
                while i < line.count && line[i] != space { i += 1 }
                bounds.append(start..<i)
            }
        }
    }
}

/// A numeric column of BED and narrowPeak lines that ranks peaks.
public enum ScoreColumn: String, Sendable, CaseIterable, Codable {
    /// Column 5, the BED score (0-1000 in narrowPeak).
    case score
    /// Column 7 of narrowPeak: the signal value (fold enrichment for MACS).
    case signalValue
    /// Column 8 of narrowPeak: -log10 p-value (-1 when not given).
    case pValue
    /// Column 9 of narrowPeak: -log10 q-value (-1 when not given).
    case qValue

    /// The 0-based field index.
    public var field: Int {
        switch self {
        case .score: return 4
        case .signalValue: return 6
        case .pValue: return 7
        case .qValue: return 8
        }
    }
}

/// Parses BED and narrowPeak data lines.
enum IntervalParser {
    /// True for lines that carry no interval: blank, `#` comments, `track` and `browser` lines.
    static func isHeader(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = line.first(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return true }
        if first == UInt8(ascii: "#") { return true }
        if first == UInt8(ascii: "t") { return hasPrefix(line, "track") }
        if first == UInt8(ascii: "b") { return hasPrefix(line, "browser") }
        return false
    }

    private static func hasPrefix(_ line: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard line.count >= n else { return false }
        let w = UnsafeBufferPointer(start: word.utf8Start, count: n)
        guard line.prefix(n).elementsEqual(w) else { return false }
        return line.count == n || line[n] == UInt8(ascii: " ") || line[n] == UInt8(ascii: "\t")
    }

    /// A decimal integer with an optional sign, or nil when `f` is not one. Magnitudes beyond
    /// `Int.max` saturate to `Int.max` (or `Int.min`), so callers report them as out of range.
    static func integer(_ f: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !f.isEmpty else { return nil }
        var i = 0
        var negative = false
        if f[0] == UInt8(ascii: "-") || f[0] == UInt8(ascii: "+") {
            negative = f[0] == UInt8(ascii: "-")
            i = 1
            guard f.count > 1 else { return nil }
        }
        var v = 0
        var saturated = false
        while i < f.count {
            let d = Int(f[i]) - 48
            guard d >= 0 && d <= 9 else { return nil }
            if !saturated {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(d)
                if o1 || o2 { saturated = true } else { v = s }
            }
            i += 1
        }
        if saturated { return negative ? Int.min : Int.max }
        return negative ? -v : v
    }

    /// A finite decimal number (integer, fraction or exponent form), or nil.
    static func number(_ f: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !f.isEmpty, f.count < 64, let v = Double(String(decoding: f, as: UTF8.self)), v.isFinite else { return nil }
        return v
    }

    /// Parses the split line `f` (line `lineNumber` of `path`) as `format` (never `.auto`),
    /// reading `scoreColumn` into `score` when given.
    static func parse(_ f: FieldSplitter, format: IntervalFormat, path: String, lineNumber: Int, scoreColumn: ScoreColumn? = nil) throws -> Interval {
        func fail(_ what: String) -> GenomeError {
            .malformedLine(path: path, line: lineNumber, detail: what)
        }
        guard f.count >= 3 else {
            throw fail("BED line has \(f.count) field\(f.count == 1 ? "" : "s"), needs at least 3 (chrom, start, end)")
        }
        guard f.field(0).count > 0 else { throw fail("empty chromosome name") }
        guard let start = integer(f.field(1)) else { throw fail("start '\(f.string(1))' is not an integer") }
        guard let end = integer(f.field(2)) else { throw fail("end '\(f.string(2))' is not an integer") }
        guard start >= 0 else { throw fail("start \(f.string(1)) is negative") }
        let limit = Interval.maxCoordinate
        guard start <= limit else { throw fail("start \(f.string(1)) exceeds the largest coordinate crick accepts (\(limit))") }
        guard end <= limit else { throw fail("end \(f.string(2)) exceeds the largest coordinate crick accepts (\(limit))") }
        guard end >= start else { throw fail("end \(end) is less than start \(start)") }
        var interval = Interval(chrom: f.string(0), start: start, end: end, line: lineNumber)
        if f.count >= 4 {
            let name = f.field(3)
            if !(name.count == 1 && name[0] == UInt8(ascii: ".")) { interval.name = f.string(3) }
        }
        if format == .narrowPeak {
            guard f.count >= 10 else {
                throw fail("narrowPeak line has \(f.count) fields, needs 10")
            }
            guard let offset = integer(f.field(9)) else { throw fail("summit '\(f.string(9))' is not an integer") }
            if offset != -1 {
                guard offset >= 0, offset < max(end - start, 1) else {
                    throw fail("summit offset \(f.string(9)) lies outside its peak of length \(end - start)")
                }
                interval.summit = start + offset
            }
        }
        if let column = scoreColumn {
            let k = column.field
            guard f.count > k else { throw fail("no \(column.rawValue) column (column \(k + 1)); the line has \(f.count) fields") }
            guard let v = number(f.field(k)) else { throw fail("\(column.rawValue) '\(f.string(k))' (column \(k + 1)) is not a number") }
            interval.score = v
        }
        return interval
    }
}
