import Foundation
import TestSupport
import XCTest

/// crick report: one self-contained HTML page whose figures render in headless Chromium.
final class ReportTests: XCTestCase {
    func testReportRendersInHeadlessChromium() throws {
        let dir = try TempDir("crick-report")
        defer { dir.remove() }
        func ok(_ args: [String]) throws {
            let r = try runTool(crickBinary, args)
            XCTAssertEqual(r.status, 0, "crick \(args.joined(separator: " ")): \(r.stderr)")
        }
        // A run directory: a model and its learning curve.
        let sim = dir.file("sim"), ds = dir.file("ds"), run = dir.file("run")
        try ok(["simulate", "--mode", "koo", "--n", "400", "-o", sim, "--dataset", ds, "-q"])
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try ok(["model", "init", "--preset", "koo-cnn2", "--strand", "rc", "--outputs", "12", "-o", run + "/model.safetensors"])
        _ = try dir.write("run/metrics.tsv", "epoch\ttrain_loss\tvalid_loss\tvalid_auroc\tvalid_auprc\tlearning_rate\tseconds\n1\t0.9\t0.8\t0.6\t0.3\t0.001\t1\n2\t0.6\t0.7\t0.7\t0.4\t0.001\t1\n3\t0.5\t0.65\t0.75\t0.5\t0.001\t1\n")
        let jaspar = packageRoot + "/Pipelines/data/motifs/JASPAR2024_CORE_fungi_non-redundant.meme"
        try ok(["motifs", "--model", run + "/model.safetensors", ds, "--compare", jaspar, "-o", dir.file("motifs"), "-q"])
        var rng = TestRNG(seed: 3)
        let fasta = try dir.write("g.fa", fastaText([("c1", randomSequence(2_000, alphabet: "ACGT", rng: &rng))], width: 60))
        let regions = try dir.write("r.bed", "c1\t500\t700\n")
        try ok(["attribute", "--model", run + "/model.safetensors", "--fasta", fasta, "--regions", regions, "-o", dir.file("att"), "-q"])
        try ok(["scan", "--model", run + "/model.safetensors", "--fasta", fasta, "--task", "task2", "-o", dir.file("scan.bw"), "-q"])
        let report = dir.file("report.html")
        try ok(["report", "--title", "test report", "--dataset", ds, "--run", "rc=" + run, "--motifs", dir.file("motifs"), "--motif-db", jaspar,
                "--attribution", dir.file("att"), "--track", dir.file("scan.bw"), "-o", report, "-q"])
        let html = try String(contentsOfFile: report, encoding: .utf8)
        // Self-contained: nothing is loaded from elsewhere (scripts, styles, images, fonts), by any
        // scheme; SVG namespace declarations (xmlns="http://www.w3.org/...") load nothing.
        let external = try NSRegularExpression(pattern: #"(<script[^>]*\bsrc\s*=|<link\b|\b(src|href)\s*=\s*["']?(https?:|//)|url\(\s*["']?(https?:|//)|@import)"#, options: [.caseInsensitive])
        XCTAssertEqual(external.numberOfMatches(in: html, range: NSRange(html.startIndex..., in: html)), 0, "self-contained")
        for section in ["Learning curves", "ROC and precision-recall", "Forward vs reverse-complement", "First-layer filters", "Attribution map", "Score tracks"] {
            XCTAssertTrue(html.contains(section), section)
        }
        let browser = ["chromium", "chromium-browser", "google-chrome"].first { hasTool($0) }
        guard let browser else { throw XCTSkip("no headless Chromium (make deps installs it where apt can)") }
        // A copy with a probe: page errors and the size of every figure, reported in the title.
        let probe = """
            <script>window.__errors = 0; window.addEventListener('error', () => window.__errors++);
            window.addEventListener('load', () => { const s = [...document.querySelectorAll('svg')];
            const empty = s.filter(e => { const r = e.getBoundingClientRect(); return r.width <= 0 || r.height <= 0; }).length;
            document.title = 'CHECK figures=' + s.length + ' empty=' + empty + ' errors=' + window.__errors; });</script>
            """
        let probed = try dir.write("probed.html", html.replacingOccurrences(of: "<head>", with: "<head>" + probe))
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000"]
        let dom = try runTool(browser, common + ["--dump-dom", "file://" + probed])
        XCTAssertEqual(dom.status, 0, dom.stderr)
        let title = dom.text.components(separatedBy: "<title>").dropFirst().first?.components(separatedBy: "</title>").first ?? ""
        XCTAssertTrue(title.hasPrefix("CHECK figures="), title)
        let figures = Int(title.components(separatedBy: "figures=").last?.split(separator: " ").first ?? "") ?? 0
        XCTAssertGreaterThan(figures, 20, title)
        XCTAssertTrue(title.hasSuffix("empty=0 errors=0"), title)
        let png = dir.file("report.png")
        let shot = try runTool(browser, common + ["--screenshot=" + png, "--window-size=1300,2000", "file://" + report])
        XCTAssertEqual(shot.status, 0, shot.stderr)
        XCTAssertGreaterThan((try FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0, 20_000)
    }
}
