import Dataset
import Foundation
import Interpret
import NeuralNet
import Tracks

/// A first-layer filter and its best database match: the match's strand and offset (target
/// column j sits at filter column j + offset; on "-" the target is reverse-complemented).
public struct FilterMatch: Sendable {
    public var filter: Motif
    public var match: Motif?
    public var eValue: Double?
    public var strand: String
    public var offset: Int

    public init(filter: Motif, match: Motif? = nil, eValue: Double? = nil, strand: String = "+", offset: Int = 0) {
        self.filter = filter
        self.match = match
        self.eValue = eValue
        self.strand = strand
        self.offset = offset
    }
}

/// Everything a report shows; sections without data are left out.
public struct ReportInputs {
    public var title = "crick report"
    public var sources: [String] = []
    public var runs: [RunCurves] = []
    public var taskNames: [String] = []
    public var predictions: [StrandPredictions] = []
    /// Count and profile models' predictions on the test split.
    public var signal: [SignalPredictions] = []
    /// Filter motifs with their best database match (E-value, strand, offset).
    public var filters: [FilterMatch] = []
    /// The trained and untrained models' filter counts (a motifs directory's untrained.tsv).
    public var untrained: UntrainedTable?
    /// TF-MoDISco's patterns with their best database match.
    public var patterns: [FilterMatch] = []
    /// The attribution map shown (the strongest of a `crick attribute` output's regions).
    public var attribution: AttributionExample?
    public var tracks: [TrackSummary] = []
    /// Scored variants (`crick variants` outputs).
    public var variants: [VariantEffects] = []

    public init() {}
}

