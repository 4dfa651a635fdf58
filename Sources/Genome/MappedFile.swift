#if canImport(Glibc)
import Glibc
#endif

/// A read-only memory map of a whole file. Immutable after creation, so one map may be
/// read from any number of threads.
final class MappedFile: @unchecked Sendable {
    /// The mapped bytes (immutable; never written).
    let bytes: UnsafeRawBufferPointer

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

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
