import ArgumentParser
import Dataset
import Foundation
import NeuralNet
import Pipeline
import Report
import Tracks

/// `crick report`: one self-contained HTML page from a run's outputs.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "One self-contained HTML report (inline SVG and CSS) of training runs, their test curves, filters, an attribution map and tracks.",
        discussion: """
            Each --run NAME=DIR adds the learning curves of a `crick train` output directory and, \
            with --dataset, its ROC and precision-recall curves and its forward-vs-reverse- \
            complement scatter on the test split. --motifs DIR (a `crick motifs` output) adds \
            filter logos beside their best match (logos of the matches need --motif-db). \
            --attribution PREFIX (a `crick attribute` output) adds the first region's map. \
            --track FILE adds a track's coverage, score distribution and top regions.
            """)

    @Option(help: "Report title.")
    var title: String = "crick report"

    @Option(name: .customLong("run"), help: "A training run as NAME=DIR (repeatable).", transform: NamedPath.parse)
    var runs: [NamedPath] = []

    @Option(help: "Dataset for the test-split curves.")
    var dataset: String?

    @Option(help: "Dataset split for the curves.")
    var split: DatasetSplit = .test

    @Option(help: "A crick motifs output directory.")
    var motifs: String?

    @Option(name: .customLong("motif-db"), help: "The motif database the filters were compared with (for the matches' logos).")
    var motifDB: String?

    @Option(help: "A crick attribute output prefix.")
    var attribution: String?

    @Option(help: "A bedGraph or bigWig track (repeatable).")
    var track: [String] = []

    @Option(name: [.short, .long], help: "Chromosome sizes for bedGraph tracks: FASTA, .fai or chrom.sizes.")
    var genome: String?

    @Option(name: .shortAndLong, help: "Output HTML file.")
    var output: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        setBLASThreads(common.threads)
        var r = ReportInputs()
        r.title = title
        let data = try dataset.map { try OpenDataset($0) }
        if let data { r.taskNames = data.info.tasks }
        for spec in runs {
            let name = spec.name, dir = spec.path
            r.runs.append(try RunCurves.read(name: name, path: dir + "/metrics.tsv"))
            r.sources.append("run \(name): \(dir)")
            if let data {
                let model = try ModelFile.read(dir + "/model.safetensors").model
                r.predictions.append(StrandPredictions.compute(name: name, model: model, data: data.rows(split: split.code)))
            }
        }
        if let motifs {
            let filters = try MotifFile.read(path: motifs + "/filters.meme")
            let db = try motifDB.map { try MotifFile.read(path: $0) } ?? []
            var best: [String: (String, Double)] = [:]
            if let text = FileManager.default.contents(atPath: motifs + "/matches.tsv") {
                for line in String(decoding: text, as: UTF8.self).split(whereSeparator: \.isNewline).dropFirst() {
                    let f = line.split(separator: "\t").map(String.init)
                    if f.count >= 10, f[1] == "1", let e = Double(f[8]) { best[f[0]] = (f[2], e) }
                }
            }
            r.filters = filters.map { m in
                let hit = best[m.id]
                return (m, hit.flatMap { h in db.first { $0.id == h.0 } ?? Motif(id: h.0, name: "", probabilities: []) }, hit?.1)
            }
            r.sources.append("motifs: \(motifs)")
        }
        if let attribution {
            let npy = try NPYFile(path: attribution + ".npy")
            guard npy.dtype == "<f4", npy.shape.count == 3, npy.shape[2] == 4, npy.shape[0] > 0 else { throw DatasetError.invalid("not an attribution matrix (float32, N x L x 4): \(attribution).npy") }
            let windows = (FileManager.default.contents(atPath: attribution + ".windows.bed")).map {
                String(decoding: $0, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { AttributionWindow(line: $0) }
            } ?? []
            let floats = npy.data.bindMemory(to: Float.self)
            guard floats.count >= npy.shape[0] * npy.shape[1] * 4, npy.shape[1] > 0 else { throw DatasetError.invalid("attribution matrix shorter than its shape: \(attribution).npy") }
            r.attribution = AttributionExample(maps: floats, regions: npy.shape[0], length: npy.shape[1], windows: windows)
            r.sources.append("attribution: \(attribution)")
        }
        for path in track {
            if TrackFormat.fromName(path) == .bigwig {
                let reader = try BigWigReader(path: path)
                r.tracks.append(TrackSummary(name: path, intervals: try reader.allIntervals(), genome: reader.genome))
            } else {
                guard let genome else { throw ValidationError("a bedGraph track needs --genome for chromosome sizes") }
                r.tracks.append(TrackSummary(name: path, intervals: try BedGraphReader(path: path).readAll(), genome: try MergeTracks.loadGenome(genome)))
            }
        }
        let out = try OutputFile(path: output)
        try out.write(renderReport(r))
        try out.commit()
        Diagnostics.info("report: \(output)", quiet: common.quiet || output == "-")
    }
}
