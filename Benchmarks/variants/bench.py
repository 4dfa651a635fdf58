"""Benchmark of variant effect scoring: `crick variants` on seeded random SNVs (and indels)
of the yeast genome with the chip rc model, against PyTorch scoring the same reference and
alternative windows the usual way (windows cut out of the genome, one-hot, batched through
the same model with crick's weights), alternated in the same run, 2 threads each. The two
tools' alternative probabilities are compared. Also: crick's peak memory on a larger SNV set
(streaming: it must not grow with the number of variants)."""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def write_vcf(path, seqs, n, seed, indels=False):
    """n random variants, sorted, on the contigs in proportion to their lengths: SNVs, or
    deletions of 1-10 bases and insertions of 1-10 random bases. Returns the records."""
    import numpy as np
    rng = np.random.default_rng(seed)
    names = sorted(seqs)
    lengths = np.array([len(seqs[c]) for c in names])
    picks = rng.choice(len(names), size=n, p=lengths / lengths.sum())
    records = []
    for ci in range(len(names)):
        c = names[ci]
        s = seqs[c]
        k = int((picks == ci).sum())
        for p in sorted(set(rng.integers(20, len(s) - 20, size=k).tolist())):
            ref = s[p].upper()
            if ref not in "ACGT":
                continue
            if not indels:
                alt = "ACGT"[("ACGT".index(ref) + int(rng.integers(1, 4))) % 4]
            elif rng.random() < 0.5:
                d = int(rng.integers(1, 11))
                ref, alt = s[p:p + d + 1].upper(), ref
                if any(b not in "ACGT" for b in ref):
                    continue
            else:
                alt = ref + "".join("ACGT"[i] for i in rng.integers(0, 4, size=int(rng.integers(1, 11))))
            records.append((c, p, ref, alt))
    with open(path, "w") as f:
        f.write("##fileformat=VCFv4.2\n")
        for c in names:
            f.write(f"##contig=<ID={c},length={len(seqs[c])}>\n")
        f.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for i, (c, p, ref, alt) in enumerate(records):
            f.write(f"{c}\t{p + 1}\tv{i}\t{ref}\t{alt}\t.\t.\t.\n")
    return records


