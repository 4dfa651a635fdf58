extension DatasetInfo {
    /// The kind recorded in the manifest of a dataset directory (`crick dataset`, `crick
    /// simulate --dataset`).
    public static let outputKind = "dataset"
    /// The files of a dataset directory: a directory holding only these is an earlier dataset.
    public static let files: Set<String> = ["dataset.json", "sequences.npy", "labels.npy", "split.npy", "regions.bed",
                                                   "targets.npy", "profiles.npy"]

    /// The dataset directory a user named: the directory itself, or its `dataset.json`.
    public static func directory(named path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard p == "dataset.json" || p.hasSuffix("/dataset.json") else { return path }
        let dir = String(p.dropLast("dataset.json".count))
        return dir.isEmpty ? "." : dir
    }
}
