#if canImport(Glibc)
import Glibc
#endif

/// Checks the structure of a bigWig file before libBigWig reads it: libBigWig trusts every
/// offset and count in the file, so a file cut at any byte or with one field changed makes
/// it read past the end or dereference a null header. Everything libBigWig will follow must
/// lie inside the file: the 64-byte header, the zoom headers, the total summary, the
/// chromosome B+ tree, the full and zoom R-tree indexes and every data block they point
/// to, and the closing magic number of a complete file.
enum BigWigStructure {
    static let magic: UInt32 = 0x888F_FC26
    static let chromTreeMagic: UInt32 = 0x78CA_8C91
    static let indexMagic: UInt32 = 0x2468_ACE0
    /// Bounds on what a valid file may declare (far above any real file).
    static let maxTreeDepth = 64
    static let maxKeySize = 1024
    static let maxZoomLevels = 64

    /// Reads little-endian values at absolute offsets of one open file, each read checked
    /// against the file's size.
    struct Reader {
        let fd: Int32
        let size: Int
        let path: String

        func fail(_ what: String) -> TrackError {
            .unreadable(path: path, reason: "not a valid bigWig file: \(what)")
        }

        /// `count` bytes at `offset`; throws when they do not lie inside the file.
        func bytes(_ offset: Int, _ count: Int, _ what: String) throws -> [UInt8] {
            let (end, overflow) = offset.addingReportingOverflow(count)
            guard offset >= 0, count >= 0, !overflow, end <= size else {
                throw fail("\(what) at byte \(offset) (\(count) bytes) runs past the end of the \(size)-byte file (truncated?)")
            }
            var out = [UInt8](repeating: 0, count: count)
            let got = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            guard got == count else { throw fail("cannot read \(what) at byte \(offset)") }
            return out
        }

        /// The unsigned little-endian integer of `width` bytes at `at` in `b`.
        static func int(_ b: [UInt8], _ at: Int, _ width: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in (0..<width).reversed() { v = v << 8 | UInt64(b[at + i]) }
            return v
        }

        /// An offset field: at most the file size (so later sums cannot overflow).
        func offset(_ b: [UInt8], _ at: Int, _ what: String) throws -> Int {
            let v = Reader.int(b, at, 8)
            guard v <= UInt64(size) else { throw fail("\(what) \(v) lies past the end of the \(size)-byte file (truncated?)") }
            return Int(v)
        }
    }

    /// Throws `TrackError.unreadable` naming `path` and the first structure that does not fit.
    static func validate(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TrackError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TrackError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        let r = Reader(fd: fd, size: Int(st.st_size), path: path)
        guard r.size >= 64 else { throw r.fail("\(r.size) bytes, shorter than the 64-byte header") }
        let h = try r.bytes(0, 64, "header")
        guard Reader.int(h, 0, 4) == UInt64(magic) else { throw r.fail("no bigWig magic number (big-endian files are not supported)") }
        let zoomLevels = Int(Reader.int(h, 6, 2))
        guard zoomLevels <= maxZoomLevels else { throw r.fail("\(zoomLevels) zoom levels") }
        let chromTree = try r.offset(h, 8, "chromosome tree offset")
        let fullData = try r.offset(h, 16, "data offset")
        let fullIndex = try r.offset(h, 24, "index offset")
        let summary = try r.offset(h, 44, "total summary offset")
        let tail = try r.bytes(r.size - 4, 4, "closing magic number")
        guard Reader.int(tail, 0, 4) == UInt64(magic) else {
            throw r.fail("no closing magic number at its end (truncated file?)")
        }
        let zooms = try r.bytes(64, 24 * zoomLevels, "zoom headers")
        if summary != 0 { _ = try r.bytes(summary, 40, "total summary") }
        try checkChromTree(r, at: chromTree)
        _ = try r.bytes(fullData, 8, "data count")
        try checkIndex(r, at: fullIndex, what: "index")
        for z in 0..<zoomLevels {
            let data = try r.offset(zooms, 24 * z + 8, "zoom \(z + 1) data offset")
            let index = try r.offset(zooms, 24 * z + 16, "zoom \(z + 1) index offset")
            _ = try r.bytes(data, 4, "zoom \(z + 1) data")
            try checkIndex(r, at: index, what: "zoom \(z + 1) index")
        }
    }