/// Renders the report as one self-contained HTML page: inline CSS and SVG, no scripts from
/// elsewhere, no network.
public func renderReport(_ r: ReportInputs) -> String {
    var h = """
    <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>\(html(r.title))</title>
    <style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:28px}
    .row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}figure{margin:0}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}.note{color:#666;font-size:12px}</style>
    </head><body><h1>\(html(r.title))</h1>
    """
    if !r.sources.isEmpty { h += "<p class=\"note\">" + r.sources.map(html).joined(separator: "<br>") + "</p>" }

    if !r.runs.isEmpty {
        h += "<h2 id=\"learning\">Learning curves</h2><div class=\"row\">"
        let maxE = r.runs.flatMap(\.epochs).max() ?? 1
        let losses = r.runs.flatMap { $0.trainLoss + $0.validLoss }
        let regression = r.runs.allSatisfy(\.regression)
        var loss = Chart(title: "Loss (solid: train, dashed: valid)", xLabel: "epoch", yLabel: regression ? "loss" : "binary cross-entropy", x: 1...max(2, maxE), y: 0...max(0.1, (losses.max() ?? 1) * 1.05))
        var auprc = Chart(title: regression ? "Validation Pearson (log counts)" : "Validation auPRC", xLabel: "epoch", yLabel: regression ? "mean Pearson" : "mean auPRC",
                          x: 1...max(2, maxE), y: (regression ? -0.2 : 0)...1)
        loss.integerX = true
        auprc.integerX = true
        for (i, run) in r.runs.enumerated() {
            loss.line(Array(zip(run.epochs, run.trainLoss)), color: i, label: run.name)
            loss.line(Array(zip(run.epochs, run.validLoss)), color: i, label: run.name + " valid", dashed: true)
            if run.regression == regression { auprc.line(Array(zip(run.epochs, run.validAuPRC)), color: i, label: run.name) }
        }
        h += "<figure>\(loss.svg())</figure><figure>\(auprc.svg())</figure></div>"
    }

    h += headline(r)

    if !r.predictions.isEmpty {
        h += "<h2 id=\"curves\">ROC and precision-recall curves (test split)</h2>"
        let tasks = r.predictions.map { $0.labels.count }.min() ?? 0
        for k in 0..<min(tasks, 4) {
            let name = k < r.taskNames.count ? r.taskNames[k] : "task\(k + 1)"
            var roc = Chart(title: "ROC: \(name)", xLabel: "false positive rate", yLabel: "true positive rate", x: 0...1, y: 0...1)
            var pr = Chart(title: "Precision-recall: \(name)", xLabel: "recall", yLabel: "precision", x: 0...1, y: 0...1)
            roc.diagonal()
            for (i, p) in r.predictions.enumerated() {
                let c = curves(scores: p.forward[k], labels: p.labels[k])
                roc.line(c.roc, color: i, label: p.name)
                pr.line(c.pr, color: i, label: p.name)
            }
            h += "<div class=\"row\"><figure>\(roc.svg())</figure><figure>\(pr.svg())</figure></div>"
        }
        h += "<h2 id=\"strands\">Forward vs reverse-complement predictions</h2><p class=\"note\">p(x) against p(rc x) on test sequences (first task): on the diagonal for RC-invariant models (rc, conjoined), scattered for standard ones.</p><div class=\"row\">"
        for (i, p) in r.predictions.enumerated() where !p.forward.isEmpty {
            var c = Chart(title: p.name == p.strand ? p.name : "\(p.name) (\(p.strand))", xLabel: "p(x)", yLabel: "p(rc x)", x: 0...1, y: 0...1)
            c.width = 300; c.height = 300
            c.diagonal()
            c.scatter(zip(p.forward[0], p.reverse[0]).map { (Double($0), Double($1)) }, color: i, label: p.name)
            let worst = zip(p.forward[0], p.reverse[0]).map { abs($0 - $1) }.max() ?? 0
            h += "<figure>\(c.svg())<figcaption class=\"note\">max |p(x) - p(rc x)| = \(String(format: "%.2e", worst))</figcaption></figure>"
        }
        h += "</div>"
    }

    if !r.signal.isEmpty { h += signalSection(r.signal) }

    if !r.filters.isEmpty {
        h += "<h2 id=\"filters\">First-layer filters and their best database match</h2><p class=\"note\">Each match is drawn on the strand it matched (-: reverse complement) and aligned with the filter at the match's offset.\(baselineNote(r.untrained))</p>"
        h += matchTable(r.filters, kind: "filter")
    }

    if !r.patterns.isEmpty {
        h += "<h2 id=\"modisco\">TF-MoDISco patterns and their best database match</h2><p class=\"note\">Patterns TF-MoDISco found in the contribution scores (position frequencies of their seqlets, flanks under 0.5 bits trimmed), compared with the database as the filters are, drawn the same way.</p>"
        h += matchTable(r.patterns, kind: "pattern")
    }

    if let a = r.attribution {
        let l = a.profile.count, w = a.zoomRows.count
        let whole = a.label(from: 0, to: l), zoomed = a.label(from: a.zoomStart, to: a.zoomStart + w)
        h += "<h2 id=\"attribution\">Attribution map</h2><p class=\"note\">\(html(whole)): the region with the largest total |attribution| of \(a.regions). "
        h += "Left: attribution of the base present at each position of the window; right: the \(w) bp where it is strongest (\(html(zoomed))), letter heights signed (up: raises the prediction).</p>"
        let x0 = Double((a.window?.firstPosition ?? 0) + 1)
        let lo = min(0, a.profile.min() ?? 0), hi = max(0, a.profile.max() ?? 0)
        var c = Chart(title: "Attribution along the window", xLabel: a.window.map { "\($0.chrom) position" } ?? "column", yLabel: "attribution",
                      x: x0...(x0 + Double(max(l - 1, 1))), y: lo...max(hi, lo + 1e-9))
        c.width = 520
        c.line(a.profile.enumerated().map { (x0 + Double($0.offset), $0.element) }, color: 0, label: "summed over bases")
        c.line([(x0 + Double(a.zoomStart), lo), (x0 + Double(a.zoomStart), hi)], color: 1, label: "zoomed stretch", dashed: true)
        c.line([(x0 + Double(a.zoomStart + w - 1), lo), (x0 + Double(a.zoomStart + w - 1), hi)], color: 1, label: "", dashed: true)
        h += "<div class=\"row\"><figure>\(c.svg())</figure><div style=\"overflow-x:auto;max-width:100%\">\(logoSVG(a.zoomRows, title: zoomed, signed: true, columnWidth: 9, height: 160))</div></div>"
    }

    if !r.tracks.isEmpty {
        h += "<h2 id=\"tracks\">Score tracks</h2>"
        for t in r.tracks {
            let lo = Double(t.scores.min() ?? 0), hi = Double(t.scores.max() ?? 1)
            let nb = 30
            var counts = [Double](repeating: 0, count: nb)
            for s in t.scores { counts[min(nb - 1, max(0, Int((Double(s) - lo) / max(hi - lo, 1e-12) * Double(nb))))] += 1 }
            var c = Chart(title: "Score distribution: \(t.name)", xLabel: "score", yLabel: "intervals", x: lo...max(hi, lo + 1e-6), y: 0...max(1, counts.max() ?? 1))
            let w = (hi - lo) / Double(nb)
            c.bars(counts.enumerated().map { (lo + Double($0.offset) * w, lo + Double($0.offset + 1) * w, $0.element) }, color: 0)
            h += "<div class=\"row\"><figure>\(c.svg())</figure><div><p>\(html(t.name)): \(t.intervals) intervals covering \(t.coveredBases) of \(t.genomeBases) bases (\(String(format: "%.1f", 100 * Double(t.coveredBases) / Double(max(t.genomeBases, 1))))%).</p>"
            h += "<table><tr><th class=\"l\">top region</th><th>score</th></tr>"
            for i in t.top { h += "<tr><td class=\"l\">\(html(i.chrom)):\(i.start + 1)-\(i.end)</td><td>\(formatScore(i.value))</td></tr>" }
            h += "</table></div></div>"
        }
    }
    if !r.variants.isEmpty {
        h += "<h2 id=\"variants\">Variant effects</h2>"
        for v in r.variants {
            let values = v.effects.map(\.value)
            let lo = values.min() ?? -1, hi = values.max() ?? 1
            let nb = 40, w = max(hi - lo, 1e-12) / Double(nb)
            func counts(_ list: [VariantEffects.Effect]) -> [Double] {
                var c = [Double](repeating: 0, count: nb)
                for e in list { c[min(nb - 1, max(0, Int((e.value - lo) / w)))] += 1 }
                return c
            }
            let subs = counts(v.substitutions), indels = counts(v.indels)
            var c = Chart(title: "Effects: \(v.name)", xLabel: v.score, yLabel: "alleles", x: lo...max(hi, lo + 1e-6),
                          y: 0...max(1, (subs.max() ?? 1), (indels.max() ?? 1)))
            c.bars(subs.enumerated().map { (lo + Double($0.offset) * w, lo + Double($0.offset + 1) * w, $0.element) }, color: 0)
            c.bars(indels.enumerated().map { (lo + Double($0.offset) * w, lo + Double($0.offset + 1) * w, $0.element) }, color: 1)
            h += "<div class=\"row\"><figure>\(c.svg())<figcaption class=\"note\">blue: SNVs and MNPs (\(v.substitutions.count)); red: indels (\(v.indels.count))</figcaption></figure><div>"
            h += "<table><tr><th class=\"l\">variant</th><th class=\"l\">kind</th><th>\(html(v.score))</th></tr>"
            for e in v.top(10) { h += "<tr><td class=\"l\">\(html(e.label))</td><td class=\"l\">\(html(e.kind))</td><td>\(String(format: "%.4g", e.value))</td></tr>" }
            h += "</table></div></div>"
        }
    }
    return h + "</body></html>\n"
}

