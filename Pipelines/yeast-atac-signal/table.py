"""The yeast-atac-signal table: per model, the recorded runs' test metrics (mean over seeds):
Pearson and Spearman of log counts, their MSE, the median Jensen-Shannon distance and the
median Pearson of profiles, epochs and the largest strand discrepancy; then every run."""
import json
import os
import statistics
import sys

results, models, seeds = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
KEYS = [("mean_pearson", "count Pearson"), ("mean_spearman", "count Spearman"), ("mean_mse", "log-count MSE"),
        ("mean_median_jsd", "median profile JSD"), ("mean_median_profile_pearson", "median profile Pearson")]


def runs(model):
    out = []
    for s in seeds:
        path = f"{results}/{model}-s{s}/evaluation.json"
        if os.path.exists(path):
            e = json.load(open(path))
            epochs = sum(1 for _ in open(f"{results}/{model}-s{s}/metrics.tsv")) - 1
            out.append((s, e, epochs))
    return out


print("| model | runs | " + " | ".join(k[1] for k in KEYS) + " | max strand discrepancy |")
print("|---|---:|" + "---:|" * len(KEYS) + "---:|")
for m in models:
    r = runs(m)
    if not r:
        continue
    cells = [f"{statistics.mean(e[k] for _, e, _ in r):.4f}" for k, _ in KEYS]
    print(f"| {m} | {len(r)} | " + " | ".join(cells) + f" | {max(e['rc_discrepancy_max'] for _, e, _ in r):.2g} |")
print()
print("| run | epochs | test rows | loss | " + " | ".join(k[1] for k in KEYS) + " |")
print("|---|---:|---:|---:|" + "---:|" * len(KEYS))
for m in models:
    for s, e, epochs in runs(m):
        print(f"| {m}-s{s} | {epochs} | {e['rows']} | {e['loss']:.3f} | " + " | ".join(f"{e[k]:.4f}" for k, _ in KEYS) + " |")
