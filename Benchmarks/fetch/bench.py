"""Benchmark of `crick fetch`: 100,000 random 1 kb regions of the yeast genome (plain and
bgzip FASTA), crick with 2 threads against samtools faidx, bedtools getfasta, and pysam and
pyfaidx with numpy, all measured in this run. Each command runs 3 times; the best time counts."""
import argparse
import os
import random
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from common import cpu_model, report, yeast_genome  # noqa: E402
N_REGIONS = 100_000
LENGTH = 1000
REPEATS = 3


def sh(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def prepare(out):
    """Plain and bgzip copies of the genome with their indexes, and the region files."""
    plain, gz = yeast_genome(out)
    sizes = [(l.split("\t")[0], int(l.split("\t")[1])) for l in open(gz + ".fai")]
    rng = random.Random(42)
    weights = [s - LENGTH for _, s in sizes]
    bed = os.path.join(out, "regions.bed")
    txt = os.path.join(out, "regions.txt")
    with open(bed, "w") as b, open(txt, "w") as t:
        for (chrom, size) in rng.choices(sizes, weights=weights, k=N_REGIONS):
            start = rng.randrange(size - LENGTH)
            b.write(f"{chrom}\t{start}\t{start + LENGTH}\n")
            t.write(f"{chrom}:{start + 1}-{start + LENGTH}\n")
    return plain, gz, bed, txt


def best_time(cmd, stdout_path=None):
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        if stdout_path:
            with open(stdout_path, "wb") as f:
                subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.DEVNULL)
        else:
            subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crick", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", default="2")
    args = ap.parse_args()
    out = os.path.join(args.out, "fetch")
    os.makedirs(out, exist_ok=True)
    plain, gz, bed, txt = prepare(out)
    py = sys.executable
    peers = os.path.join(HERE, "peers.py")
    o = lambda name: os.path.join(out, name)
    rows = []  # (tool, input, seconds)

    def crick(fasta, fmt, name):
        return [args.crick, "fetch", "-@", args.threads, "--fasta", fasta, "--regions", bed, "--format", fmt, "-o", o(name), "-q"]

    rows.append(("crick fetch --format npy", "plain", best_time(crick(plain, "npy", "crick_plain.npy"))))
    rows.append(("crick fetch --format codes", "plain", best_time(crick(plain, "codes", "crick_plain.txt"))))
    rows.append(("crick fetch --format npy", "bgzip", best_time(crick(gz, "npy", "crick_bgzip.npy"))))
    rows.append(("crick fetch --format codes", "bgzip", best_time(crick(gz, "codes", "crick_bgzip.txt"))))
    rows.append(("bedtools getfasta", "plain", best_time(["bedtools", "getfasta", "-fi", plain, "-bed", bed], o("bedtools.fa"))))
    rows.append(("samtools faidx", "plain", best_time(["samtools", "faidx", "-r", txt, plain], o("samtools_plain.fa"))))
    rows.append(("samtools faidx", "bgzip", best_time(["samtools", "faidx", "-r", txt, gz], o("samtools_bgzip.fa"))))
    rows.append(("pyfaidx + numpy", "plain", best_time([py, peers, "pyfaidx", plain, bed, o("pyfaidx_plain.npy")])))
    rows.append(("pysam + numpy", "plain", best_time([py, peers, "pysam", plain, bed, o("pysam_plain.npy")])))
    rows.append(("pysam + numpy", "bgzip", best_time([py, peers, "pysam", gz, bed, o("pysam_bgzip.npy")])))

    # Same answers: crick's NPY equals each peer's, plain and bgzip alike.
    ref = np.load(o("crick_plain.npy"))
    assert ref.shape == (N_REGIONS, LENGTH), ref.shape
    for name in ["crick_bgzip.npy", "pyfaidx_plain.npy", "pysam_plain.npy", "pysam_bgzip.npy"]:
        assert (np.load(o(name)) == ref).all(), f"{name} differs from crick's codes"

    rate = {(t, i): N_REGIONS / s for t, i, s in rows}
    ours = {"plain": rate[("crick fetch --format npy", "plain")], "bgzip": rate[("crick fetch --format npy", "bgzip")]}
    lines = [f"### crick fetch: {N_REGIONS:,} random {LENGTH} bp regions of sacCer3, crick -@ {args.threads}",
             f"Machine: {cpu_model()}. Outputs checked equal (uint8 codes).", "",
             "| tool | FASTA | seconds | regions/s | crick npy ÷ tool |", "|---|---|---:|---:|---:|"]
    for t, i, s in rows:
        lines.append(f"| {t} | {i} | {s:.3f} | {N_REGIONS / s:,.0f} | {ours[i] / (N_REGIONS / s):.2f}x |")
    lines += ["",
              f"Target: crick plain >= 2x bedtools getfasta: {ours['plain'] / rate[('bedtools getfasta', 'plain')]:.2f}x",
              f"Target: crick bgzip >= 5x pysam bgzip: {ours['bgzip'] / rate[('pysam + numpy', 'bgzip')]:.2f}x"]
    report(lines, args.out, "fetch.md")


if __name__ == "__main__":
    main()
