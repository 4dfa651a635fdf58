"""A table of recorded Koo & Ploenzke runs (results/RUN/, made by the Makefile's record rule):
for each configuration given as LABEL=RUN1,RUN2,..., the mean and standard deviation over its
runs of test auROC and of the motif counts, for filter motifs by crick's defaults (truth.tsv)
and by Koo & Ploenzke's analysis settings (truth-koo.tsv), then every run."""
import json
import os
import statistics
import sys

COUNTS = [("match_fraction", "match fraction (best match)"), ("match_fraction_any_hit", "match fraction (any truth hit)"),
          ("match_any", "match-any"), ("coverage", "coverage (best match)"), ("coverage_any_hit", "coverage (any truth hit)")]


def truth(path):
    if not os.path.exists(path):
        return None
    head, row = [l.rstrip("\n").split("\t") for l in open(path)][:2]
    return {k: float(v) for k, v in zip(head, row) if k != "recovered"}


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
for title, name in [("crick's defaults (the filter's width, trimmed at 0.5 bits)", "truth.tsv"),
                    ("Koo & Ploenzke's settings (20-column windows, clipped at 0.5 bits with 3 columns beside the core)", "truth-koo.tsv")]:
    t = {n: truth(f"{results}/{n}/{name}") for _, n in runs}
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
