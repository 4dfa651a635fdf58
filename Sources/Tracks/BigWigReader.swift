import CBigWig
#if canImport(Glibc)
import Glibc
#endif

/// One interval of a track.
public struct TrackInterval: Sendable, Equatable {
    public var chrom: String
    public var start: Int
    public var end: Int
    public var value: Float

    public init(chrom: String, start: Int, end: Int, value: Float) {
        self.chrom = chrom
        self.start = start
        self.end = end
        self.value = value
    }
}

/// Reads a bigWig back through libBigWig: its chromosome list and its intervals.
public final class BigWigReader {
    public let path: String
    private var fp: UnsafeMutablePointer<bigWigFile_t>?
    /// The chromosomes of the file's header.
    public let genome: TrackGenome

    public init(path: String) throws {
        self.path = path
        guard BigWigLibrary.initialised else { throw TrackError.bigWig(path: path, call: "bwInit") }
        // libBigWig prints its own message for a file it cannot open: check first.
        guard access(path, R_OK) == 0 else { throw TrackError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard bwIsBigWig(path, nil) == 1, let fp = QuietStderr.run({ bwOpen(path, nil, "r") }) else {
            throw TrackError.unreadable(path: path, reason: "not a bigWig file")
        }
        self.fp = fp
        var chroms: [(name: String, length: Int)] = []
        if let cl = fp.pointee.cl, let names = cl.pointee.chrom, let lens = cl.pointee.len {
            for i in 0..<Int(cl.pointee.nKeys) {
                guard let n = names[i] else { continue }
                chroms.append((String(cString: n), Int(lens[i])))
            }
        }
        genome = TrackGenome(chroms)
    }

    deinit { if let fp { bwClose(fp) } }

    /// The intervals on `chrom` overlapping [start, end), in order.
    public func intervals(_ chrom: String, _ start: Int = 0, _ end: Int? = nil) throws -> [TrackInterval] {
        guard let fp, let length = genome.length(of: chrom) else { return [] }
        let stop = min(end ?? length, length)
        guard stop > start else { return [] }
        guard let o = bwGetOverlappingIntervals(fp, chrom, UInt32(start), UInt32(stop)) else {
            throw TrackError.bigWig(path: path, call: "bwGetOverlappingIntervals")
        }
        defer { bwDestroyOverlappingIntervals(o) }
        var out: [TrackInterval] = []
        out.reserveCapacity(Int(o.pointee.l))
        for i in 0..<Int(o.pointee.l) {
            out.append(TrackInterval(chrom: chrom, start: Int(o.pointee.start[i]), end: Int(o.pointee.end[i]), value: o.pointee.value[i]))
        }
        return out
    }

    /// Every interval of the file, chromosome by chromosome in track order.
    public func allIntervals() throws -> [TrackInterval] {
        try genome.names.flatMap { try intervals($0) }
    }
}
