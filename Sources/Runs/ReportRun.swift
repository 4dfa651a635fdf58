import Dataset
import Foundation
import Interpret
import NeuralNet
import Pipeline
import Report
import Tracks

/// `crick report`: one self-contained HTML page of training runs, their test curves, filter
/// motifs, an attribution map and tracks.
public struct ReportRun {
    /// The outputs of other runs to show.
    public struct Options {
        public var title = "crick report"
        /// Training runs: (name, run directory).
        public var runs: [(name: String, path: String)] = []
        /// A dataset for the test-split curves.
        public var dataset: String?
        public var split: DatasetSplit = .test
        /// A `crick motifs` output directory, and the database its filters were compared with.
        public var motifs: String?
        public var motifDB: String?
        /// TF-MoDISco's patterns as a MEME file (`modisco meme -i modisco.h5 -t PFM`), compared
        /// with `motifDB` by crick's motif comparison.
        public var modisco: String?
        /// A `crick attribute` output prefix.
        public var attribution: String?
        /// bedGraph or bigWig tracks.
        public var tracks: [String] = []
        /// `crick variants` TSVs: (name, path); the report shows the first task's logit_diff
        /// (else diff, else the first score column).
        public var variants: [(name: String, path: String)] = []
        /// Chromosome sizes for bedGraph tracks: FASTA, .fai or chrom.sizes.
        public var genome: String?
        public var output: String
        public var threads = 1

        public init(output: String) { self.output = output }
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// Reads every input and writes the page.
    public func run() throws {
        setBLASThreads(options.threads)
        var r = ReportInputs()
        r.title = options.title
        let data = try options.dataset.map { try OpenDataset($0) }
        if let data { r.taskNames = data.info.tasks }
        for (name, dir) in options.runs {
            r.runs.append(try RunCurves.read(name: name, path: dir + "/metrics.tsv"))
            r.sources.append("run \(name): \(dir)")
            if let data {
                let path = dir + "/model.safetensors"
                let (model, contents) = try ModelFile.read(path)
                let fit = try ModelFit(model: model, metadata: contents.metadata, path: path, data: data, dataset: options.dataset ?? "")
                if fit.objective == .binary {
                    r.predictions.append(StrandPredictions.compute(name: name, model: model, data: data.rows(split: options.split.code)))
                } else {
                    r.signal.append(SignalPredictions.compute(name: name, model: model, data: data.rows(split: options.split.code, objective: fit.objective)))
                }
            }
        }
        if let motifs = options.motifs {
            let filters = try MotifFile.read(path: motifs + "/filters.meme")
            let db = try options.motifDB.map { try MotifFile.read(path: $0) } ?? []
            let matchesPath = motifs + "/matches.tsv"
            // matches.tsv is written only when the filters were compared with a database.
            let best = FileManager.default.fileExists(atPath: matchesPath) ? try MatchTable.read(path: matchesPath).best : [:]
            r.filters = filters.map { m in
                let hit = best[m.id]
                return FilterMatch(filter: m, match: hit.map { h in db.first { $0.id == h.targetID } ?? Motif(id: h.targetID, name: "", probabilities: []) },
                                   eValue: hit?.eValue, strand: hit?.strand ?? "+", offset: hit?.offset ?? 0)
            }
            let untrained = motifs + "/untrained.tsv"
            if FileManager.default.fileExists(atPath: untrained) { r.untrained = try UntrainedTable.read(path: untrained) }
            r.sources.append("motifs: \(motifs)")
        }
        if let modisco = options.modisco {
            // TF-MoDISco writes its patterns' whole seqlet windows: flanks under 0.5 bits are
            // trimmed (2 columns kept each side of the core), as crick trims filter motifs.
            let patterns = try MotifFile.read(path: modisco).map { $0.trimmed(bits: 0.5, pad: 2) }
            let db = try options.motifDB.map { try MotifFile.read(path: $0) } ?? []
            let matches = db.isEmpty || patterns.isEmpty ? [] : MotifComparison(database: db, threads: options.threads).compare(patterns)
            r.patterns = patterns.enumerated().map { i, p in
                guard i < matches.count, let best = matches[i].first else { return FilterMatch(filter: p) }
                return FilterMatch(filter: p, match: db[best.target], eValue: best.eValue, strand: String(best.strand), offset: best.offset)
            }
            r.sources.append("TF-MoDISco patterns: \(modisco)")
        }
        if let attribution = options.attribution {
            r.attribution = try attributionExample(prefix: attribution)
            r.sources.append("attribution: \(attribution)")
        }
        for path in options.tracks {
            if TrackFormat.fromName(path) == .bigwig {
                let reader = try BigWigReader(path: path)
                r.tracks.append(TrackSummary(name: path, intervals: try reader.allIntervals(), genome: reader.genome))
            } else {
                guard let genome = options.genome else { throw RunError.usage("a bedGraph track needs --genome for chromosome sizes") }
                r.tracks.append(TrackSummary(name: path, intervals: try BedGraphReader(path: path).readAll(), genome: try TrackMergeRun.loadGenome(genome)))
            }
        }
        for (name, path) in options.variants {
            let table = try VariantTable.read(path: path)
            guard let score = ["logit_diff", "diff"].first(where: table.columns.contains)
                ?? table.columns.first(where: { $0.hasSuffix(".logit_diff") }) ?? table.columns.first else {
                throw RunError.invalid("no score column in \(path)")
            }
            r.variants.append(VariantEffects(name: name, score: score, effects: table.rows.map { row in
                VariantEffects.Effect(label: "\(row.chrom):\(row.pos) \(row.ref)>\(row.alt)" + (row.id == "." ? "" : " (\(row.id))"),
                                      kind: row.kind, value: row.scores[score] ?? .nan)
            }))
            r.sources.append("variants \(name): \(path)")
        }
        let out = try OutputFile(path: options.output)
        try out.write(renderReport(r))
        try out.commit()
    }

    /// The map shown from PREFIX.npy and PREFIX.windows.bed (when present).
    private func attributionExample(prefix: String) throws -> AttributionExample {
        let npy = try NPYFile(path: prefix + ".npy")
        guard npy.dtype == "<f4", npy.shape.count == 3, npy.shape[2] == 4, npy.shape[0] > 0 else {
            throw ReportError.invalid(path: prefix + ".npy", detail: "not an attribution matrix (float32, N x L x 4)")
        }
        let windowsPath = prefix + ".windows.bed"
        let windows = FileManager.default.fileExists(atPath: windowsPath) ? try AttributionWindow.read(path: windowsPath) : []
        let floats = npy.data.bindMemory(to: Float.self)
        guard floats.count >= npy.shape[0] * npy.shape[1] * 4, npy.shape[1] > 0 else {
            throw ReportError.invalid(path: prefix + ".npy", detail: "attribution matrix shorter than its shape")
        }
        return AttributionExample(maps: floats, regions: npy.shape[0], length: npy.shape[1], windows: windows)
    }
}