    /// The chromosome B+ tree: its header, then every node (depth-first), each within the file.
    private static func checkChromTree(_ r: Reader, at offset: Int) throws {
        let h = try r.bytes(offset, 32, "chromosome tree header")
        guard Reader.int(h, 0, 4) == UInt64(chromTreeMagic) else { throw r.fail("bad chromosome tree magic number") }
        let keySize = Int(Reader.int(h, 8, 4)), valueSize = Int(Reader.int(h, 12, 4))
        guard (1...maxKeySize).contains(keySize), valueSize == 8 else {
            throw r.fail("chromosome tree key size \(keySize) or value size \(valueSize)")
        }
        let items = Reader.int(h, 16, 8)
        var leaves: UInt64 = 0
        var ids = Set<UInt64>()
        try walk(r, root: offset + 32, what: "chromosome tree", itemSize: { _ in keySize + 8 }) { leaf, body, count in
            if leaf {
                leaves += UInt64(count)
                // libBigWig stores each name at the index its leaf gives: each must be unique
                // and below the declared count.
                for i in 0..<count {
                    let id = Reader.int(body, i * (keySize + 8) + keySize, 4)
                    guard id < items, ids.insert(id).inserted else { throw r.fail("chromosome tree has a bad chromosome index \(id)") }
                }
                return []
            }
            return try (0..<count).map { try r.offset(body, $0 * (keySize + 8) + keySize, "chromosome tree child offset") }
        }
        guard items == leaves else { throw r.fail("chromosome tree declares \(items) chromosomes and holds \(leaves)") }
    }

    /// An R-tree index: its header, then every node, and every data block its leaves point to.
    private static func checkIndex(_ r: Reader, at offset: Int, what: String) throws {
        let h = try r.bytes(offset, 48, "\(what) header")
        guard Reader.int(h, 0, 4) == UInt64(indexMagic) else { throw r.fail("bad \(what) magic number") }
        try walk(r, root: offset + 48, what: what, itemSize: { $0 ? 32 : 24 }) { leaf, body, count in
            if leaf {
                for i in 0..<count {
                    let data = try r.offset(body, i * 32 + 16, "\(what) data block offset")
                    let size = try r.offset(body, i * 32 + 24, "\(what) data block size")
                    guard data + size <= r.size else {
                        throw r.fail("\(what) data block at byte \(data) (\(size) bytes) runs past the end of the \(r.size)-byte file (truncated?)")
                    }
                }
                return []
            }
            return try (0..<count).map { try r.offset(body, $0 * 24 + 16, "\(what) child offset") }
        }
    }

    /// Walks a tree of nodes (is-leaf byte, reserved byte, 16-bit count, then `count` items of
    /// `itemSize(isLeaf)` bytes) depth-first from `root`, each node within the file;
    /// `visit(isLeaf, items, count)` checks a node's items and returns its children's offsets.
    private static func walk(_ r: Reader, root: Int, what: String, itemSize: (Bool) -> Int,
                             visit: (Bool, [UInt8], Int) throws -> [Int]) throws {
        var nodes = 0
        func node(_ at: Int, depth: Int) throws {
            nodes += 1
            guard depth <= maxTreeDepth, nodes <= r.size / 4 else { throw r.fail("\(what) is cyclic or too deep") }
            let n = try r.bytes(at, 4, "\(what) node")
            let leaf = n[0] == 1
            let count = Int(Reader.int(n, 2, 2))
            let body = try r.bytes(at + 4, count * itemSize(leaf), "\(what) node")
            for child in try visit(leaf, body, count) { try node(child, depth: depth + 1) }
        }
        try node(root, depth: 0)
    }
}

extension BigWigLibrary {
    /// Runs `body` with stderr sent to /dev/null: libBigWig prints its own messages, and a
    /// failure must reach the user as one crick error line.
    static func quietly<T>(_ body: () -> T) -> T {
        fflush(nil)
        let saved = dup(2)
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        guard saved >= 0, null >= 0 else {
            if saved >= 0 { close(saved) }
            if null >= 0 { close(null) }
            return body()
        }
        dup2(null, 2)
        close(null)
        defer {
            fflush(nil)
            dup2(saved, 2)
            close(saved)
        }
        return body()
    }
}
