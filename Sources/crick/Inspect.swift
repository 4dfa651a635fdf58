import ArgumentParser
import Dataset

/// `crick inspect`: what a dataset directory holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report a dataset's counts per split and task, label co-occurrence, GC and N content.")

    @Argument(help: "A dataset directory written by crick dataset or crick simulate (or its dataset.json).")
    var dataset: String

    func run() throws {
        print(try DatasetSummary(directory: DatasetInfo.directory(named: dataset)).text, terminator: "")
    }
}
