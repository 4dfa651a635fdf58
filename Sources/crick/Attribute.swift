import ArgumentParser
import Genome
import Interpret
import NeuralNet
import Runs
import Tracks

extension Interpret.AttributionMethod: ExpressibleByArgument {}
extension Interpret.ISMEngine: ExpressibleByArgument {}

/// `--references`: shuffle:N, gc, zeros, or an NPY file of reference base codes.
enum ReferenceOption: ExpressibleByArgument {
    case kind(ReferenceKind)
    case file(String)

    init?(argument: String) {
        switch argument {
        case "gc": self = .kind(.gc)
        case "zeros": self = .kind(.zeros)
        default:
            if argument.hasPrefix("shuffle:") {
                guard let n = Int(argument.dropFirst("shuffle:".count)), n > 0 else { return nil }
                self = .kind(.shuffles(n))
            } else if argument.hasSuffix(".npy") {
                self = .file(argument)
            } else {
                return nil
            }
        }
    }
}

/// `crick attribute`: saliency or in-silico mutagenesis maps for regions.
struct Attribute: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Attribution maps (saliency, in-silico mutagenesis, DeepLIFT/SHAP, integrated gradients) for regions: a per-base track and a per-region matrix.",
        discussion: """
            Each region is explained on the model-length window centred on its summit (or \
            midpoint). saliency: gradient of the task's logit times the one-hot input; ism: the \
            logit of every single-base mutant minus the sequence's logit; deepliftshap: DeepLIFT's \
            rescale rule averaged over --references (DeepSHAP); integrated-gradients: the path \
            integral from the first reference (--steps midpoints). The last two also write \
            TF-MoDISco's inputs PREFIX.ohe.npy and PREFIX.hyp.npy (float32, regions x 4 x \
            length: one-hot and hypothetical contributions; modisco motifs -s PREFIX.ohe.npy -a \
            PREFIX.hyp.npy) and check completeness: each reference's contributions must add up \
            to f(x) - f(reference); a warning counts the regions off by more than \
            --warning-threshold. Writes PREFIX.npy \
            (float32, regions x length x 4), PREFIX.windows.bed (the windows in input order, clipped to \
            their chromosome, column 5 the matrix column of their start) and \
            a per-base track PREFIX.bedGraph (or .bw with --format bigwig): the attribution of the \
            base present (ism: minus the mean effect of its mutations), overlapping windows \
            averaged. For standard models --strand-mode average (or --strand-average) explains the mean of x and rc(x); \
            conjoined models always do. Regions on contigs absent from the FASTA (see \
            --chrom-alias), past a contig end, or whose window holds more N than --max-n \
            (padding past a contig end not counted) are skipped with a warning that counts them \
            (--strict: an error); when no region is left the run fails.
            """)

    @Option(help: "Model file (model.safetensors), or a crick train run directory.")
    var model: String

    @Option(help: "Indexed FASTA (plain or bgzip).")
    var fasta: String

    @Option(help: "Regions: BED or narrowPeak.")
    var regions: String

    @Option(help: "saliency, ism, deepliftshap or integrated-gradients.")
    var method: AttributionMethod = .saliency

    @Option(help: "deepliftshap and integrated-gradients: shuffle:N (N seeded dinucleotide shuffles of each sequence), gc (its base composition at every position), zeros, or an NPY of uint8 base codes (regions x n x length, one row per region of --regions). integrated-gradients uses the first. Default shuffle:20 (integrated-gradients: zeros).")
    var references: ReferenceOption?

    @Option(help: "integrated-gradients: points of the path integral.")
    var steps: Int = 50

    @Option(help: "Seed of the shuffled references.")
    var seed: UInt64 = 1

    @Option(name: .customLong("warning-threshold"), help: "Warn about regions whose contributions miss f(x) - f(reference) by more than this.")
    var warningThreshold: Float = 1e-3

    @Option(name: .customLong("ism-engine"), help: "ism: incremental (recompute only what each base change reaches) or full (every mutant through the full forward pass; the reference implementation).")
    var ismEngine: ISMEngine = .incremental

    @Option(help: "Task to explain (default: the first).")
    var task: String?

    @Option(help: "Where a region's window is centred: summit or midpoint.")
    var center: Interval.Center = .summit

    @Flag(name: .customLong("strand-average"), help: "Standard models: explain the mean of the logits of x and rc(x) (the same as --strand-mode average).")
    var strandAverage = false

    @Option(name: .customLong("strand-mode"), help: "Standard models: forward, or average (explain the post-hoc conjoined model: the mean logit of x and rc(x)). (default: forward)")
    var strandMode: StrandPolicy.Combination?

    @Option(help: "Per-base track format: bedgraph or bigwig.")
    var format: TrackFormat = .bedgraph

    @Option(name: .shortAndLong, help: "Output prefix (PREFIX.npy, PREFIX.windows.bed, PREFIX.bedGraph or .bw).")
    var output: String

    @OptionGroup var check: RegionOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if strandMode == .max { throw ValidationError("--strand-mode max has no attribution (the larger strand's logit is not differentiable where they cross); use forward or average") }
        if strandAverage && strandMode == .forward { throw ValidationError("--strand-average and --strand-mode forward disagree") }
        guard (1...100_000).contains(steps) else { throw ValidationError("--steps takes 1 to 100000 (got \(steps))") }
        if case .kind(.shuffles(let n)) = references, !(1...10_000).contains(n) {
            throw ValidationError("--references shuffle:N takes N from 1 to 10000 (got \(n))")
        }
    }

    func run() throws {
        var options = AttributionRun.Options(model: model, fasta: fasta, regions: regions, output: output)
        options.method = method
        options.ismEngine = ismEngine
        options.task = task
        options.center = center
        options.strandAverage = strandAverage || strandMode == .average
        options.format = format
        options.check = check.request
        options.threads = common.threads
        switch references ?? (method == .integratedGradients ? .kind(.zeros) : .kind(.shuffles(20))) {
        case .kind(let kind): options.contributions.references = kind
        case .file(let path): options.referencesFile = path
        }
        options.contributions.steps = steps
        options.contributions.seed = seed
        options.warningThreshold = warningThreshold
        let result = try AttributionRun(options).run(reporter: ConsoleReporter(quiet: common.quiet))
        let modisco = method.hasHypothetical ? ", \(output).ohe.npy, \(output).hyp.npy" : ""
        Diagnostics.info("\(method.rawValue) of \(result.regions) regions: \(output).npy, \(output).windows.bed, \(result.trackPath)\(modisco)", quiet: common.quiet)
        if let worst = result.maxDelta, let mean = result.meanDelta {
            Diagnostics.info(String(format: "completeness: |sum of contributions - (f(x) - f(reference))| mean %.3g, max %.3g", mean, worst), quiet: common.quiet)
        }
    }
}
