"""One row per model: test auROC, auPRC and the forward-vs-reverse-complement discrepancy."""
import json
import sys

out, models = sys.argv[1], sys.argv[2:]
print("model\tstrand\ttest_auroc\ttest_auprc\trc_discrepancy_mean\trc_discrepancy_max")
for m in models:
    e = json.load(open(f"{out}/{m}/evaluation.json"))
    print(f"{m}\t{e['strand']}\t{e['mean_auroc']:.4f}\t{e['mean_auprc']:.4f}\t{e['rc_discrepancy_mean']:.2e}\t{e['rc_discrepancy_max']:.2e}")
