"""The table of Koo & Ploenzke's protocol (the Makefile's `protocol` target): for each model and
first-layer activation, over the recorded seeds (KOO_RESULTS/MODEL-ACTIVATION-sSEED): test auROC
and auPRC, Koo & Ploenzke's match fraction (filters with any hit among the planted motifs' JASPAR
entries, E < 0.1, over all filters), crick's best-match count (filters whose best JASPAR match is
a planted motif) and coverage (planted motifs found by some filter's best match), as mean ± sd;
the epochs trained; then every run."""
import json
import os
import re
import statistics
import sys

from records import truth

results, models, activations = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()


def cell(values, digits=3):
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def runs(model, activation):
    found = []
    for d in os.listdir(results):
        m = re.fullmatch(re.escape(f"{model}-{activation}") + r"-s(\d+)", d)
        if m and os.path.exists(f"{results}/{d}/truth-koo.tsv"):
            found.append((int(m.group(1)), d))
    out = []
    for seed, d in sorted(found):
        e = json.load(open(f"{results}/{d}/evaluation.json"))
        t = truth(f"{results}/{d}/truth-koo.tsv")
        epochs = sum(1 for _ in open(f"{results}/{d}/metrics.tsv")) - 1
        out.append({"seed": seed, "auroc": e["mean_auroc"], "auprc": e["mean_auprc"], "any": t["match_fraction_any_hit"],
                    "best": round(t["match_fraction"] * t["filters"]), "coverage": t["coverage"] * t["truth_motifs"],
                    "epochs": epochs})
    return out


print("Filter motifs by Koo & Ploenzke's settings (20-column windows around activations above half the "
      "filter's maximum on the test sequences, clipped at 0.5 bits with 3 columns beside the core), "
      "compared with JASPAR CORE 2016 vertebrates; 32 filters, 12 planted motifs. Mean ± sd over seeds.\n")
print("| model | first activation | seeds | test auROC | test auPRC | match fraction (any truth hit) | best-match count (of 32) | planted motifs found (of 12) | epochs trained |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
every = []
for m in models:
    for a in activations:
        r = runs(m, a)
        every += [(m, a, x) for x in r]
        print(f"| {m} | {a} | {len(r)} | {cell([x['auroc'] for x in r])} | {cell([x['auprc'] for x in r])} | "
              f"{cell([x['any'] for x in r])} | {cell([x['best'] for x in r], 1)} | {cell([x['coverage'] for x in r], 1)} | "
              f"{cell([x['epochs'] for x in r], 1)} |")
print("\nEvery run: test auROC / auPRC; match fraction (any truth hit); best-match count; epochs.\n")
for m, a, x in every:
    print(f"- {m} {a} seed {x['seed']}: {x['auroc']:.3f} / {x['auprc']:.3f}; {x['any']:.3f}; {x['best']}; {x['epochs']}")
