import Foundation

/// Streams the intervals of a plain-text bedGraph. `track` and `browser` lines are kept in
/// `trackLine`; `#` lines before the data in `comments`; blank lines are skipped.
public final class BedGraphReader {
    public let path: String
    /// The `track` line, if the file has one.
    public private(set) var trackLine: String?
    /// `#` lines (without the `#`) seen so far.
    public private(set) var comments: [String] = []
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    private var lineNumber = 0
    private var pending: TrackInterval?

    /// Opens `path` and reads its header lines.
    public init(path: String) throws {
        self.path = path
        guard let f = fopen(path, "r") else {
            throw TrackError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        file = f
        pending = try readInterval()
    }

    deinit {
        free(buffer)
        fclose(file)
    }

    /// The next interval, or nil at the end.
    public func next() throws -> TrackInterval? {
        if let p = pending {
            pending = nil
            return p
        }
        return try readInterval()
    }

    private func readInterval() throws -> TrackInterval? {
        while true {
            let n = getline(&buffer, &capacity, file)
            if n < 0 {
                if ferror(file) != 0 { throw TrackError.unreadable(path: path, reason: "read error") }
                return nil
            }
            lineNumber += 1
            guard let buffer else { return nil }
            var text = String(cString: buffer)
            // "\r\n" is one Character in Swift: strip any line end, CR-LF included.
            while let last = text.last, last.isNewline { text.removeLast() }
            if text.isEmpty { continue }
            if text.hasPrefix("#") { comments.append(String(text.dropFirst())); continue }
            if text.hasPrefix("track") || text.hasPrefix("browser") {
                if text.hasPrefix("track") { trackLine = text }
                continue
            }
            let fields = text.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count >= 4 else {
                throw TrackError.malformedLine(path: path, line: lineNumber, detail: "bedGraph line has \(fields.count) fields, not 4")
            }
            guard let start = Int(fields[1]), let end = Int(fields[2]) else {
                throw TrackError.malformedLine(path: path, line: lineNumber, detail: "bedGraph start and end must be integers of at most \(TrackGenome.maxLength)")
            }
            guard start >= 0 else {
                throw TrackError.malformedLine(path: path, line: lineNumber, detail: "start \(start) is negative")
            }
            guard end >= start else {
                throw TrackError.malformedLine(path: path, line: lineNumber, detail: "end \(end) is less than start \(start)")
            }
            guard end <= TrackGenome.maxLength else {
                throw TrackError.malformedLine(path: path, line: lineNumber, detail: "end \(end) exceeds the largest coordinate crick accepts (\(TrackGenome.maxLength))")
            }
            guard let value = Float(fields[3]), value.isFinite else {
                throw TrackError.malformedLine(path: path, line: lineNumber, detail: "bedGraph value '\(fields[3])' is not a finite number")
            }
            return TrackInterval(chrom: String(fields[0]), start: start, end: end, value: value)
        }
    }

    /// Every remaining interval.
    public func readAll() throws -> [TrackInterval] {
        var all: [TrackInterval] = []
        while let i = try next() { all.append(i) }
        return all
    }
}
