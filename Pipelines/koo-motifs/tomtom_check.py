"""crick motifs --compare against an independent Tomtom: memelite's tomtom (Jacob Schreiber's
numba reimplementation of MEME-suite Tomtom's complete scoring, Euclidean column scores).

Usage: tomtom_check.py FILTERS.meme DATABASE.meme MATCHES.tsv
MATCHES.tsv is crick's output for the same filters with --distance euclidean --min-overlap 1
--max-matches at least the database size, so every query-target pair is listed. Prints how often
the two agree on each filter's best target, and how far apart their p-values are."""
import csv
import sys

import numpy as np
from memelite import tomtom
from memelite.io import read_meme


def motifs(path):
    named = read_meme(path)
    return [k.split()[0] for k in named], [np.asarray(v, dtype=np.float64) for v in named.values()]


query_ids, queries = motifs(sys.argv[1])
target_ids, targets = motifs(sys.argv[2])
p, _, _, _, _ = tomtom(queries, targets, n_target_bins=None)
column = {t: j for j, t in enumerate(target_ids)}

ours = {}
for row in csv.DictReader(open(sys.argv[3]), delimiter="\t"):
    ours.setdefault(row["filter"], []).append(row)

same_best, tied_best, pairs = 0, 0, []
for i, q in enumerate(query_ids):
    rows = ours.get(q, [])
    if len(rows) < len(target_ids):
        sys.exit(f"{sys.argv[3]}: {q} has {len(rows)} matches of {len(target_ids)}; rerun with --max-matches {len(target_ids)}")
    best = int(np.argmin(p[i]))
    ours_best = column[rows[0]["target_id"]]
    same_best += ours_best == best
    # A different best target whose memelite p-value equals the best one is a tie, not a disagreement.
    tied_best += ours_best != best and p[i, ours_best] == p[i, best]
    for r in rows:
        pairs.append((float(r["p_value"]), p[i, column[r["target_id"]]]))

ref = np.array([b for _, b in pairs])
ratio = np.log10(np.maximum([a for a, _ in pairs], 1e-300)) - np.log10(np.maximum(ref, 1e-300))
strong = ratio[ref < 1e-3]
rank = lambda x: np.argsort(np.argsort(x))
rho = np.corrcoef(rank(np.array([a for a, _ in pairs])), rank(ref))[0, 1]
print(f"filters {len(query_ids)}, database {len(target_ids)}, pairs {len(pairs)}")
print(f"best target the same: {same_best} of {len(query_ids)} (and {tied_best} tied in memelite)")
print(f"log10(p crick / p memelite), all pairs: median {np.median(ratio):+.3f}, 95% within {np.quantile(np.abs(ratio), 0.95):.3f}")
print(f"log10(p crick / p memelite), pairs with p < 1e-3 ({len(strong)}): median {np.median(strong):+.3f}, max |.| {np.max(np.abs(strong)):.3f}")
print(f"Spearman correlation of the p-values: {rho:.4f}")
