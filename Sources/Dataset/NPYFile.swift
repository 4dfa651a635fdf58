import Foundation
import Genome
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// A read-only, memory-mapped NPY file (version 1.0 to 3.0, C order) of uint8 or float32.
public final class NPYFile {
    /// The path.
    public let path: String
    /// The NumPy dtype descriptor, such as `|u1` or `<f4`.
    public let dtype: String
    /// The shape.
    public let shape: [Int]
    /// Offset of the data from the start of the file.
    public let dataOffset: Int
    private let base: UnsafeMutableRawPointer?
    private let size: Int

    /// Maps `path` and parses its header.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw GenomeError.fileNotFound(path: path) }
            throw GenomeError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        size = Int(st.st_size)
        guard size >= 10 else { throw DatasetError.invalid("not an NPY file (too short): \(path)") }
        guard let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw GenomeError.unreadable(path: path, reason: "mmap: " + String(cString: strerror(errno)))
        }
        base = p
        let bytes = UnsafeRawBufferPointer(start: p, count: size)
        do {
            let header = try NPYHeader.parse(bytes, path: path)
            dtype = header.dtype
            shape = header.shape
            dataOffset = header.dataOffset
            let available = size - dataOffset
            guard let expected = CheckedSize.product(shape + [header.itemSize]) else {
                throw DatasetError.invalid("NPY shape \(shape) of \(dtype) overflows a 64-bit size: \(path)")
            }
            guard available == expected else {
                let why = available < expected ? " (truncated file?)" : ""
                throw DatasetError.invalid("NPY shape \(shape) of \(dtype) needs \(expected) bytes of data, the file has \(available)\(why): \(path)")
            }
        } catch {
            munmap(p, size)
            throw error
        }
    }

    deinit {
        if let base { munmap(base, size) }
    }

    /// The data as bytes (valid while this object lives).
    public var data: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { $0 + dataOffset }, count: size - dataOffset)
    }

    /// Row `i` (everything after the first dimension) of a float32 array.
    public func floatRow(_ i: Int) -> UnsafeBufferPointer<Float> {
        let width = shape.count > 1 ? shape[1...].reduce(1, *) : 1
        return UnsafeBufferPointer(rebasing: data.bindMemory(to: Float.self)[(i * width)..<((i + 1) * width)])
    }

    /// Row `i` of a 2-D uint8 array.
    public func row(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let width = shape.count > 1 ? shape[1...].reduce(1, *) : 1
        return UnsafeBufferPointer(rebasing: data.bindMemory(to: UInt8.self)[(i * width)..<((i + 1) * width)])
    }
}

extension NPYHeader {
    /// What an NPY header says.
    public struct Parsed: Sendable {
        public let dtype: String
        public let fortranOrder: Bool
        public let shape: [Int]
        public let dataOffset: Int
        /// Bytes per element.
        public var itemSize: Int { Int(dtype.filter(\.isNumber)) ?? 1 }
    }

    /// Parses and checks the header at the start of `bytes`.
    public static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> Parsed {
        func fail(_ why: String) -> DatasetError { .invalid("bad NPY header (\(why)): \(path)") }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else { throw fail("no magic string") }
        let major = bytes[6]
        let headerLength: Int
        let start: Int
        switch major {
        case 1: headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("short") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default: throw fail("unsupported version \(major)")
        }
        guard headerLength < 1 << 20, start + headerLength <= bytes.count else { throw fail("header length \(headerLength)") }
        let text = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        func value(_ key: String) -> Substring? {
            guard let r = text.range(of: "'\(key)':") else { return nil }
            return text[r.upperBound...].drop { $0 == " " }
        }
        guard let d = value("descr"), d.first == "'", let endQuote = d.dropFirst().firstIndex(of: "'") else { throw fail("no descr") }
        let dtype = String(d[d.index(after: d.startIndex)..<endQuote])
        guard ["|u1", "<u1", "|i1", "<f4", "<i4", "<i8", "<f8"].contains(dtype) else { throw fail("unsupported dtype \(dtype)") }
        guard let f = value("fortran_order") else { throw fail("no fortran_order") }
        let fortran = f.hasPrefix("True")
        guard !fortran else { throw fail("Fortran order is not supported; save with C order") }
        guard let s = value("shape"), s.first == "(", let close = s.firstIndex(of: ")") else { throw fail("no shape") }
        let dims = s[s.index(after: s.startIndex)..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = []
        for dim in dims {
            guard let v = Int(dim), v >= 0 else { throw fail("bad dimension '\(dim)'") }
            shape.append(v)
        }
        return Parsed(dtype: dtype, fortranOrder: fortran, shape: shape, dataOffset: start + headerLength)
    }
}
