"""A table of recorded Koo & Ploenzke runs (results/RUN/, made by the Makefile's record rule):
for each configuration given as LABEL=RUN1,RUN2,..., the mean and standard deviation over its
runs of test auROC, match fraction (best significant match), the any-hit match fraction (Koo &
Ploenzke's counting), match-any and coverage, then every run."""
import json
import statistics
import sys


def record(path):
    ev = json.load(open(f"{path}/evaluation.json"))
    head, row = [l.rstrip("\n").split("\t") for l in open(f"{path}/truth.tsv")][:2]
    t = dict(zip(head, row))
    return {"auroc": ev["mean_auroc"], "mf": float(t["match_fraction"]), "any_hit": float(t["match_fraction_any_hit"]),
            "match_any": float(t["match_any"]), "coverage": float(t["coverage"])}


def cell(values):
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


results, groups = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
keys = ["auroc", "mf", "any_hit", "match_any", "coverage"]
print("| configuration | runs | test auROC | match fraction | match fraction (any hit) | match-any | coverage |")
print("|---|---:|---:|---:|---:|---:|---:|")
runs = []
for label, names in groups:
    recs = [(n, record(f"{results}/{n}")) for n in names.split(",")]
    runs += [(label, n, r) for n, r in recs]
    print(f"| {label} | {len(recs)} | " + " | ".join(cell([r[k] for _, r in recs]) for k in keys) + " |")
print()
print("| configuration | run | test auROC | match fraction | match fraction (any hit) | match-any | coverage |")
print("|---|---|---:|---:|---:|---:|---:|")
for label, n, r in runs:
    print(f"| {label} | {n} | " + " | ".join(f"{r[k]:.3f}" for k in keys) + " |")
