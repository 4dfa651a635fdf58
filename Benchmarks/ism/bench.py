"""ISM benchmark: crick's incremental engine (NeuralNet's IncrementalScorer: each mutant
recomputes only the rows its base change reaches) against crick's own naive ISM (every mutant
through the full batched forward pass, `--ism-engine full`), both through `crick attribute
--method ism` on the same windows of 1 kb around yeast ATAC summits with the chip rc model. The
two implementations alternate within one run (the order flips every round); both timings,
the median ratio and the largest difference between their maps are printed. PyTorch is not
needed: the baseline is crick's batched full forward."""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEAKS = os.path.join(HERE, "..", "..", "Pipelines", "data", "yeast", "yeast_atac.narrowPeak")


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - start


def cpu_flags():
    """avx2 / avx512f as the kernel reports them."""
    try:
        flags = next(l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags"))
    except (OSError, StopIteration):
        return "flags unknown"
    return ", ".join(f"{f} {'yes' if f in flags else 'no'}" for f in ["avx2", "avx512f"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crick", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--regions", type=int, default=200, help="1 kb windows (3,000 mutants each)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the two engines, alternating")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(HERE, ".."))
    from common import cpu_model, report, yeast_genome
    import numpy as np
    out = os.path.join(args.out, "ism")
    os.makedirs(out, exist_ok=True)
    c, t = args.crick, str(args.threads)

    plain, _ = yeast_genome(out)
    model = os.path.join(out, "chip-rc.safetensors")
    subprocess.run([c, "model", "init", "--preset", "chip", "--strand", "rc", "--seed", "2", "-o", model], check=True)
    bed = os.path.join(out, "ism.bed")
    rows = [l for l in open(PEAKS) if l.count("\t") >= 9 and int(l.split("\t")[1]) > 1000][:args.regions]
    with open(bed, "w") as f:
        f.writelines(rows)

    def run(engine):
        prefix = os.path.join(out, engine)
        took = timed([c, "attribute", "--model", model, "--fasta", plain, "--regions", bed, "--method", "ism",
                      "--ism-engine", engine, "-o", prefix, "-q", "-@", t])
        return took, np.load(prefix + ".npy")

    times = {"full": [], "incremental": []}
    worst = 0.0
    for r in range(args.rounds):
        order = ["full", "incremental"] if r % 2 == 0 else ["incremental", "full"]
        maps = {}
        for engine in order:
            took, maps[engine] = run(engine)
            times[engine].append(took)
            print(f"round {r + 1}: {engine} {took:.2f} s", flush=True)
        worst = max(worst, float(np.abs(maps["full"] - maps["incremental"]).max()))
    windows = maps["full"].shape[0]
    mutants = 3 * 1000 * windows   # nominal: 3 per base (an N position has 4)
    full, inc = statistics.median(times["full"]), statistics.median(times["incremental"])
    ratio = statistics.median(f / i for f, i in zip(times["full"], times["incremental"]))
    lines = [f"### ISM: incremental engine against full-forward ISM, {args.threads} threads ({cpu_model()}; {cpu_flags()})", "",
             f"`crick attribute --method ism` on {windows} yeast ATAC windows of 1 kb (3,000 single-base mutants each), chip rc model, "
             f"{args.rounds} rounds alternating the two engines (medians; whole commands, reading and writing included):", "",
             "| ISM engine | seconds | mutants/s | ratio |", "|---|---:|---:|---:|",
             f"| full forward per mutant (`--ism-engine full`) | {full:.1f} | {mutants / full:.0f} | 1.00x |",
             f"| incremental (`--ism-engine incremental`, default) | {inc:.1f} | {mutants / inc:.0f} | {ratio:.1f}x |", "",
             f"Per round: full {', '.join(f'{x:.1f}' for x in times['full'])} s; incremental {', '.join(f'{x:.2f}' for x in times['incremental'])} s. "
             f"Maps compared (every round): max |difference| {worst:.1e}."]
    report(lines, args.out, "ism.md")


if __name__ == "__main__":
    main()
