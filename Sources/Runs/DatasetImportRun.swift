import Dataset

/// `crick dataset import`: a dataset directory from arrays or sequences that already exist.
public struct DatasetImportRun {
    /// What was imported, and the notes to print (layout found, split made).
    public struct Result: Sendable {
        public var info: DatasetInfo
        public var notes: [String]
    }

    public let options: ImportOptions

    public init(_ options: ImportOptions) { self.options = options }

    /// Imports into `directory`.
    public func run(into directory: String) throws -> Result {
        var importer = DatasetImporter(options: options)
        let info = try importer.run(into: directory)
        return Result(info: info, notes: importer.notes)
    }
}
