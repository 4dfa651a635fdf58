"""The results table of the Koo & Ploenzke validation: one row per configuration, for each of the
two ways filter motifs are made (crick's defaults, Koo & Ploenzke's analysis settings)."""
import json
import sys


def truth(path):
    head, row = [l.rstrip("\n").split("\t") for l in open(path)][:2]
    return {k: float(v) for k, v in zip(head, row) if k != "recovered"}


out, configs = sys.argv[1], sys.argv[2:]
for title, sub in [("crick's defaults: the filter's width, flanks under 0.5 bits trimmed", "motifs"),
                   ("Koo & Ploenzke's settings: 20-column windows, clipped at 0.5 bits with 3 columns beside the core", "motifs-koo")]:
    print(f"Filter motifs by {title}.\n")
    print("| strand | first activation | test auROC | test auPRC | match fraction (best match) | match fraction (any truth hit) | match-any | coverage (best match) | coverage (any truth hit) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for c in configs:
        strand, act = c.split("-", 1)
        ev = json.load(open(f"{out}/{c}/evaluation.json"))
        t = truth(f"{out}/{c}/{sub}/truth.tsv")
        print(f"| {strand} | {act} | {ev['mean_auroc']:.3f} | {ev['mean_auprc']:.3f} | {t['match_fraction']:.3f} | "
              f"{t['match_fraction_any_hit']:.3f} | {t['match_any']:.3f} | {t['coverage']:.3f} | {t['coverage_any_hit']:.3f} |")
    print()
