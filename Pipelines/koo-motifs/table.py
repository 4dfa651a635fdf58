"""The results table of the Koo & Ploenzke validation: one row per configuration, for each of the
two ways filter motifs are made (crick's defaults, Koo & Ploenzke's analysis settings)."""
import json
import sys

from records import COUNTS, EXTRACTIONS, truth

out, configs = sys.argv[1], sys.argv[2:]
for title, sub, _ in EXTRACTIONS:
    print(f"Filter motifs by {title}.\n")
    print("| strand | first activation | test auROC | test auPRC | " + " | ".join(h for _, h in COUNTS) + " |")
    print("|---|---|---:|---:|" + "---:|" * len(COUNTS))
    for c in configs:
        strand, act = c.split("-", 1)
        ev = json.load(open(f"{out}/{c}/evaluation.json"))
        t = truth(f"{out}/{c}/{sub}/truth.tsv")
        print(f"| {strand} | {act} | {ev['mean_auroc']:.3f} | {ev['mean_auprc']:.3f} | "
              + " | ".join(f"{t[k]:.3f}" for k, _ in COUNTS) + " |")
    print()
