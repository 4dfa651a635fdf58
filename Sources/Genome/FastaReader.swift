import CHTSlib
#if canImport(Glibc)
import Glibc
#endif

/// Reads sequence from one FASTA file for one thread. Not thread-safe: make one per thread
/// with `FastaFile.makeReader()`.
///
/// Coordinates are 0-based half-open and checked here: htslib clamps bad coordinates
/// silently, so a request outside a contig throws `outOfBounds` instead.
/// Plain files are read from a shared read-only memory map laid out by the `.fai` index;
/// bgzip files through an htslib `faidx_t` owned by this reader.
public final class FastaReader {
    enum Source {
        case mapped(MappedFile)
        case htslib(FaidxHandle)
    }

    /// The file this reader reads.
    public let file: FastaFile
    private let source: Source

    init(file: FastaFile, source: Source) {
        self.file = file
        self.source = source
    }

    /// The bases of `contig` in [start, end), as stored (case preserved).
    public func sequence(_ contig: String, _ start: Int, _ end: Int) throws -> [UInt8] {
        guard let index = file.contigIndex(contig) else {
            throw GenomeError.unknownContig(name: contig, path: file.path)
        }
        return try sequence(contigIndex: index, start, end)
    }

    /// The bases of contig number `contigIndex` in [start, end), as stored (case preserved).
    public func sequence(contigIndex: Int, _ start: Int, _ end: Int) throws -> [UInt8] {
        let count = try checkedCount(contigIndex, start, end)
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            try fetch(contigIndex: contigIndex, start, end, into: buffer)
            initialized = count
        }
    }

    /// Writes the bases of [start, end) into `buffer`, which must hold `end - start` bytes.
    public func fetch(contigIndex: Int, _ start: Int, _ end: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) throws {
        let count = try checkedCount(contigIndex, start, end)
        precondition(buffer.count >= count, "buffer too small for region")
        if count == 0 { return }
        let contig = file.contigs[contigIndex]
        switch source {
        case .mapped(let map):
            copyMapped(map, contig, start, count, into: buffer)
        case .htslib(let handle):
            var len: hts_pos_t = 0
            guard let p = faidx_fetch_seq64(handle.fai, contig.name, hts_pos_t(start), hts_pos_t(end - 1), &len) else {
                throw GenomeError.htslib(path: file.path, call: "faidx_fetch_seq64(\(contig.name):\(start + 1)-\(end))", code: Int(len))
            }
            defer { free(p) }
            guard Int(len) == count else {
                throw GenomeError.staleIndex(path: file.path, detail: "read \(len) bases of \(contig.name):\(start + 1)-\(end), expected \(count)")
            }
            guard let out = buffer.baseAddress else { return }
            UnsafeMutableRawPointer(out).copyMemory(from: p, byteCount: count)
        }
    }

    /// Tells the reader that [start, end) of a contig will not be read again soon: a memory-mapped
    /// file drops those pages from the process (a streaming scan calls this behind it, so its
    /// memory does not grow with the chromosome). Other readers sharing the map may still read
    /// there; the pages fault back in from the page cache.
    public func release(contigIndex: Int, _ start: Int, _ end: Int) {
        guard case .mapped(let map) = source, contigIndex >= 0, contigIndex < file.contigs.count, end > start else { return }
        let contig = file.contigs[contigIndex]
        map.release(from: contig.byteOffset(of: max(0, start)), to: contig.byteOffset(of: min(end, contig.length)))
    }

    /// Base counts of [start, end): read in place from a memory map, or through a fetch.
    public func counts(contigIndex: Int, _ start: Int, _ end: Int, scratch: inout [UInt8]) throws -> BaseCounts {
        let count = try checkedCount(contigIndex, start, end)
        var result = BaseCounts()
        let contig = file.contigs[contigIndex]
        if case .mapped(let map) = source, let base = map.bytes.baseAddress {
            var pos = start
            while pos < end {
                let n = min(contig.lineBases - pos % contig.lineBases, end - pos)
                result.count(UnsafeBufferPointer(start: base.advanced(by: contig.byteOffset(of: pos)).assumingMemoryBound(to: UInt8.self), count: n))
                pos += n
            }
            return result
        }
        if scratch.count < count { scratch = [UInt8](repeating: 0, count: count) }
        try scratch.withUnsafeMutableBufferPointer { buf in
            try fetch(contigIndex: contigIndex, start, end, into: buf)
            result.count(UnsafeBufferPointer(rebasing: buf[0..<count]))
        }
        return result
    }

    private func checkedCount(_ contigIndex: Int, _ start: Int, _ end: Int) throws -> Int {
        let contig = file.contigs[contigIndex]
        guard start >= 0, end >= start, end <= contig.length else {
            throw GenomeError.outOfBounds(contig: contig.name, start: start, end: end, length: contig.length)
        }
        return end - start
    }

    /// Copies `count` bases starting at `start` line by line out of the memory map.
    private func copyMapped(_ map: MappedFile, _ contig: FastaContig, _ start: Int, _ count: Int,
                            into buffer: UnsafeMutableBufferPointer<UInt8>) {
        guard let base = map.bytes.baseAddress, let out = buffer.baseAddress else { return }
        var pos = start
        var written = 0
        while written < count {
            let inLine = contig.lineBases - pos % contig.lineBases
            let n = min(inLine, count - written)
            (out + written).initialize(from: base.advanced(by: contig.byteOffset(of: pos)).assumingMemoryBound(to: UInt8.self), count: n)
            written += n
            pos += n
        }
    }
}
