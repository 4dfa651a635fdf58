import Foundation
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping
/// tensor names to dtype, shape and byte offsets (plus `__metadata__`, strings only), then
/// the little-endian data. Only F32 tensors are written and read.
public enum Safetensors {
    /// Named tensors and metadata read from a file.
    public struct Contents {
        public var tensors: [String: (shape: [Int], values: [Float])]
        public var metadata: [String: String]
    }

    /// The bytes of a file holding `tensors` (written in the given order) and `metadata`.
    public static func encode(_ tensors: [(name: String, shape: [Int], values: [Float])], metadata: [String: String]) throws -> [UInt8] {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for t in tensors {
            let bytes = t.values.count * 4
            header[t.name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does.
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out = [UInt8]()
        out.reserveCapacity(8 + json.count + offset)
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out += $0 }
        out += json
        for t in tensors {
            t.values.withUnsafeBytes { out += $0 }
        }
        return out
    }

    /// The largest element count of one tensor crick reads (2^48, 1 PB of F32).
    public static let maxElements = 1 << 48

    /// The product of `shape`, or nil when a dimension is negative or the product exceeds
    /// `maxElements` (computed with overflow checks).
    public static func elementCount(_ shape: [Int]) -> Int? {
        guard let count = CheckedSize.product(shape), count <= maxElements else { return nil }
        return count
    }

    /// Parses safetensors bytes; `source` names the file in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws -> Contents {
        func fail(_ why: String) -> NetworkError { .file(path: source, detail: "not a valid safetensors file (\(why))") }
        guard bytes.count >= 8 else { throw fail("shorter than 8 bytes") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8), n < 100_000_000 else { throw fail("header length \(n) exceeds the file") }
        let headerEnd = 8 + Int(n)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])), let header = object as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw fail("metadata value \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("entry \(name) lacks dtype, shape or data_offsets")
            }
            guard dtype == "F32" else { throw fail("tensor \(name) has dtype \(dtype); crick reads F32") }
            guard let count = Safetensors.elementCount(shape) else {
                throw fail("tensor \(name) has shape \(shape) with a negative dimension or more than 2^48 elements")
            }
            let (begin, end) = (offsets[0], offsets[1])
            // count <= 2^48, so count * 4 cannot overflow; the offsets are checked against the
            // data's size before they are added to anything.
            let dataSize = bytes.count - headerEnd
            guard begin >= 0, end >= begin, end <= dataSize else {
                throw fail("tensor \(name) has data_offsets \(offsets) outside the \(dataSize) bytes of data")
            }
            guard end - begin == count * 4 else {
                throw fail("tensor \(name) has data_offsets \(offsets) (\(end - begin) bytes) that do not match shape \(shape) (\(count * 4) bytes)")
            }
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { dst in
                bytes.withUnsafeBytes { src in
                    dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[(headerEnd + begin)..<(headerEnd + end)]))
                }
            }
            tensors[name] = (shape, values)
        }
        return Contents(tensors: tensors, metadata: metadata)
    }
}