def torch_scores(net, codes_by_contig, records, length, batch):
    """PyTorch: for each SNV the reference window [p - L/2, p - L/2 + L) and the same window
    with the base replaced, one-hot, in batches; returns (ref, alt) probabilities."""
    import numpy as np
    import torch
    c = length // 2
    ref_p, alt_p = [], []
    with torch.no_grad():
        for b in range(0, len(records), batch):
            chunk = records[b:b + batch]
            windows = np.full((2 * len(chunk), length), 4, dtype=np.int64)
            for i, (chrom, p, ref, alt) in enumerate(chunk):
                codes = codes_by_contig[chrom]
                lo, hi = p - c, p - c + length
                a, z = max(lo, 0), min(hi, len(codes))
                windows[2 * i, a - lo:z - lo] = codes[a:z]
                windows[2 * i + 1] = windows[2 * i]
                windows[2 * i + 1, c] = "ACGT".index(alt)
            x = torch.nn.functional.one_hot(torch.from_numpy(windows), 5)[..., :4].float()
            probs = torch.sigmoid(net(x)).numpy()[:, 0]
            ref_p.append(probs[0::2])
            alt_p.append(probs[1::2])
    return np.concatenate(ref_p), np.concatenate(alt_p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crick", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--snvs", type=int, default=100_000)
    ap.add_argument("--indels", type=int, default=10_000)
    ap.add_argument("--memory-snvs", type=int, default=1_000_000, help="SNVs of the peak-memory run (0: skip)")
    ap.add_argument("--rounds", type=int, default=2, help="alternations of crick and PyTorch")
    args = ap.parse_args()
    import numpy as np
    import torch
    sys.path.insert(0, os.path.join(HERE, "..", "nn"))
    sys.path.insert(0, os.path.join(HERE, ".."))
    from common import base_codes, cpu_model, peak_rss, read_fasta, report, yeast_genome
    from torch_models import from_file, load_safetensors
    torch.set_num_threads(args.threads)
    out = os.path.join(args.out, "variants")
    os.makedirs(out, exist_ok=True)
    plain, _ = yeast_genome(out)
    seqs = read_fasta(plain)
    codes = {c: base_codes(s) for c, s in seqs.items()}
    model = os.path.join(out, "chip-rc.safetensors")
    subprocess.run([args.crick, "model", "init", "--preset", "chip", "--strand", "rc", "--seed", "5", "-o", model], check=True)
    net = from_file(*load_safetensors(model)).eval()
    snv_vcf = os.path.join(out, "snvs.vcf")
    records = write_vcf(snv_vcf, seqs, args.snvs, seed=1)
    crick_cmd = [args.crick, "variants", snv_vcf, "--fasta", plain, "--model", model, "-@", str(args.threads), "-q",
                 "--scores", "ref_prob,alt_prob", "-o", os.path.join(out, "snvs.tsv")]

    crick_s, torch_s = [], []
    for _ in range(args.rounds):
        t = time.perf_counter()
        subprocess.run(crick_cmd, check=True)
        crick_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        ref_p, alt_p = torch_scores(net, codes, records, 1000, 128)
        torch_s.append(time.perf_counter() - t)
    ratios = [tt / cs for cs, tt in zip(crick_s, torch_s)]

    # Agreement on every SNV.
    crick_alt = []
    with open(os.path.join(out, "snvs.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        k = header.index("alt_prob")
        for line in f:
            crick_alt.append(float(line.split("\t")[k]))
    worst = float(np.abs(np.array(crick_alt) - alt_p).max())

    # Indels: crick's throughput (full windows).
    indel_vcf = os.path.join(out, "indels.vcf")
    indels = write_vcf(indel_vcf, seqs, args.indels, seed=2, indels=True)
    t = time.perf_counter()
    subprocess.run([args.crick, "variants", indel_vcf, "--fasta", plain, "--model", model, "-@", str(args.threads), "-q",
                    "-o", os.path.join(out, "indels.tsv")], check=True)
    indel_wall = time.perf_counter() - t

    lines = [f"### Variant scoring: chip rc model (1 kb windows), sacCer3, {args.threads} threads each ({cpu_model()})",
             f"PyTorch {torch.__version__}: reference and alternative windows cut out, one-hot, 128 variants (256 windows) per batch. "
             f"{len(records)} SNVs; runs alternated, {args.rounds} of each.", "",
             "| round | crick s | PyTorch s | crick SNVs/s | PyTorch SNVs/s | ratio |", "|---:|---:|---:|---:|---:|---:|"]
    for i, (cs, tt) in enumerate(zip(crick_s, torch_s)):
        lines.append(f"| {i + 1} | {cs:.1f} | {tt:.1f} | {len(records) / cs:.0f} | {len(records) / tt:.0f} | {tt / cs:.2f}x |")
    lines += ["", f"Median ratio (PyTorch seconds / crick seconds): {statistics.median(ratios):.2f}x.",
              f"alt_prob, crick against PyTorch, {len(records)} SNVs: max |difference| {worst:.1e}.",
              f"Indels ({len(indels)}: deletions and insertions of 1-10 bases, full alternative windows): "
              f"crick {len(indels) / indel_wall:.0f} indels/s ({indel_wall:.1f} s)."]
    if args.memory_snvs > 0:
        big_vcf = os.path.join(out, "snvs-memory.vcf")
        big = write_vcf(big_vcf, seqs, args.memory_snvs, seed=3)
        mem, wall = peak_rss([args.crick, "variants", big_vcf, "--fasta", plain, "--model", model, "-@", str(args.threads), "-q",
                              "-o", os.path.join(out, "snvs-memory.vcf.gz")])
        lines.append(f"{len(big)} SNVs to an indexed .vcf.gz: peak RSS {mem:.0f} MB (target < 300), {wall:.0f} s ({len(big) / wall:.0f} SNVs/s).")
    report(lines, args.out, "variants.md")


if __name__ == "__main__":
    main()
