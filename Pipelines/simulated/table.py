"""The density table: mean and spread over seeds of test auROC/auPRC, epochs to reach a
validation auPRC, the largest strand discrepancy, the training and validation loss of the last
epoch (how far a model fits the noisy training labels beyond what carries over); then every
run, one row per seed."""
import json
import statistics
import sys

results, target, configs, seeds = sys.argv[1], float(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()


def run(c, s):
    e = json.load(open(f"{results}/{c}-s{s}/evaluation.json"))
    rows = [l.rstrip("\n").split("\t") for l in open(f"{results}/{c}-s{s}/metrics.tsv")][1:]
    hit = next((int(r[0]) for r in rows if float(r[4]) >= target), None)
    return e["mean_auroc"], e["mean_auprc"], hit, e["rc_discrepancy_max"], len(rows), float(rows[-1][1]), float(rows[-1][2])


def sd(v):
    return statistics.stdev(v) if len(v) > 1 else 0.0


print(f"Seeds: {' '.join(seeds)}.\n")
print(f"| model | test auROC (mean ± sd) | test auPRC (mean ± sd) | epochs to valid auPRC ≥ {target} (mean; runs reaching it) | max \\|p(x) - p(rc x)\\| | last epoch train / valid loss (mean) |")
print("|---|---:|---:|---:|---:|---:|")
for c in configs:
    runs = [run(c, s) for s in seeds]
    roc, prc = [r[0] for r in runs], [r[1] for r in runs]
    reach = [r[2] for r in runs if r[2] is not None]
    r = f"{statistics.mean(reach):.1f}; {len(reach)}/{len(seeds)}" if reach else f"never; 0/{len(seeds)}"
    print(f"| {c} | {statistics.mean(roc):.3f} ± {sd(roc):.3f} | {statistics.mean(prc):.3f} ± {sd(prc):.3f} | {r} | {max(x[3] for x in runs):.1e} | {statistics.mean(x[5] for x in runs):.3f} / {statistics.mean(x[6] for x in runs):.3f} |")
print("\nEvery run (test auROC / auPRC, epoch reaching the target):\n")
print("| model | " + " | ".join(f"seed {s}" for s in seeds) + " |")
print("|---|" + "---:|" * len(seeds))
for c in configs:
    cells = []
    for s in seeds:
        roc, prc, hit, _, epochs, _, _ = run(c, s)
        cells.append(f"{roc:.3f} / {prc:.3f}, {hit if hit is not None else f'never ({epochs})'}")
    print(f"| {c} | " + " | ".join(cells) + " |")
