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
/// intervals give the same file however they arrive. Within a block, runs of at least
/// `fixedStepRun` adjacent intervals of one width (a scan's bins) are written as fixed-step
/// sections (one value per interval), everything else as bedGraph sections (start, end and
/// value per interval). Order, bounds and non-overlap are enforced here before anything reaches
/// libBigWig.
public final class BigWigWriter: TrackWriter {
    private let output: OutputFile
    private var fp: UnsafeMutablePointer<bigWigFile_t>?
    private var order: TrackOrderCheck
    private let genome: TrackGenome
    private var chrom: String?
    /// The kind of the section libBigWig holds open, which the next intervals may extend.
    private var section = Section.none
    private var starts: [UInt32] = []
    private var ends: [UInt32] = []
    private var values: [Float] = []
    private static let block = 1 << 14
    /// The fewest adjacent equal-width intervals written as a fixed-step section.
    static let fixedStepRun = 8

    /// A section of the chromosome being written.
    private enum Section: Equatable {
        case none
        case bedGraph
        /// Fixed-step intervals of width `span`, the next of which would start at `next`.
        case fixedStep(span: UInt32, next: UInt32)
    }

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
        guard bwCreateHdr(fp, 10) == 0 else { throw failure("bwCreateHdr") }
        let cNames = genome.names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let lengths = genome.lengths.map { UInt32($0) }
        let list = cNames.map { UnsafePointer<CChar>($0) }
        fp.pointee.cl = list.withUnsafeBufferPointer { names in
            lengths.withUnsafeBufferPointer { lens in
                bwCreateChromList(names.baseAddress, lens.baseAddress, Int64(genome.names.count))
            }
        }
        guard fp.pointee.cl != nil else { throw failure("bwCreateChromList") }
        guard bwWriteHdr(fp) == 0 else { throw failure("bwWriteHdr") }
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
            section = .none
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
            if fflush(file) != 0 || ferror(file) != 0 { throw writeFailure(String(cString: strerror(errno))) }
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
        if fflush(file) != 0 || ferror(file) != 0 { throw writeFailure(String(cString: strerror(errno))) }
        var vfs = statvfs()
        guard fstatvfs(fileno(file), &vfs) == 0 else { return }
        if Int(vfs.f_bavail) * Int(vfs.f_frsize) < bytes { throw writeFailure(String(cString: strerror(ENOSPC))) }
    }

    /// The stdio stream libBigWig writes through.
    private var stream: UnsafeMutablePointer<FILE>? { fp?.pointee.URL?.pointee.x.fp }

    /// Gives up on a file libBigWig could not write: the handle is dropped without `bwClose`
    /// (which would write on and may crash), the temporary file removed; the error to throw.
    private func writeFailure(_ reason: String) -> TrackError {
        failed = true
        abort()
        return TrackError.writeFailed(path: output.path, reason: reason)
    }

    private func flushBlock() throws {
        guard let fp, let chrom, !starts.isEmpty else { return }
        // libBigWig does not survive running out of space mid-write: make sure a block fits
        // (12 bytes per interval uncompressed, plus slack) before handing it over.
        try ensureRoom(starts.count * 12 + (1 << 20))
        defer {
            starts.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
        }
        let name = strdup(chrom)
        defer { free(name) }
        let n = starts.count
        var i = 0
        while i < n {
            let run = runLength(from: i)
            let span = ends[i] - starts[i]
            if case .fixedStep(span, starts[i]) = section {
                try write(fixedFrom: i, count: run, append: true, chrom: name, fp: fp)
                i += run
            } else if run >= BigWigWriter.fixedStepRun {
                try write(fixedFrom: i, count: run, append: false, chrom: name, fp: fp)
                i += run
            } else {
                // Intervals up to the next run long enough for a fixed-step section.
                var j = i + run
                while j < n {
                    let r = runLength(from: j)
                    if r >= BigWigWriter.fixedStepRun { break }
                    j += r
                }
                try write(bedGraphFrom: i, count: j - i, chrom: name, fp: fp)
                i = j
            }
        }
        if let file = stream, ferror(file) != 0 { throw writeFailure(String(cString: strerror(errno))) }
    }

    /// How many intervals from `i` on are adjacent and as wide as interval `i`.
    private func runLength(from i: Int) -> Int {
        let span = ends[i] - starts[i]
        var j = i + 1
        while j < starts.count && starts[j] == ends[j - 1] && ends[j] - starts[j] == span { j += 1 }
        return j - i
    }

    /// Intervals [i, i + count), adjacent and of one width, as (the rest of) a fixed-step section.
    private func write(fixedFrom i: Int, count: Int, append: Bool, chrom: UnsafeMutablePointer<CChar>?,
                       fp: UnsafeMutablePointer<bigWigFile_t>) throws {
        let span = ends[i] - starts[i]
        let rc = values.withUnsafeBufferPointer { v -> Int32 in
            let first = v.baseAddress.map { $0 + i }
            return append ? bwAppendIntervalSpanSteps(fp, first, UInt32(count))
                          : bwAddIntervalSpanSteps(fp, chrom, starts[i], span, span, first, UInt32(count))
        }
        guard rc == 0 else { throw failure(append ? "bwAppendIntervalSpanSteps" : "bwAddIntervalSpanSteps") }
        section = .fixedStep(span: span, next: ends[i + count - 1])
    }

    /// Intervals [i, i + count) as (the rest of) a bedGraph section.
    private func write(bedGraphFrom i: Int, count: Int, chrom: UnsafeMutablePointer<CChar>?,
                       fp: UnsafeMutablePointer<bigWigFile_t>) throws {
        let append = section == .bedGraph
        let rc = starts.withUnsafeBufferPointer { st in ends.withUnsafeBufferPointer { en in values.withUnsafeBufferPointer { v -> Int32 in
            guard let s0 = st.baseAddress, let e0 = en.baseAddress, let v0 = v.baseAddress else { return -1 }
            if append { return bwAppendIntervals(fp, s0 + i, e0 + i, v0 + i, UInt32(count)) }
            let names = [UnsafePointer<CChar>?](repeating: UnsafePointer(chrom), count: count)
            return names.withUnsafeBufferPointer { bwAddIntervals(fp, $0.baseAddress, s0 + i, e0 + i, v0 + i, UInt32(count)) }
        } } }
        guard rc == 0 else { throw failure(append ? "bwAppendIntervals" : "bwAddIntervals") }
        section = .bedGraph
    }

    /// Abandons the file after libBigWig's `call` failed; the error to throw.
    private func failure(_ call: String) -> TrackError {
        let code = errno
        if let file = stream, ferror(file) != 0 || code == ENOSPC { return writeFailure(String(cString: strerror(code))) }
        failed = true
        abort()
        return TrackError.bigWig(path: output.path, call: call)
    }
}
