import CBigWig
#if canImport(Glibc)
import Glibc
#endif
import Pipeline

/// libBigWig's process-wide set-up, run once.
enum BigWigLibrary {
    static let initialised: Bool = bwInit(1 << 17) == 0
}

/// Writes a bigWig through libBigWig, to a temporary file renamed into place by `finish()`.
///
/// Intervals go to libBigWig in blocks of a fixed size per chromosome, so that the same
/// intervals give the same file however they arrive. Order, bounds and non-overlap are
/// enforced here before anything reaches libBigWig.
public final class BigWigWriter: TrackWriter {
    private let output: OutputFile
    private var fp: UnsafeMutablePointer<bigWigFile_t>?
    private var order: TrackOrderCheck
    private let genome: TrackGenome
    private var chrom: String?
    private var chromStarted = false
    private var starts: [UInt32] = []
    private var ends: [UInt32] = []
    private var values: [Float] = []
    private static let block = 1 << 14

    /// Creates `path` (`-` for stdout, staged in a temporary file) with the chromosome list of
    /// `genome`.
    public init(path: String, genome: TrackGenome) throws {
        guard genome.lengths.allSatisfy({ $0 > 0 && $0 <= Int(UInt32.max) }) else {
            throw TrackError.invalidInterval(path: path, detail: "bigWig needs chromosome lengths between 1 and 2^32-1")
        }
        output = try OutputFile(path: path, seekable: true)
        order = TrackOrderCheck(genome: genome, path: path)
        self.genome = genome
        guard BigWigLibrary.initialised else { throw TrackError.bigWig(path: path, call: "bwInit") }
        if let i = genome.lengths.firstIndex(where: { $0 > Int(UInt32.max) }) {
            output.abort()
            throw TrackError.invalidInterval(path: path, detail: "chromosome \(genome.names[i]) of \(genome.lengths[i]) bp is longer than a bigWig can hold (\(UInt32.max))")
        }
        guard let tmp = output.temporaryPath, let fp = bwOpen(tmp, nil, "w") else {
            output.abort()
            throw TrackError.bigWig(path: path, call: "bwOpen")
        }
        self.fp = fp
        if bwCreateHdr(fp, 10) != 0 { throw failure("bwCreateHdr") }
        let cNames = genome.names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let lengths = genome.lengths.map { UInt32($0) }
        let list = cNames.map { UnsafePointer<CChar>($0) }
        fp.pointee.cl = list.withUnsafeBufferPointer { names in
            lengths.withUnsafeBufferPointer { lens in
                bwCreateChromList(names.baseAddress, lens.baseAddress, Int64(genome.names.count))
            }
        }
        if fp.pointee.cl == nil { throw failure("bwCreateChromList") }
        if bwWriteHdr(fp) != 0 { throw failure("bwWriteHdr") }
        starts.reserveCapacity(BigWigWriter.block)
        ends.reserveCapacity(BigWigWriter.block)
        values.reserveCapacity(BigWigWriter.block)
    }

    deinit { if fp != nil { abort() } }

    public func add(_ chrom: String, _ start: Int, _ end: Int, _ value: Float) throws {
        try order.check(chrom, start, end)
        guard value.isFinite else {
            throw TrackError.invalidInterval(path: output.path, detail: "non-finite score at \(chrom):\(start + 1)-\(end)")
        }
        if chrom != self.chrom {
            try flushBlock()
            self.chrom = chrom
            chromStarted = false
        }
        starts.append(UInt32(start))
        ends.append(UInt32(end))
        values.append(value)
        if starts.count == BigWigWriter.block { try flushBlock() }
    }

    public func finish() throws {
        try flushBlock()
        // libBigWig ignores failed writes and can corrupt its memory closing a file it could not
        // write (a full disk): check the stream, and the room left for the index and zoom levels
        // (at most about the size written so far), before letting it finish the file.
        if let file = stream {
            if fflush(file) != 0 || ferror(file) != 0 { try writeFailed(String(cString: strerror(errno))) }
            var st = stat()
            if fstat(fileno(file), &st) == 0 { try ensureRoom(Int(st.st_size) + (1 << 20)) }
        }
        if let fp { bwClose(fp) }
        fp = nil
        try output.commit()
    }

    /// Drops the output. After a failed write the libBigWig handle is abandoned without
    /// `bwClose` (which would write on and can corrupt memory; only its stream is closed, and
    /// its memory is left to the process's exit); otherwise it is closed normally first.
    public func abort() {
        if failed {
            if let file = stream { fclose(file) }
        } else if let fp {
            bwClose(fp)
        }
        fp = nil
        output.abort()
    }

    /// A write failed: libBigWig's state can no longer be trusted.
    private var failed = false

    /// Throws "No space left on device" unless the output's file system has `bytes` free.
    private func ensureRoom(_ bytes: Int) throws {
        guard let file = stream else { return }
        if fflush(file) != 0 || ferror(file) != 0 { try writeFailed(String(cString: strerror(errno))) }
        var vfs = statvfs()
        guard fstatvfs(fileno(file), &vfs) == 0 else { return }
        if Int(vfs.f_bavail) * Int(vfs.f_frsize) < bytes { try writeFailed(String(cString: strerror(ENOSPC))) }
    }

    /// The stdio stream libBigWig writes through.
    private var stream: UnsafeMutablePointer<FILE>? { fp?.pointee.URL?.pointee.x.fp }

    /// Gives up on a file libBigWig could not write: the handle is dropped without `bwClose`
    /// (which would write on and may crash), the temporary file removed.
    private func writeFailed(_ reason: String) throws -> Never {
        failed = true
        abort()
        throw TrackError.writeFailed(path: output.path, reason: reason)
    }

    private func flushBlock() throws {
        guard let fp, let chrom, !starts.isEmpty else { return }
        // libBigWig does not survive running out of space mid-write: make sure a block fits
        // (12 bytes per interval uncompressed, plus slack) before handing it over.
        try ensureRoom(starts.count * 12 + (1 << 20))
        let n = UInt32(starts.count)
        let rc: Int32
        if chromStarted {
            rc = bwAppendIntervals(fp, starts, ends, values, n)
        } else {
            let name = strdup(chrom)
            defer { free(name) }
            let names = [UnsafePointer<CChar>?](repeating: UnsafePointer(name), count: starts.count)
            rc = names.withUnsafeBufferPointer { bwAddIntervals(fp, $0.baseAddress, starts, ends, values, n) }
            chromStarted = true
        }
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        guard rc == 0 else { try fail("bwAddIntervals") }
        if let file = stream, ferror(file) != 0 { try writeFailed(String(cString: strerror(errno))) }
    }

    private func fail(_ call: String) throws -> Never {
        throw failure(call)
    }

    /// Gives up on the file after libBigWig's `call` failed (as `writeFailed`); the error to
    /// throw: a write failure when the stream failed or the disk is full.
    private func failure(_ call: String) -> TrackError {
        let code = errno
        let diskError = stream.map { ferror($0) != 0 } ?? false || code == ENOSPC
        failed = true
        abort()
        return diskError ? .writeFailed(path: output.path, reason: String(cString: strerror(code))) : .bigWig(path: output.path, call: call)
    }
}
