"""The results table of the Koo & Ploenzke validation: one row per configuration."""
import json
import sys

out, configs = sys.argv[1], sys.argv[2:]
print("| strand | first activation | test auROC | test auPRC | match fraction | match fraction (any hit) | match-any | coverage |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for c in configs:
    strand, act = c.split("-", 1)
    ev = json.load(open(f"{out}/{c}/evaluation.json"))
    head, row = [l.rstrip("\n").split("\t") for l in open(f"{out}/{c}/motifs/truth.tsv")][:2]
    t = dict(zip(head, row))
    print(f"| {strand} | {act} | {ev['mean_auroc']:.3f} | {ev['mean_auprc']:.3f} | {float(t['match_fraction']):.3f} | "
          f"{float(t['match_fraction_any_hit']):.3f} | {float(t['match_any']):.3f} | {float(t['coverage']):.3f} |")
