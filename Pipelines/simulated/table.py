"""Mean and spread over seeds of test auROC/auPRC, and epochs to reach a validation auPRC."""
import json
import statistics
import sys

out, target, configs, seeds = sys.argv[1], float(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
print(f"| model | test auROC (mean ± sd) | test auPRC (mean ± sd) | epochs to valid auPRC ≥ {target} (mean; runs reaching it) | max \\|p(x) - p(rc x)\\| |")
print("|---|---:|---:|---:|---:|")
for c in configs:
    roc, prc, reach, disc = [], [], [], []
    for s in seeds:
        e = json.load(open(f"{out}/{c}-s{s}/evaluation.json"))
        roc.append(e["mean_auroc"]); prc.append(e["mean_auprc"]); disc.append(e["rc_discrepancy_max"])
        rows = [l.rstrip("\n").split("\t") for l in open(f"{out}/{c}-s{s}/metrics.tsv")][1:]
        hit = next((int(r[0]) for r in rows if float(r[4]) >= target), None)
        if hit is not None:
            reach.append(hit)
    sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0
    r = f"{statistics.mean(reach):.1f}; {len(reach)}/{len(seeds)}" if reach else f"never; 0/{len(seeds)}"
    print(f"| {c} | {statistics.mean(roc):.3f} ± {sd(roc):.3f} | {statistics.mean(prc):.3f} ± {sd(prc):.3f} | {r} | {max(disc):.1e} |")
