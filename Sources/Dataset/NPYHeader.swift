/// NPY format version 1.0 headers (C order), as `numpy.load(path, mmap_mode="r")` reads them.
public enum NPYHeader {
    /// Total bytes of the headers crick writes: fixed, so a header can be rewritten in place
    /// once the row count is known.
    public static let fixedSize = 128

    /// The header for an array of `dtype` (a NumPy descr such as `|u1` or `<f4`) and `shape`,
    /// padded with spaces to `fixedSize` bytes and ending in a newline.
    public static func bytes(dtype: String, shape: [Int]) -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var dict = "{'descr': '\(dtype)', 'fortran_order': False, 'shape': (\(dims)), }"
        let prefix = 10  // magic (6) + version (2) + header length (2)
        let padded = fixedSize - prefix
        precondition(dict.utf8.count < padded, "NPY header too long")
        dict += String(repeating: " ", count: padded - 1 - dict.utf8.count) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        out.append(UInt8(padded & 0xff))
        out.append(UInt8(padded >> 8))
        out += Array(dict.utf8)
        return out
    }
}
