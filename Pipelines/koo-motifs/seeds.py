"""A table of recorded Koo & Ploenzke runs (results/RUN/, made by the Makefile's record rule):
for each configuration given as LABEL=RUN1,RUN2,..., the mean and standard deviation over its
runs of test auROC and of the motif counts, for filter motifs by crick's defaults (truth.tsv)
and by Koo & Ploenzke's analysis settings (truth-koo.tsv), then every run."""
import json
import os
import statistics
import sys

from records import COUNTS, EXTRACTIONS, truth


def cell(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


results, groups = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
runs = [(label, n) for label, names in groups for n in names.split(",")]
auroc = {n: json.load(open(f"{results}/{n}/evaluation.json"))["mean_auroc"] for _, n in runs}
for title, _, name in EXTRACTIONS:
    t = {n: truth(f"{results}/{n}/{name}") if os.path.exists(f"{results}/{n}/{name}") else None for _, n in runs}
    print(f"Filter motifs by {title}.\n")
    print("| configuration | runs | test auROC | " + " | ".join(h for _, h in COUNTS) + " |")
    print("|---|---:|---:|" + "---:|" * len(COUNTS))
    for label, names in groups:
        ns = names.split(",")
        print(f"| {label} | {len(ns)} | {cell([auroc[n] for n in ns])} | "
              + " | ".join(cell([t[n].get(k) if t[n] else None for n in ns]) for k, _ in COUNTS) + " |")
    print()
    print("| configuration | run | test auROC | " + " | ".join(h for _, h in COUNTS) + " |")
    print("|---|---|---:|" + "---:|" * len(COUNTS))
    for label, n in runs:
        print(f"| {label} | {n} | {auroc[n]:.3f} | " + " | ".join(cell([t[n].get(k) if t[n] else None]) for k, _ in COUNTS) + " |")
    print()