/// Count and profile models: predicted against observed log counts per model (Pearson in the
/// caption), and the profiles of the test windows with the most signal, observed and predicted.
func signalSection(_ signal: [SignalPredictions]) -> String {
    var h = "<h2 id=\"signal\">Predicted vs observed signal (test split)</h2><p class=\"note\">Log counts of each test window (log(1 + total) over the central target), predicted against observed, first task.</p><div class=\"row\">"
    let all = signal.flatMap { $0.predicted + $0.observed }
    let range = (all.min() ?? 0)...(all.max() ?? 1)
    for (i, s) in signal.enumerated() {
        var c = Chart(title: s.name == s.strand ? s.name : "\(s.name) (\(s.strand))", xLabel: "observed log count", yLabel: "predicted log count", x: range, y: range)
        c.width = 300; c.height = 300
        c.diagonal()
        c.scatter(zip(s.observed, s.predicted).map { ($0, $1) }, color: i, label: s.name)
        let r = pearson(s.predicted, s.observed)
        h += "<figure>\(c.svg())<figcaption class=\"note\">Pearson \(r.map { String(format: "%.3f", $0) } ?? "n/a"), \(s.observed.count) windows</figcaption></figure>"
    }
    h += "</div>"
    for (i, s) in signal.enumerated() where !s.examples.isEmpty {
        h += "<p class=\"note\">\(html(s.name)): the test windows with the most signal, observed counts per base (grey) and predicted (the profile's softmax times the observed total).</p><div class=\"row\">"
        for (k, e) in s.examples.enumerated() {
            let top = max(e.observed.max() ?? 1, e.predicted.max() ?? 1)
            var c = Chart(title: "\(s.name): window \(k + 1)", xLabel: "position", yLabel: "counts", x: 0...Double(max(1, e.observed.count - 1)), y: 0...max(1, top * 1.05))
            c.width = 360; c.height = 220
            c.integerX = true
            c.line(e.observed.enumerated().map { (Double($0.offset), $0.element) }, color: 7, label: "observed")
            c.line(e.predicted.enumerated().map { (Double($0.offset), $0.element) }, color: i, label: "predicted")
            h += "<figure>\(c.svg())</figure>"
        }
        h += "</div>"
    }
    return h
}

