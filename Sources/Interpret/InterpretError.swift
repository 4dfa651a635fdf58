/// Errors of interpretation inputs and outputs: motif tables, attribution windows, sequences.
public enum InterpretError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A table crick writes that does not read back: which file, which line, what is wrong.
    case format(path: String, line: Int, detail: String)
    /// Inputs that cannot give a result (no sequence long enough for the filters).
    case invalid(String)

    public var description: String {
        switch self {
        case .format(let path, let line, let detail): return "\(detail): \(path) line \(line)"
        case .invalid(let text): return text
        }
    }
}

/// The tab-separated fields of the lines of `text` after its header, which must be `header`;
/// each line must have `header`'s field count. Used by the readers of crick's own tables.
func tableRows(_ text: String, header: String, path: String) throws -> [(line: Int, fields: [Substring])] {
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    guard let first = lines.first, first == Substring(header) else {
        throw InterpretError.format(path: path, line: 1, detail: "the header is not '\(header.replacingOccurrences(of: "\t", with: " "))'")
    }
    let width = header.split(separator: "\t").count
    var rows: [(line: Int, fields: [Substring])] = []
    for (k, line) in lines.enumerated().dropFirst() where !line.isEmpty {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard f.count == width else {
            throw InterpretError.format(path: path, line: k + 1, detail: "\(f.count) fields where the header has \(width)")
        }
        rows.append((k + 1, f))
    }
    return rows
}

/// A field as a number, or a format error naming the column.
func number<T: LosslessStringConvertible>(_ field: Substring, _ column: String, path: String, line: Int) throws -> T {
    guard let v = T(String(field)) else {
        throw InterpretError.format(path: path, line: line, detail: "\(column) '\(field)' is not a number")
    }
    return v
}
