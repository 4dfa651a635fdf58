"""A seeded random set of variants in the yeast ATAC-seq peaks, as a sorted VCF on stdout:
at random peak positions, SNVs (80%), deletions of 1-10 bases (10%) and insertions of 1-10
random bases (10%), with REF read from the genome (pysam).
Usage: python3 variants.py PEAKS.narrowPeak GENOME.fa.gz SEED N > variants.vcf"""
import random
import sys

import pysam


def main():
    peaks_path, fasta_path, seed, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    fasta = pysam.FastaFile(fasta_path)
    order = list(fasta.references)
    peaks = []
    for line in open(peaks_path):
        f = line.split("\t")
        if len(f) >= 3 and not line.startswith(("track", "#", "browser")):
            peaks.append((f[0], int(f[1]), int(f[2])))
    rng = random.Random(seed)
    chosen = set()
    while len(chosen) < n:
        chrom, start, end = rng.choice(peaks)
        chosen.add((chrom, rng.randrange(start, end)))
    print("##fileformat=VCFv4.2")
    for c in order:
        print(f"##contig=<ID={c},length={fasta.get_reference_length(c)}>")
    print("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    rank = {c: i for i, c in enumerate(order)}
    for i, (chrom, p) in enumerate(sorted(chosen, key=lambda x: (rank[x[0]], x[1]))):
        kind = rng.random()
        base = fasta.fetch(chrom, p, p + 1).upper()
        if kind < 0.8:
            ref, alt = base, rng.choice([b for b in "ACGT" if b != base])
        elif kind < 0.9:
            ref = fasta.fetch(chrom, p, min(p + 1 + rng.randint(1, 10), fasta.get_reference_length(chrom))).upper()
            alt = base
        else:
            ref, alt = base, base + "".join(rng.choice("ACGT") for _ in range(rng.randint(1, 10)))
        if len(ref) == len(alt) == 1 and ref == alt:
            continue
        print(f"{chrom}\t{p + 1}\tvar{i + 1}\t{ref}\t{alt}\t.\t.\t.")


if __name__ == "__main__":
    main()