/// The headline numbers: per model and task, test auROC and auPRC (of the predictions shown
/// below), and each run's best validation auPRC (or Pearson) with its epoch.
func headline(_ r: ReportInputs) -> String {
    guard !r.predictions.isEmpty || !r.runs.isEmpty else { return "" }
    var h = "<h2 id=\"metrics\">Metrics</h2>"
    if !r.predictions.isEmpty {
        h += "<table><tr><th class=\"l\">model</th><th class=\"l\">task</th><th>test auROC</th><th>test auPRC</th><th>sequences</th></tr>"
        for p in r.predictions {
            for (k, labels) in p.labels.enumerated() where k < p.forward.count {
                let name = k < r.taskNames.count ? r.taskNames[k] : "task\(k + 1)"
                let roc = auROC(scores: p.forward[k], labels: labels), prc = auPRC(scores: p.forward[k], labels: labels)
                h += "<tr><td class=\"l\">\(html(p.name))</td><td class=\"l\">\(html(name))</td><td>\(roc.map { String(format: "%.4f", $0) } ?? "n/a")</td>"
                h += "<td>\(prc.map { String(format: "%.4f", $0) } ?? "n/a")</td><td>\(labels.count)</td></tr>"
            }
        }
        h += "</table>"
    }
    let best = r.runs.compactMap { run -> String? in
        guard let i = run.validAuPRC.indices.filter({ !run.validAuPRC[$0].isNaN }).max(by: { run.validAuPRC[$0] < run.validAuPRC[$1] }) else { return nil }
        return "\(html(run.name)): best validation \(run.metricName) \(String(format: "%.4f", run.validAuPRC[i])) at epoch \(Int(run.epochs[i]))"
    }
    if !best.isEmpty { h += "<p class=\"note\">" + best.joined(separator: "; ") + ".</p>" }
    return h
}

/// The trained model's significant filters against the untrained model's (same seed).
func baselineNote(_ table: UntrainedTable?) -> String {
    guard let rows = table?.rows, let trained = rows.first(where: { $0.model == "trained" }),
          let untrained = rows.first(where: { $0.model == "untrained" }) else { return "" }
    return " Filters with a match of E < 0.1: \(trained.significant) of \(trained.filters); the same architecture untrained "
        + "(seed \(untrained.seed.map(String.init) ?? "?")): \(untrained.significant) of \(untrained.filters), what chance gives."
}

/// A table of motifs (filters or patterns) beside their best match, the match drawn on its
/// strand and aligned at its offset.
func matchTable(_ rows: [FilterMatch], kind: String) -> String {
    var h = "<table><tr><th class=\"l\">\(kind)</th><th class=\"l\">\(kind) and match, aligned</th><th class=\"l\">best match</th><th>strand</th><th>offset</th><th>E</th></tr>"
    for f in rows {
        // Filters' site counts (modisco meme writes nsites=1 for every pattern: not shown).
        let sites = kind == "filter" ? f.filter.sites.map { "<br><span class=\"note\">\($0) sites</span>" } ?? "" : ""
        h += "<tr><td class=\"l\">\(html(f.filter.id))\(sites)</td>"
        if let m = f.match, let e = f.eValue, !m.probabilities.isEmpty {
            // Target column j at column j + offset: pad whichever starts later.
            let target = f.strand == "-" ? m.reverseComplement.probabilities : m.probabilities
            let blank = [Double](repeating: 0.25, count: 4)
            let top = [[Double]](repeating: blank, count: max(0, -f.offset)) + f.filter.probabilities
            let bottom = [[Double]](repeating: blank, count: max(0, f.offset)) + target
            h += "<td class=\"l\">\(logoSVG(top, title: f.filter.consensus))<br>\(logoSVG(bottom, title: m.name + (f.strand == "-" ? " (reverse complement)" : "")))</td>"
            h += "<td class=\"l\">\(html(m.id)) \(html(m.name))</td><td>\(html(f.strand))</td><td>\(f.offset)</td><td>\(String(format: "%.2g", e))</td></tr>"
        } else {
            h += "<td class=\"l\">\(logoSVG(f.filter.probabilities, title: f.filter.consensus))</td><td class=\"l\">none</td><td></td><td></td><td></td></tr>"
        }
    }
    return h + "</table>"
}
