/// Finds why htslib refused to index a FASTA, so the error names a line.
enum FastaLineCheck {
    /// The first problem found in `path`: its line number and a phrase, or nil.
    static func firstProblem(path: String) throws -> (line: Int, detail: String)? {
        let reader = try TextLineReader(path: path)
        var name: String?
        var lineBases = 0          // bases on the record's first sequence line
        var shortLine = 0          // line number of a line shorter than lineBases, if any
        var sawHeader = false
        while let problem = try reader.withNextLine({ (line: UnsafeBufferPointer<UInt8>) -> (line: Int, detail: String)? in
            let n = reader.lineNumber
            if line.first == UInt8(ascii: ">") {
                sawHeader = true
                let header = line.dropFirst().prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
                name = String(decoding: header, as: UTF8.self)
                lineBases = 0
                shortLine = 0
                return nil
            }
            if !sawHeader {
                return line.isEmpty ? nil : (n, "sequence before any '>' header (not a FASTA file?)")
            }
            let bases = line.count
            if shortLine > 0 && bases > 0 {
                return (shortLine, "ragged line lengths: a line of sequence '\(name ?? "")' is shorter than the lines before it but is not its last line; rewrap the FASTA (e.g. seqkit seq -w 60)")
            }
            if lineBases == 0 {
                lineBases = bases
            } else if bases > lineBases {
                return (n, "ragged line lengths: a line of sequence '\(name ?? "")' is longer than the lines before it; rewrap the FASTA (e.g. seqkit seq -w 60)")
            } else if bases < lineBases {
                shortLine = n
            }
            return nil
        }) {
            if let problem { return problem }
        }
        return nil
    }
}
