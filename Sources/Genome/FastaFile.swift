import CHTSlib
#if canImport(Glibc)
import Glibc
#endif

/// An indexed FASTA file (plain or bgzip-compressed): its contigs, and readers for its sequence.
///
/// Opening checks the file, detects plain gzip and truncated bgzip, and builds a missing
/// `.fai` (and `.gzi`) through htslib when the directory is writable. The value itself is
/// immutable and may be shared between threads; each thread then makes its own reader with
/// `makeReader()`, because an htslib `faidx_t` must never be shared.
public struct FastaFile: Sendable {
    /// The path as given.
    public let path: String
    /// Contigs in file order.
    public let contigs: [FastaContig]
    /// True for bgzip-compressed files.
    public let isCompressed: Bool
    private let indexByName: [String: Int]
    /// The whole uncompressed file mapped read-only (plain FASTA only).
    private let map: MappedFile?

    /// Opens and indexes `path`. A bgzip file whose uncompressed size is at most
    /// `inMemoryLimit` bytes is decompressed once into memory shared by every reader, for
    /// work that fetches many random windows; otherwise it is read block by block.
    public init(path: String, inMemoryLimit: Int = 0) throws {
        _ = HTSLog.silenced
        self.path = path
        try FileChecks.requireReadableFile(path)
        let compression = try FileChecks.compression(of: path)
        if compression == .gzip { throw GenomeError.plainGzip(path: path) }
        isCompressed = compression == .bgzip

        let faiPath = path + ".fai"
        let gziPath = path + ".gzi"
        let needsIndex = !FileChecks.exists(faiPath) || (isCompressed && !FileChecks.exists(gziPath))
        if needsIndex {
            let dir = FileChecks.directory(of: path)
            guard access(dir, W_OK) == 0 else {
                throw GenomeError.indexNotWritable(path: path, directory: dir)
            }
            if fai_build3(path, nil, nil) != 0 {
                if let problem = (try? FastaLineCheck.firstProblem(path: path)) ?? nil {
                    throw GenomeError.malformedLine(path: path, line: problem.line, detail: "cannot index FASTA, " + problem.detail)
                }
                throw GenomeError.indexBuild(path: path, detail: "htslib could not build the index")
            }
        }
        let index = try FastaIndex(faiPath: faiPath)
        contigs = index.contigs
        var byName: [String: Int] = [:]
        for (i, c) in contigs.enumerated() where byName[c.name] == nil { byName[c.name] = i }
        indexByName = byName

        let uncompressedSize = contigs.map { $0.endOffset ?? 0 }.max() ?? 0
        if isCompressed && uncompressedSize <= inMemoryLimit {
            let map = try MappedFile(decompressing: path, size: uncompressedSize)
            try FastaFile.checkIndex(contigs, against: map, path: path)
            self.map = map
        } else if isCompressed {
            map = nil
            // Load once now so that a broken .gzi is reported here rather than in a worker.
            guard let fai = fai_load3(path, nil, nil, 0) else {
                throw GenomeError.indexBuild(path: path, detail: "htslib could not load the .fai/.gzi index")
            }
            fai_destroy(fai)
        } else {
            let map = try MappedFile(path: path)
            try FastaFile.checkIndex(contigs, against: map, path: path)
            self.map = map
        }
    }

    /// Drops every page of a plain FASTA's memory map from this process (they stay in the page
    /// cache and fault back in when read again). Random access to a large genome (dataset
    /// windows) calls it between batches, so that the pages the kernel maps around each read do
    /// not add up to the whole file in the process's resident memory.
    public func releaseMappedPages() {
        map?.release(from: 0, to: map?.bytes.count ?? 0)
    }

    /// The index of contig `name`, or nil.
    public func contigIndex(_ name: String) -> Int? { indexByName[name] }

    /// The length of contig `name`, or nil when it is absent.
    public func length(of name: String) -> Int? { indexByName[name].map { contigs[$0].length } }

    /// A new reader for one thread.
    public func makeReader() throws -> FastaReader {
        if let map { return FastaReader(file: self, source: .mapped(map)) }
        guard let fai = fai_load3(path, nil, nil, 0) else {
            throw GenomeError.indexBuild(path: path, detail: "htslib could not load the index")
        }
        // Keep decompressed blocks: random regions revisit the same blocks.
        fai_set_cache_size(fai, 64 << 20)
        return FastaReader(file: self, source: .htslib(FaidxHandle(fai)))
    }

    /// Checks that a plain file's index describes it: every contig starts just after a
    /// header line and ends inside the file. A FASTA edited after indexing fails this.
    private static func checkIndex(_ contigs: [FastaContig], against map: MappedFile, path: String) throws {
        let bytes = map.bytes
        for c in contigs {
            let last = c.length > 0 ? c.byteOffset(of: c.length - 1) : c.offset - 1
            guard c.offset >= 1, c.offset <= bytes.count, last < bytes.count else {
                throw GenomeError.staleIndex(path: path, detail: "contig \(c.name) ends past the end of the file")
            }
            guard bytes[c.offset - 1] == UInt8(ascii: "\n") else {
                throw GenomeError.staleIndex(path: path, detail: "contig \(c.name) does not start after a header line")
            }
            if c.length > 0 {
                let first = bytes[c.offset], end = bytes[last]
                if first == UInt8(ascii: ">") || first == UInt8(ascii: "\n") || end == UInt8(ascii: ">") || end == UInt8(ascii: "\n") {
                    throw GenomeError.staleIndex(path: path, detail: "contig \(c.name) is not where the index says")
                }
            }
        }
    }
}

/// Owns one htslib `faidx_t`; destroyed with its owner.
final class FaidxHandle {
    let fai: OpaquePointer
    init(_ fai: OpaquePointer) { self.fai = fai }
    deinit { fai_destroy(fai) }
}
