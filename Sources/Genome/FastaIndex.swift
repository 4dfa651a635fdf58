import Foundation

/// One line of a samtools-style `.fai` index.
public struct FastaContig: Sendable, Equatable {
    /// The contig name (everything after `>` up to the first whitespace).
    public let name: String
    /// The number of bases.
    public let length: Int
    /// Byte offset of the first base in the (uncompressed) file.
    let offset: Int
    /// Bases per full line.
    let lineBases: Int
    /// Bytes per full line, including the line terminator.
    let lineWidth: Int

    /// Byte offset of base `pos` (0-based) in the uncompressed file; `pos` is in `0..<length`, for
    /// which the index reader has checked (`endOffset`) that the arithmetic cannot overflow.
    func byteOffset(of pos: Int) -> Int {
        offset + (pos / lineBases) * lineWidth + pos % lineBases
    }

    /// One past the byte offset of the last base (the first base's offset for an empty contig),
    /// or nil when the index's fields put it beyond `Interval.maxCoordinate` or overflow.
    var endOffset: Int? {
        guard length > 0 else { return offset }
        let last = length - 1
        let (rows, o1) = (last / lineBases).multipliedReportingOverflow(by: lineWidth)
        guard !o1 else { return nil }
        let (start, o2) = offset.addingReportingOverflow(rows)
        guard !o2 else { return nil }
        let (end, o3) = start.addingReportingOverflow(last % lineBases + 1)
        guard !o3, end <= Interval.maxCoordinate else { return nil }
        return end
    }
}

/// The parsed `.fai` index of a FASTA file.
struct FastaIndex {
    let contigs: [FastaContig]

    /// Parses the `.fai` file at `path` (the FASTA's path is used for messages).
    init(faiPath: String) throws {
        // Read directly: htslib's hts_open recognises .fai as a format it will not read as text.
        guard let data = readFileBytes(faiPath) else {
            throw GenomeError.unreadable(path: faiPath, reason: "cannot read FASTA index")
        }
        var contigs: [FastaContig] = []
        for (n, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty { continue }
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 5, let len = Int(f[1]), let off = Int(f[2]), let lb = Int(f[3]), let lw = Int(f[4]),
                  len >= 0, off >= 0, lb >= 0, lw >= lb,
                  len <= Interval.maxCoordinate, off <= Interval.maxCoordinate, lw <= Interval.maxCoordinate
            else {
                throw GenomeError.malformedLine(path: faiPath, line: n + 1, detail: "malformed FASTA index line")
            }
            let contig = FastaContig(name: String(f[0]), length: len, offset: off,
                                     lineBases: max(lb, 1), lineWidth: max(lw, 1))
            guard contig.endOffset != nil else {
                throw GenomeError.malformedLine(path: faiPath, line: n + 1,
                                                detail: "FASTA index places the contig's last base beyond any file size")
            }
            contigs.append(contig)
        }
        self.contigs = contigs
    }
}
