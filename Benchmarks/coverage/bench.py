"""Benchmark of `crick coverage` against bedtools genomecov -bg, alternating in the same run:
the 467,908 real yeast ATAC-seq fragments (span coverage, and Tn5-shifted insertion sites for
which bedtools gets the 935,816 one-base sites made by awk beforehand, not timed), and a BAM of
935,816 reads made from them (span and 5' ends). Outputs compared line for line; 5
pairs alternating after a warm-up: median seconds and the median of the per-pair ratios."""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from common import DATA, alternate, machine, ratio_text, report  # noqa: E402


def timed(cmd, out):
    t = time.perf_counter()
    with open(out, "w") as f:
        subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def normalized(path):
    rows = []
    for line in open(path):
        if line.startswith("track"):
            continue
        c, s, e, v = line.split()
        rows.append((c, int(s), int(e), float(v)))
    return sorted(rows)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--crick", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--pairs", type=int, default=5)
    a = p.parse_args()
    work = os.path.join(a.out, "coverage")
    os.makedirs(work, exist_ok=True)
    frag = os.path.join(DATA, "yeast_atac_fragments.bedpe.gz")
    sizes = os.path.join(work, "g.sizes")
    with open(sizes, "w") as f:
        for line in open(os.path.join(DATA, "sacCer3.fa.gz.fai")):
            f.write("\t".join(line.split("\t")[:2]) + "\n")
    plain = os.path.join(work, "frag.bed")
    sites = os.path.join(work, "sites.bed")
    bam = os.path.join(work, "reads.bam")
    if not os.path.exists(bam):
        subprocess.run(f"gzip -dc {frag} > {plain}", shell=True, check=True)
        subprocess.run(f"awk 'BEGIN{{OFS=\"\\t\"}} {{print $1, $2 + 4, $2 + 5; print $1, $3 - 5, $3 - 4}}' {plain} "
                       f"| LC_ALL=C sort -k1,1 -k2,2n > {sites}", shell=True, check=True)
        q, s = "I" * 40, "ACGT" * 10
        subprocess.run(f"(awk 'BEGIN{{OFS=\"\\t\"}} {{print \"@SQ\", \"SN:\"$1, \"LN:\"$2}}' {sizes}; "
                       f"awk 'BEGIN{{OFS=\"\\t\"}} $3 - $2 >= 40 {{print \"r\"NR, 99, $1, $2 + 1, 60, \"40M\", \"=\", $3 - 39, $3 - $2, \"{s}\", \"{q}\"; "
                       f"print \"r\"NR, 147, $1, $3 - 39, 60, \"40M\", \"=\", $2 + 1, $2 - $3, \"{s}\", \"{q}\"}}' {plain}) "
                       f"| samtools sort -o {bam} - && samtools index {bam}", shell=True, check=True)
    cases = [
        ("fragments, span", [a.crick, "coverage", frag, "--genome", sizes, "--no-track-line", "-o", "-"],
         ["sh", "-c", f"gzip -dc {frag} | bedtools genomecov -bg -i - -g {sizes}"]),
        ("fragments, Tn5 insertions", [a.crick, "coverage", frag, "--genome", sizes, "--mode", "insertions", "--tn5-shift", "--no-track-line", "-o", "-"],
         ["bedtools", "genomecov", "-bg", "-i", sites, "-g", sizes]),
        ("BAM reads, span", [a.crick, "coverage", bam, "--no-track-line", "-o", "-"], ["bedtools", "genomecov", "-bg", "-ibam", bam]),
        ("BAM reads, 5' ends", [a.crick, "coverage", bam, "--mode", "five-prime", "--no-track-line", "-o", "-"],
         ["bedtools", "genomecov", "-bg", "-5", "-ibam", bam]),
    ]
    lines = ["## crick coverage against bedtools genomecov", "", f"Machine: {machine()}.",
             f"One thread each; {a.pairs} pairs alternating crick and bedtools after a warm-up (medians; ratio = bedtools / crick per pair).", "",
             "| input | crick s | bedtools s | bedtools ÷ crick | outputs equal |", "|---|---:|---:|---|---|"]
    for name, ours, theirs in cases:
        c, b, ratios = alternate(lambda: timed(ours, os.path.join(work, "crick.bedGraph")),
                                 lambda: timed(theirs, os.path.join(work, "bedtools.bedGraph")), pairs=a.pairs)
        same = normalized(os.path.join(work, "crick.bedGraph")) == normalized(os.path.join(work, "bedtools.bedGraph"))
        lines.append(f"| {name} | {statistics.median(c):.2f} | {statistics.median(b):.2f} | {ratio_text(ratios)} | {'yes' if same else 'NO'} |")
        print(lines[-1], flush=True)
    report(lines, a.out, "coverage.md")


if __name__ == "__main__":
    main()
