"""Human scale (issue 21): `crick dataset` on a synthetic 3.1 Gb genome of 24 contigs with the
human (GRCh38) chromosome sizes, random sequence (GC 0.41) with N gaps (10 kb at each end and
runs of 50-500 kb covering about 5% of each contig), as plain and as bgzip FASTA, and 100,000
narrowPeak peaks spread over the contigs by length: GC-matched background negatives (ratio 1),
split by chromosome and by region blocks. The same on a tenth of the genome (contig sizes / 10,
10,000 peaks) tells how time and memory grow with genome size. Wall time and peak RSS of each
run (one run each: the genome is the expense); crick with 2 threads.

Opt-in (it writes about 7 GB under BENCH_OUT): BENCH=human Benchmarks/run.sh .build/release/crick"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from common import cpu_model, report  # noqa: E402
from bench import measured_once  # noqa: E402

GRCH38 = [("chr1", 248956422), ("chr2", 242193529), ("chr3", 198295559), ("chr4", 190214555), ("chr5", 181538259),
          ("chr6", 170805979), ("chr7", 159345973), ("chr8", 145138636), ("chr9", 138394717), ("chr10", 133797422),
          ("chr11", 135086622), ("chr12", 133275309), ("chr13", 114364328), ("chr14", 107043718), ("chr15", 101991189),
          ("chr16", 90338345), ("chr17", 83257441), ("chr18", 80373285), ("chr19", 58617616), ("chr20", 64444167),
          ("chr21", 46709983), ("chr22", 50818468), ("chrX", 156040895), ("chrY", 57227415)]


def genome(path, scale, rng):
    """Writes the genome (sizes / scale) and its .fai; returns [(name, size, gaps)]."""
    contigs = []
    table = np.frombuffer(b"ACGT", dtype=np.uint8)
    with open(path, "wb") as f:
        for name, full in GRCH38:
            size = full // scale
            gaps = [(0, 10_000), (size - 10_000, size)]
            covered = 0
            while covered < 0.05 * size:
                g = int(rng.integers(50_000, 500_000)) // scale
                s = int(rng.integers(10_000, size - 10_000 - g))
                gaps.append((s, s + g))
                covered += g
            f.write(b">" + name.encode() + b"\n")
            for start in range(0, size, 6_000_000):
                end = min(size, start + 6_000_000)
                codes = rng.choice(4, size=end - start, p=[0.295, 0.205, 0.205, 0.295]).astype(np.uint8)
                seq = table[codes]
                for gs, ge in gaps:
                    a, b = max(gs, start), min(ge, end)
                    if a < b:
                        seq[a - start:b - start] = ord("N")
                pad = (-len(seq)) % 60
                lines = np.concatenate([seq, np.full(pad, 0, np.uint8)]).reshape(-1, 60)
                text = np.concatenate([lines, np.full((len(lines), 1), ord("\n"), np.uint8)], axis=1).ravel()
                if pad:
                    text = np.concatenate([text[:-(pad + 1)], np.array([ord("\n")], np.uint8)])
                f.write(text.tobytes())
            contigs.append((name, size, sorted(gaps)))
    subprocess.run(["samtools", "faidx", path], check=True)
    return contigs


def peaks(path, n, contigs, rng):
    total = sum(c[1] for c in contigs)
    rows = []
    while len(rows) < n:
        x = int(rng.integers(0, total))
        for name, size, gaps in contigs:
            if x < size:
                break
            x -= size
        if x < 20_000 or x > size - 20_000 or any(gs - 2_000 <= x < ge + 2_000 for gs, ge in gaps):
            continue
        width = int(rng.integers(200, 800))
        rows.append((name, x - width // 2, x + width - width // 2, width // 2))
    with open(path, "w") as f:
        for i, (c, s, e, summit) in enumerate(rows):
            f.write(f"{c}\t{s}\t{e}\tpeak{i}\t{int(rng.integers(10, 1000))}\t.\t5.0\t10.0\t8.0\t{summit}\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--crick", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--scales", default="10:10000,1:100000", help="genome divisor:peaks, comma-separated")
    a = p.parse_args()
    work = os.path.join(a.out, "human")
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(21)
    lines = ["## crick dataset at human scale", "", f"Machine: {cpu_model()}. crick with `-@ 2`; one run each.", "",
             "| genome | FASTA | peaks | split | seconds | peak RSS (MB) | windows |", "|---|---|---:|---|---:|---:|---:|"]
    for scale, n in [tuple(int(v) for v in item.split(":")) for item in a.scales.split(",")]:
        fa = os.path.join(work, f"genome{scale}.fa")
        if not os.path.exists(fa + ".fai"):
            contigs = genome(fa, scale, rng)
            with open(fa + ".contigs.json", "w") as f:
                json.dump(contigs, f)
        contigs = json.load(open(fa + ".contigs.json"))
        gz = fa + ".gz"
        if not os.path.exists(gz + ".fai"):
            with open(gz, "wb") as f:
                subprocess.run(["bgzip", "-@", "2", "-c", fa], stdout=f, check=True)
            subprocess.run(["samtools", "faidx", gz], check=True)
        pk = os.path.join(work, f"peaks{scale}.narrowPeak")
        if not os.path.exists(pk):
            peaks(pk, n, contigs, rng)
        size = sum(c[1] for c in contigs)
        for fasta, kind in [(fa, "plain"), (gz, "bgzip")]:
            for split in ["chrom", "region"]:
                if kind == "bgzip" and split == "region":
                    continue
                out = os.path.join(work, f"ds{scale}-{kind}-{split}")
                cmd = [a.crick, "dataset", "--fasta", fasta, "--peaks", "p=" + pk, "--length", "1000", "--negatives", "background",
                       "--neg-ratio", "1", "--split-by", split, "-@", "2", "--force", "-q", "-o", out]
                seconds, rss = measured_once(cmd)
                windows = int(open(out + "/regions.bed").read().count("\n"))
                lines.append(f"| {size / 1e9:.2f} Gb, 24 contigs | {kind} | {n:,} | {split} | {seconds:.1f} | {rss:.0f} | {windows:,} |")
                print(lines[-1], flush=True)
    report(lines, a.out, "human.md")


if __name__ == "__main__":
    main()
