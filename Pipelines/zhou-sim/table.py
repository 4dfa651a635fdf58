"""The zhou-sim table: per model, the recorded runs' test auROC and auPRC (mean and sample
standard deviation over seeds) beside Zhou et al. (2021)'s results/sim_1000.csv (10 seeds, the
rows whose weights are the best validation auROC), epochs trained, best epoch and the largest
strand discrepancy; the learning curves per optimiser step (mean validation auROC and loss of
the runs at given steps); then every run."""
import json
import os
import re
import statistics
import sys

results, configs = sys.argv[1], sys.argv[2].split()

# Zhou et al., results/sim_1000.csv, "auroc" rows: (auROC mean, sd, auPRC mean, sd), 10 seeds.
ZHOU = {
    "standard": ("Standard", 0.655, 0.050, 0.495, 0.053),
    "augwithin": ("AugWithin", 0.758, 0.005, 0.622, 0.007),
    "posthoc-standard": ("NStandard", 0.704, 0.020, 0.550, 0.024),
    "posthoc-augwithin": ("NAugWithin (CJ-posthoc)", 0.792, 0.006, 0.670, 0.009),
    "rc": ("RC (RCPS)", 0.850, 0.048, 0.756, 0.081),
}
STEPS = [240, 480, 960, 1920, 3200]


def seeds_of(c):
    found = []
    for d in os.listdir(results):
        m = re.fullmatch(re.escape(c) + r"-s(\d+)", d)
        if m and os.path.exists(f"{results}/{d}/evaluation.json"):
            found.append(int(m.group(1)))
    return sorted(found)


def curve(path):
    """metrics.tsv rows as dicts of floats."""
    lines = [l.rstrip("\n").split("\t") for l in open(path)]
    col = {name: i for i, name in enumerate(lines[0])}
    return [{k: float(r[i]) for k, i in col.items()} for r in lines[1:]]


def run(c, s):
    e = json.load(open(f"{results}/{c}-s{s}/evaluation.json"))
    lines = [l.rstrip("\n").split("\t") for l in open(f"{results}/{c}-s{s}/metrics.tsv")]
    col = {name: i for i, name in enumerate(lines[0])}
    rows = [{k: float(r[i]) for k, i in col.items()} for r in lines[1:]]
    best = max(rows, key=lambda r: r["valid_auroc"])
    return {"auroc": e["mean_auroc"], "auprc": e["mean_auprc"], "disc": e["rc_discrepancy_max"],
            "epochs": len(rows), "best": int(best["epoch"]), "rows": rows}


def sd(v):
    return statistics.stdev(v) if len(v) > 1 else 0.0


def at_step(rows, step, key):
    """The value at the last epoch ending at or before `step` (None if the run had not got there)."""
    done = [r for r in rows if r["step"] <= step]
    if not done or rows[-1]["step"] < step:
        return None
    return done[-1][key]


runs = {c: {s: run(c, s) for s in seeds_of(c)} for c in configs}
print("Test split (9,000 sequences, true labels), mean ± sd over the recorded seeds; Zhou et al.: 10 seeds.\n")
print("| model | seeds | test auROC | Zhou auROC | test auPRC | Zhou auPRC | epochs trained (mean) | best epoch (mean) | max \\|p(x) - p(rc x)\\| |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for c in configs:
    r = list(runs[c].values())
    z = ZHOU.get(c)
    zr = f"{z[1]:.3f} ± {z[2]:.3f}" if z else "-"
    zp = f"{z[3]:.3f} ± {z[4]:.3f}" if z else "-"
    if not r:
        print(f"| {c} | 0 | - | {zr} | - | {zp} | - | - | - |")
        continue
    roc, prc = [x["auroc"] for x in r], [x["auprc"] for x in r]
    print(f"| {c} | {len(r)} | {statistics.mean(roc):.3f} ± {sd(roc):.3f} | {zr} | {statistics.mean(prc):.3f} ± {sd(prc):.3f} | {zp} | "
          f"{statistics.mean(x['epochs'] for x in r):.1f} | {statistics.mean(x['best'] for x in r):.1f} | {max(x['disc'] for x in r):.1e} |")

print("\nLearning curves per optimiser step (batches of 500; an AugWithin epoch has twice the steps): mean validation auROC / loss of the runs that got that far (runs).\n")
print("| model | " + " | ".join(f"step {s}" for s in STEPS) + " |")
print("|---|" + "---:|" * len(STEPS))
for c in configs:
    if c.startswith("posthoc-") or not runs[c]:
        continue
    cells = []
    for s in STEPS:
        got = [(at_step(x["rows"], s, "valid_auroc"), at_step(x["rows"], s, "valid_loss")) for x in runs[c].values()]
        got = [g for g in got if g[0] is not None]
        cells.append(f"{statistics.mean(g[0] for g in got):.3f} / {statistics.mean(g[1] for g in got):.3f} ({len(got)})" if got else "-")
    print(f"| {c} | " + " | ".join(cells) + " |")
# Diagnostic runs of crick (results/diagnostics/NAME/metrics.tsv: trained outside the protocol,
# recorded by hand); other diagnostics (a PyTorch run's epochs.tsv) have no steps to line up.
diagnostics = os.path.join(results, "diagnostics")
for name in sorted(os.listdir(diagnostics)) if os.path.isdir(diagnostics) else []:
    if not os.path.exists(os.path.join(diagnostics, name, "metrics.tsv")):
        continue
    rows = curve(os.path.join(diagnostics, name, "metrics.tsv"))
    cells = []
    for s in STEPS:
        a, b = at_step(rows, s, "valid_auroc"), at_step(rows, s, "valid_loss")
        cells.append(f"{a:.3f} / {b:.3f}" if a is not None else "-")
    print(f"| {name} (diagnostic) | " + " | ".join(cells) + " |")

print("\nEvery run (test auROC / auPRC; epochs trained, best epoch):\n")
for c in configs:
    cells = [f"s{s}: {x['auroc']:.3f} / {x['auprc']:.3f} ({x['epochs']}, {x['best']})" for s, x in runs[c].items()]
    print(f"- {c}: " + "; ".join(cells))
