#if canImport(Glibc)
import Glibc
#endif

import CHTSlib

/// A whole file's bytes in memory, read-only: a memory map of a plain file, or the
/// decompressed content of a bgzip file. Immutable after creation, so one copy may be read
/// from any number of threads.
final class MappedFile: @unchecked Sendable {
    /// The bytes (immutable; never written).
    let bytes: UnsafeRawBufferPointer
    /// True when `bytes` is a heap buffer (decompressed) rather than a map.
    private var allocated = false

    /// Decompresses the bgzip file at `path` (`size` uncompressed bytes) through htslib.
    init(decompressing path: String, size: Int) throws {
        guard let fp = bgzf_open(path, "r") else {
            throw GenomeError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { bgzf_close(fp) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 64)
        guard let base = buffer.baseAddress else {
            buffer.deallocate()
            throw GenomeError.unreadable(path: path, reason: "cannot allocate \(size) bytes")
        }
        var done = 0
        while done < size {
            let n = bgzf_read(fp, base + done, min(size - done, 1 << 24))
            if n < 0 {
                buffer.deallocate()
                throw GenomeError.unreadable(path: path, reason: "bgzip decompression failed; the file may be corrupt")
            }
            if n == 0 { break }
            done += n
        }
        bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<done])
        allocated = true
    }

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw GenomeError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw GenomeError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(st.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw GenomeError.unreadable(path: path, reason: "mmap: " + String(cString: strerror(errno)))
        }
        _ = madvise(p, size, MADV_WILLNEED)
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    /// Drops the pages wholly inside bytes [from, to) from this process's memory (a mapped
    /// file only; they stay in the page cache and fault back in if read again). Streaming
    /// readers call it behind them so that memory stays bounded on long chromosomes.
    func release(from: Int, to: Int) {
        guard !allocated, let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (max(0, from) + page - 1) / page * page, hi = min(bytes.count, to) / page * page
        guard hi > lo else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + lo), hi - lo, MADV_DONTNEED)
    }

    deinit {
        if allocated {
            UnsafeMutableRawPointer(mutating: bytes.baseAddress)?.deallocate()
        } else if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
