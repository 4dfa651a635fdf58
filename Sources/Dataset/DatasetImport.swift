import Foundation
import Genome
import Pipeline

/// A numeric array to import: its shape (rows first) and its rows as Float in C order.
protocol ImportArray: AnyObject {
    /// Where it comes from, for messages (`file` or `file:key`).
    var source: String { get }
    var shape: [Int] { get }
    /// True for integer element types (base codes are integers).
    var isInteger: Bool { get }
    /// The element type as stated to the user (`float32`, `uint8`, ...).
    var elementType: String { get }
    func read(rows: Range<Int>) throws -> [Float]
}

/// An NPY file (C order; uint8, int8, int32, int64, float32 or float64) as an `ImportArray`.
final class NPYImportArray: ImportArray {
    let file: NPYFile
    var source: String { file.path }
    var shape: [Int] { file.shape }
    var isInteger: Bool { !file.dtype.contains("f") }
    var elementType: String {
        ["|u1": "uint8", "<u1": "uint8", "|i1": "int8", "<i4": "int32", "<i8": "int64", "<f4": "float32", "<f8": "float64"][file.dtype] ?? file.dtype
    }

    init(path: String) throws {
        file = try NPYFile(path: path)
        guard !file.shape.isEmpty else { throw DatasetError.invalid("NPY array of rank 0: \(path)") }
    }

