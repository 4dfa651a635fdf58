"""What table.py and seeds.py share: the two ways filter motifs are made, where each puts its
truth.tsv, the motif counts tabled, and the reader of a truth.tsv."""

# (title, directory of `crick motifs` output in a run, truth file of a record in results/)
EXTRACTIONS = [
    ("crick's defaults: the filter's width, flanks under 0.5 bits trimmed", "motifs", "truth.tsv"),
    ("Koo & Ploenzke's settings: 20-column windows, clipped at 0.5 bits with 3 columns beside the core",
     "motifs-koo", "truth-koo.tsv"),
]

# (truth.tsv column, table header)
COUNTS = [("match_fraction", "match fraction (best match)"), ("match_fraction_any_hit", "match fraction (any truth hit)"),
          ("match_any", "match-any"), ("coverage", "coverage (best match)"), ("coverage_any_hit", "coverage (any truth hit)")]


def truth(path):
    """The counts of a truth.tsv written by `crick motifs --truth`, by column name."""
    head, row = [l.rstrip("\n").split("\t") for l in open(path)][:2]
    return {k: float(v) for k, v in zip(head, row) if k != "recovered"}
