import CHDF5
import Foundation
import Genome
import Pipeline

/// An HDF5 file opened read-only through the HDF5 C library, for its numeric datasets.
final class HDF5File {
    let path: String
    private let file: hid_t

    /// Opens `path`; HDF5's own error printing is turned off (errors are crick's one line).
    init(path: String) throws {
        self.path = path
        H5Eset_auto2(crick_h5e_default(), nil, nil)
        try FileChecks.requireReadableFile(path)
        guard H5Fis_hdf5(path) > 0 else { throw DatasetError.invalid("not an HDF5 file: \(path)") }
        let f = H5Fopen(path, crick_h5f_acc_rdonly(), crick_h5p_default())
        guard f >= 0 else { throw DatasetError.invalid("cannot open the HDF5 file: \(path)") }
        file = f
    }

    deinit { H5Fclose(file) }

    /// True when the file holds a dataset (or group) named `name`.
    func has(_ name: String) -> Bool {
        name.split(separator: "/").reduce(into: (true, "")) { state, part in
            guard state.0 else { return }
            state.1 += (state.1.isEmpty ? "" : "/") + part
            state.0 = H5Lexists(file, state.1, crick_h5p_default()) > 0
        }.0
    }

    /// One numeric dataset.
    final class Array: ImportArray {
        let source: String
        let shape: [Int]
        let isInteger: Bool
        let elementType: String
        private let dataset: hid_t
        private let space: hid_t

        init(file: hid_t, name: String, path: String) throws {
            source = "\(path):\(name)"
            let d = H5Dopen2(file, name, crick_h5p_default())
            guard d >= 0 else { throw DatasetError.invalid("no dataset '\(name)' in \(path)") }
            dataset = d
            let s = H5Dget_space(d)
            let t = H5Dget_type(d)
            defer { if t >= 0 { H5Tclose(t) } }
            let cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS
            guard s >= 0, cls == H5T_INTEGER || cls == H5T_FLOAT else {
                if s >= 0 { H5Sclose(s) }
                H5Dclose(d)
                throw DatasetError.invalid("dataset '\(name)' of \(path) is not numeric")
            }
            space = s
            isInteger = cls == H5T_INTEGER
            let bits = 8 * Int(H5Tget_size(t))
            elementType = isInteger ? (H5Tget_sign(t) == H5T_SGN_NONE ? "uint\(bits)" : "int\(bits)") : "float\(bits)"
            let rank = Int(H5Sget_simple_extent_ndims(s))
            guard (1...8).contains(rank) else {
                H5Sclose(s)
                H5Dclose(d)
                throw DatasetError.invalid("dataset '\(name)' of \(path) has rank \(rank)")
            }
            var dims = [hsize_t](repeating: 0, count: rank)
            H5Sget_simple_extent_dims(s, &dims, nil)
            shape = dims.map { Int(clamping: $0) }
        }

        deinit {
            H5Sclose(space)
            H5Dclose(dataset)
        }

        /// Rows `rows` (along the first dimension) as Float, in C order.
        func read(rows: Range<Int>) throws -> [Float] {
            guard let count = CheckedSize.product([rows.count] + Swift.Array(shape.dropFirst())),
                  MemoryBudget.refusal("reading \(rows.count) rows of \(source)", bytes: CheckedSize.product(count, 4)) == nil else {
                throw DatasetError.invalid("\(source) has shape \(shape): its rows are more than this machine can read")
            }
            var out = [Float](repeating: 0, count: count)
            guard count > 0 else { return out }
            var start = [hsize_t](repeating: 0, count: shape.count), size = shape.map { hsize_t($0) }
            start[0] = hsize_t(rows.lowerBound)
            size[0] = hsize_t(rows.count)
            let file = H5Scopy(space)
            defer { H5Sclose(file) }
            guard H5Sselect_hyperslab(file, H5S_SELECT_SET, start, nil, size, nil) >= 0 else {
                throw DatasetError.invalid("cannot select rows \(rows) of \(source)")
            }
            let memory = H5Screate_simple(Int32(shape.count), size, nil)
            defer { H5Sclose(memory) }
            let status = out.withUnsafeMutableBytes { H5Dread(dataset, crick_h5t_native_float(), memory, file, crick_h5p_default(), $0.baseAddress) }
            guard status >= 0 else { throw DatasetError.invalid("cannot read rows \(rows.lowerBound + 1)-\(rows.upperBound) of \(source)") }
            return out
        }
    }

    /// The dataset `name`.
    func array(_ name: String) throws -> Array { try Array(file: file, name: name, path: path) }
}