    func read(rows: Range<Int>) throws -> [Float] {
        // The NPY reader checked that the shape's byte count fits the file, so these fit too.
        guard let width = CheckedSize.product(Array(file.shape.dropFirst())),
              let lower = CheckedSize.product(rows.lowerBound, width), let upper = CheckedSize.product(rows.upperBound, width) else {
            throw DatasetError.invalid("NPY shape \(file.shape) overflows: \(file.path)")
        }
        let range = lower..<upper
        let d = file.data
        switch file.dtype {
        case "|u1", "<u1": return range.map { Float(d.load(fromByteOffset: $0, as: UInt8.self)) }
        case "|i1": return range.map { Float(d.load(fromByteOffset: $0, as: Int8.self)) }
        case "<i4": return range.map { Float(d.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        case "<i8": return range.map { Float(d.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        case "<f4": return range.map { d.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
        case "<f8": return range.map { Float(d.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self)) }
        default: throw DatasetError.invalid("NPY dtype \(file.dtype) cannot be imported: \(file.path)")
        }
    }
}

/// Where `crick dataset import` reads sequences and labels.
public enum ImportSource: Sendable {
    /// An HDF5 file: Koo & Ploenzke's `x_train/y_train/x_valid/...`, Basset's
    /// `train_in/train_out/...`, or one X and one Y named by `keys` (split given separately).
    case hdf5(path: String, keys: (x: String, y: String)?)
    /// NPY arrays: sequences (one-hot or base codes) and labels.
    case npy(x: String, y: String)
    /// A FASTA file of equal-length records and a TSV of labels (a header `name TASK...`, then
    /// one row per record: its name and a 0 or 1 per task).
    case fasta(path: String, labels: String)
}

/// How sequences were laid out in the source, as stated in dataset.json and on stderr.
public enum ImportLayout: String, Sendable {
    /// One-hot, channels first: (N, 4, L).
    case channelsFirst = "one-hot (N, 4, L)"
    /// One-hot, channels last: (N, L, 4).
    case channelsLast = "one-hot (N, L, 4)"
    /// Base codes 0-4: (N, L).
    case codes = "base codes (N, L)"
    /// Text records.
    case text = "FASTA records"
}

/// Options of `crick dataset import`.
public struct ImportOptions: Sendable {
    public var source: ImportSource
    /// A split NPY (N values of 0 train, 1 valid, 2 test) for sources that have none.
    public var split: String?
    /// Task names (default: from the labels TSV, else task0, task1, ...).
    public var tasks: [String]?
    /// Seed of the split made when the source has none (80/10/10 at random).
    public var seed: UInt64 = 1
    /// Replace crick's files in an earlier dataset directory (`--force`).
    public var force = false

    public init(source: ImportSource) { self.source = source }
}

/// Imports arrays or sequences that already exist into a crick dataset directory.
public struct DatasetImporter {
    public let options: ImportOptions
    /// What was found, for the caller to print.
    public private(set) var notes: [String] = []

    public init(options: ImportOptions) { self.options = options }

    /// One part of the source: sequences, labels and (when the source splits) its split.
    private struct Part {
        var x: ImportArray
        var y: ImportArray
        var split: UInt8?
    }

    /// The parts of an HDF5 file.
    private static func hdf5Parts(_ path: String, keys: (x: String, y: String)?) throws -> [Part] {
        let file = try HDF5File(path: path)
        if let keys { return [Part(x: try file.array(keys.x), y: try file.array(keys.y), split: nil)] }
        for names in [["x_train", "y_train", "x_valid", "y_valid", "x_test", "y_test"],
                      ["train_in", "train_out", "valid_in", "valid_out", "test_in", "test_out"]] where file.has(names[0]) {
            return try (0..<3).compactMap { k -> Part? in
                guard file.has(names[2 * k]) else { return nil }
                return Part(x: try file.array(names[2 * k]), y: try file.array(names[2 * k + 1]), split: UInt8(k))
            }
        }
        throw DatasetError.invalid("\(path) holds neither x_train/y_train/... (Koo & Ploenzke) nor train_in/train_out/... (Basset, DeepSEA); name the arrays with --x KEY --y KEY")
    }

    /// The layout of sequences of `shape`: (N, L) codes, (N, 4, L), (N, L, 4), and those with
    /// a singleton dimension (Basset's (N, 4, 1, L)).
    static func layout(_ array: ImportArray) throws -> (ImportLayout, length: Int) {
        var s = array.shape
        if s.count == 4 { s = [s[0]] + s[1...].filter { $0 != 1 } }
        switch s.count {
        case 2 where array.isInteger: return (.codes, s[1])
        case 3 where s[1] == 4 && s[2] != 4: return (.channelsFirst, s[2])
        case 3 where s[2] == 4 && s[1] != 4: return (.channelsLast, s[1])
        case 3 where s[1] == 4 && s[2] == 4:
            throw DatasetError.invalid("\(array.source): shape \(array.shape) is (N, 4, 4): one-hot channels first or last cannot be told apart")
        default:
            throw DatasetError.invalid("\(array.source): shape \(array.shape) is not one-hot (N, 4, L) or (N, L, 4), nor base codes (N, L)")
        }
    }

    /// Base codes of one-hot columns: a column with one 1 and three 0 is that base; all 0 (or
    /// all 0.25) is N; anything else is not one-hot (nil).
    static func code(_ a: Float, _ c: Float, _ g: Float, _ t: Float) -> UInt8? {
        let v = [a, c, g, t]
        if v.allSatisfy({ $0 == 0 }) || v.allSatisfy({ $0 == 0.25 }) { return 4 }
        guard let i = v.firstIndex(of: 1), v.filter({ $0 == 0 }).count == 3 else { return nil }
        return UInt8(i)
    }

    /// Imports into `directory`; returns its dataset.json.
    public mutating func run(into directory: String) throws -> DatasetInfo {
        try OutputDirectory.check(directory, kind: DatasetInfo.outputKind, force: options.force, legacyFiles: DatasetInfo.files)
        switch options.source {
        case .hdf5(let path, let keys):
            return try importArrays(try DatasetImporter.hdf5Parts(path, keys: keys), from: path, into: directory)
        case .npy(let x, let y):
            return try importArrays([Part(x: try NPYImportArray(path: x), y: try NPYImportArray(path: y), split: nil)], from: x, into: directory)
        case .fasta(let path, let labels):
            return try importFasta(path, labels: labels, into: directory)
        }
    }

    // MARK: Arrays

    private mutating func importArrays(_ parts: [Part], from source: String, into directory: String) throws -> DatasetInfo {
        if parts.contains(where: { $0.split != nil }), let given = options.split {
            throw DatasetError.invalid("\(source) has its own splits; --split \(given) would be ignored (leave it out)")
        }
        let (layout, L) = try DatasetImporter.layout(parts[0].x)
        var tasks = 0
        for (k, p) in parts.enumerated() {
            let (l, length) = try DatasetImporter.layout(p.x)
            guard l == layout, length == L else {
                throw DatasetError.invalid("\(p.x.source) is \(l.rawValue) of length \(length), \(parts[0].x.source) \(layout.rawValue) of length \(L)")
            }
            guard p.y.shape[0] == p.x.shape[0], p.y.shape.count <= 2 else {
                throw DatasetError.invalid("\(p.y.source) has shape \(p.y.shape); \(p.x.source) has \(p.x.shape[0]) rows: labels must be (N) or (N, T)")
            }
            let t = p.y.shape.count == 2 ? p.y.shape[1] : 1
            if k == 0 { tasks = t } else if t != tasks {
                throw DatasetError.invalid("\(p.y.source) has \(t) tasks, \(parts[0].y.source) \(tasks)")
            }
        }
        guard L >= 1, tasks >= 1 else { throw DatasetError.invalid("\(source): sequences of length \(L) with \(tasks) tasks") }
        guard let n = CheckedSize.sum(parts.map { Optional($0.x.shape[0]) }), n >= 1, L <= Interval.maxCoordinate,
              CheckedSize.product(n, L) != nil else {
            throw DatasetError.invalid("\(source) holds no sequence, or more than a 64-bit size can count")
        }
        // Sequences stream to the file; labels and split of every row are held.
        if let why = MemoryBudget.refusal("dataset import of \(n) sequences", bytes: CheckedSize.product(n, tasks + 1)) {
            throw DatasetError.invalid(why)
        }
        notes.append("dataset import: \(source): \(layout.rawValue) \(parts[0].x.elementType), \(n) sequences of \(L) bases, \(tasks) task\(tasks == 1 ? "" : "s")" +
                     (parts.count > 1 ? ", splits from the file" : ""))
        var labels = [UInt8](), split = [UInt8]()
        labels.reserveCapacity(n * tasks)
        let names = try taskNames(tasks)
        return try ArrayDatasetWriter.write(directory: directory, rows: n, length: L, tasks: names, force: options.force, kind: "imported",
                                            describe: { [options] counts in
            ArrayDatasetWriter.importInfo(source: source, length: L, tasks: names, layout: layout, counts: counts,
                                          split: parts.contains { $0.split != nil } ? "imported" : options.split != nil ? "given" : "random",
                                          seed: options.seed)
        }) { sequences in
            var row = 0
            var badRows = 0, firstBad: String?
            for p in parts {
                let rows = p.x.shape[0]
                let block = max(1, min(rows, (1 << 22) / max(1, L * 4)))  // L <= 2^60: no overflow
                for r0 in stride(from: 0, to: rows, by: block) {
                    let range = r0..<min(rows, r0 + block)
                    let values = try p.x.read(rows: range)
                    var codes = [UInt8](repeating: 4, count: range.count * L)
                    for i in 0..<range.count {
                        var bad = false
                        for j in 0..<L {
                            let c: UInt8?
                            switch layout {
                            case .codes:
                                let v = values[i * L + j]
                                c = v >= 0 && v <= 4 && v == v.rounded() ? UInt8(v) : nil
                            case .channelsFirst:
                                let b = i * 4 * L + j
                                c = DatasetImporter.code(values[b], values[b + L], values[b + 2 * L], values[b + 3 * L])
                            case .channelsLast, .text:
                                let b = (i * L + j) * 4
                                c = DatasetImporter.code(values[b], values[b + 1], values[b + 2], values[b + 3])
                            }
                            if let c { codes[i * L + j] = c } else if !bad {
                                bad = true
                                if firstBad == nil { firstBad = "row \(range.lowerBound + i + 1) of \(p.x.source), position \(j + 1)" }
                            }
                        }
                        if bad { badRows += 1 }
                    }
                    try sequences(codes)
                    row += range.count
                }
                let y = try p.y.read(rows: 0..<p.y.shape[0])
                if let bad = y.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                    let count = y.filter { $0 != 0 && $0 != 1 }.count
                    throw DatasetError.invalid("\(p.y.source) has \(count) labels that are not 0 or 1 (the first: \(y[bad]) at row \(bad / tasks + 1), task \(bad % tasks + 1))")
                }
                labels += y.map { UInt8($0) }
                if let s = p.split { split += [UInt8](repeating: s, count: p.x.shape[0]) }
            }
            if badRows > 0 {
                throw DatasetError.invalid("\(source): \(badRows) of \(row) sequences are not one-hot (\(layout == .codes ? "codes must be 0-4" : "each position must be one 1 and three 0, or all 0 for N"); the first: \(firstBad ?? "?"))")
            }
            return (labels, try split.isEmpty ? givenSplit(n) : split)
        }
    }

    /// Task names: `--tasks`, or task0, task1, ...
    private func taskNames(_ count: Int) throws -> [String] {
        guard let given = options.tasks else { return (0..<count).map { "task\($0)" } }
        guard given.count == count else { throw DatasetError.invalid("--tasks names \(given.count) tasks, the labels have \(count)") }
        return given
    }

    /// The split of `--split`, or a seeded 80/10/10 split.
    private mutating func givenSplit(_ n: Int) throws -> [UInt8] {
        if let path = options.split {
            let a = try NPYImportArray(path: path)
            guard a.shape == [n] else { throw DatasetError.invalid("--split \(path) has shape \(a.shape), expected (\(n))") }
            let v = try a.read(rows: 0..<n)
            if let bad = v.firstIndex(where: { $0 != 0 && $0 != 1 && $0 != 2 }) {
                throw DatasetError.invalid("--split \(path): row \(bad + 1) is \(v[bad]), not 0 (train), 1 (valid) or 2 (test)")
            }
            return v.map { UInt8($0) }
        }
        notes.append("dataset import: the source has no split: 80/10/10 at random (seed \(options.seed))")
        var rng = SeededRandom(seed: options.seed, stream: 31)
        return (0..<n).map { _ in
            let u = rng.below(10)
            return u == 0 ? 1 : u == 1 ? 2 : 0
        }
    }

    // MARK: FASTA and a labels TSV

    private mutating func importFasta(_ path: String, labels labelPath: String, into directory: String) throws -> DatasetInfo {
        let fasta = try FastaFile(path: path)
        guard let first = fasta.contigs.first else { throw DatasetError.invalid("\(path) holds no sequence") }
        let L = first.length
        if let other = fasta.contigs.first(where: { $0.length != L }) {
            throw DatasetError.invalid("\(path): records differ in length (\(first.name) \(L), \(other.name) \(other.length)); import needs equal lengths")
        }
        let table = try LabelTable(path: labelPath)
        let names = try options.tasks.map { given -> [String] in
            guard given.count == table.tasks.count else { throw DatasetError.invalid("--tasks names \(given.count) tasks, \(labelPath) has \(table.tasks.count)") }
            return given
        } ?? table.tasks
        var labels: [UInt8] = []
        for c in fasta.contigs {
            guard let row = table.rows[c.name] else { throw DatasetError.invalid("\(labelPath) has no labels for record '\(c.name)' of \(path)") }
            labels += row
        }
        if table.rows.count > fasta.contigs.count {
            throw DatasetError.invalid("\(labelPath) has \(table.rows.count - fasta.contigs.count) rows whose name is not a record of \(path)")
        }
        let n = fasta.contigs.count
        notes.append("dataset import: \(path): \(n) records of \(L) bases, \(names.count) task\(names.count == 1 ? "" : "s") from \(labelPath)")
        let reader = try fasta.makeReader()
        return try ArrayDatasetWriter.write(directory: directory, rows: n, length: L, tasks: names, force: options.force, kind: "imported",
                                            rowNames: fasta.contigs.map(\.name),
                                            describe: { [options] counts in
            ArrayDatasetWriter.importInfo(source: path, length: L, tasks: names, layout: .text, counts: counts,
                                          split: options.split != nil ? "given" : "random", seed: options.seed)
        }) { sequences in
            for i in 0..<n {
                var codes = try reader.sequence(contigIndex: i, 0, L)
                codes.withUnsafeMutableBufferPointer { BaseCode.encode($0) }
                try sequences(codes)
            }
            return (labels, try givenSplit(n))
        }
    }
}

/// A labels TSV: a header `name TASK...` and one row per sequence, a 0 or 1 per task.
struct LabelTable {
    let tasks: [String]
    let rows: [String: [UInt8]]

    init(path: String) throws {
        let reader = try TextLineReader(path: path)
        guard let header = try reader.nextLine() else { throw DatasetError.invalid("empty labels file: \(path)") }
        let h = (header.hasSuffix("\r") ? String(header.dropLast()) : header).split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard h.count >= 2 else { throw GenomeError.malformedLine(path: path, line: 1, detail: "the header needs a name column and at least one task") }
        let tasks = Array(h.dropFirst())
        self.tasks = tasks
        var rows: [String: [UInt8]] = [:]
        while var line = try reader.nextLine() {
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty { continue }
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == h.count else {
                throw GenomeError.malformedLine(path: path, line: reader.lineNumber, detail: "\(f.count) fields, the header has \(h.count)")
            }
            let values = try f.dropFirst().enumerated().map { k, v -> UInt8 in
                guard v == "0" || v == "1" else {
                    throw GenomeError.malformedLine(path: path, line: reader.lineNumber, detail: "task \(tasks[k]): '\(v)' is not 0 or 1")
                }
                return v == "1" ? 1 : 0
            }
            guard rows.updateValue(values, forKey: String(f[0])) == nil else {
                throw GenomeError.malformedLine(path: path, line: reader.lineNumber, detail: "name '\(f[0])' appears twice")
            }
        }
        self.rows = rows
    }
}

/// Writes a dataset directory from arrays (imports and simulations): sequences.npy streamed by
/// `fill`, then labels, split, regions.bed (one pseudo-region per row: its name, 0, L, `kind`)
/// and dataset.json (`describe` given the counts), under a temporary name renamed when complete.
enum ArrayDatasetWriter {
    static func write(directory: String, rows n: Int, length L: Int, tasks: [String], force: Bool, kind: String,
                      rowNames: [String]? = nil, describe: (DatasetInfo.Counts) -> DatasetInfo,
                      fill: (_ sequences: ([UInt8]) throws -> Void) throws -> (labels: [UInt8], split: [UInt8])) throws -> DatasetInfo {
        let staging = try StagingDirectory(final: directory, kind: DatasetInfo.outputKind, force: force, legacyFiles: DatasetInfo.files)
        do {
            let sequences = try OutputFile(path: staging.path + "/sequences.npy")
            try sequences.write(NPYHeader.bytes(dtype: "|u1", shape: [n, L]))
            var written = 0
            let (labels, split) = try fill { codes in
                written += codes.count
                try sequences.write(codes)
            }
            guard written == n * L, labels.count == n * tasks.count, split.count == n else {
                throw DatasetError.invalid("\(written / max(L, 1)) sequences, \(labels.count / max(tasks.count, 1)) label rows and \(split.count) split values do not agree")
            }
            try sequences.commit()
            for (name, data, shape) in [("labels.npy", labels, [n, tasks.count]), ("split.npy", split, [n])] {
                let out = try OutputFile(path: staging.path + "/" + name)
                try out.write(NPYHeader.bytes(dtype: "|u1", shape: shape))
                try out.write(data)
                try out.commit()
            }
            var counts = DatasetInfo.Counts()
            counts.windows = n
            for t in tasks { counts.positivesPerTask[t] = DatasetInfo.SplitCounts() }
            counts.kinds[kind] = n
            let bed = try OutputFile(path: staging.path + "/regions.bed")
            let width = max(6, String(n).count), splitNames = ["train", "valid", "test"]
            for i in 0..<n {
                let s = Int(split[i])
                counts.splits[s] += 1
                var positive: [String] = []
                for (t, name) in tasks.enumerated() where labels[i * tasks.count + t] == 1 {
                    positive.append(name)
                    counts.positivesPerTask[name, default: .init()][s] += 1
                }
                let digits = String(i + 1)
                let name = rowNames?[i] ?? "row" + String(repeating: "0", count: max(0, width - digits.count)) + digits
                try bed.write("\(name)\t0\t\(L)\t\(kind)\t0\t.\t\(splitNames[s])\t\(positive.isEmpty ? "." : positive.joined(separator: ","))\n")
            }
            try bed.commit()
            let info = describe(counts)
            try DatasetInfo.write(info, to: staging.path + "/dataset.json")
            try staging.commit()
            return info
        } catch {
            staging.abort()
            throw error
        }
    }

    /// The dataset.json of an import.
    static func importInfo(source: String, length L: Int, tasks: [String], layout: ImportLayout, counts: DatasetInfo.Counts,
                           split: String, seed: UInt64) -> DatasetInfo {
        DatasetInfo(
            createdBy: "crick dataset import", tasks: tasks, length: L, seed: seed,
            sources: .init(fasta: source, peaks: [], exclude: []),
            options: .init(center: "none", labelCore: L, negatives: [], negativeRatio: 0, margin: 0, maxN: 0,
                           gcBins: 0, flankDistance: 0, chroms: nil),
            splits: .init(method: split, validChroms: [], testChroms: []),
            counts: counts, skipped: [:], shortfall: [:], importedLayout: layout.rawValue)
    }
}
