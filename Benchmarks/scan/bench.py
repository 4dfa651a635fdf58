"""Benchmark of genome-wide scanning: `crick scan` of the chip rc model over 2 Mb of the yeast
genome at stride 20 with 2 threads, against PyTorch scoring the same windows the usual way
(windows cut out of the sequence, one-hot encoded and batched through the same model with
crick's weights), in the same run. Also: crick at smaller strides, the agreement of the two
tools' scores, and crick's peak memory on a 250 Mb chromosome."""
import argparse
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run_timed(cmd):
    """Wall seconds and peak RSS (MB) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crick", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--torch-windows", type=int, default=10000, help="windows PyTorch scores (its rate is per window)")
    args = ap.parse_args()
    import numpy as np
    import torch
    sys.path.insert(0, os.path.join(HERE, "..", "nn"))
    sys.path.insert(0, os.path.join(HERE, ".."))
    from common import base_codes, cpu_model, peak_rss, read_fasta, report, yeast_genome
    from torch_models import load_safetensors
    from torch_models import from_file
    torch.set_num_threads(args.threads)
    out = os.path.join(args.out, "scan")
    os.makedirs(out, exist_ok=True)

    # 2 Mb of real sequence: chrIV and the start of chrXV of sacCer3, as one contig.
    plain, _ = yeast_genome(out)
    seqs = read_fasta(plain)
    genome = (seqs["chrIV"] + seqs["chrXV"])[:2_000_000]
    fasta = os.path.join(out, "bench2mb.fa")
    with open(fasta, "w") as f:
        f.write(">bench\n" + "\n".join(genome[i:i + 60] for i in range(0, len(genome), 60)) + "\n")
    subprocess.run(["samtools", "faidx", fasta], check=True)
    model = os.path.join(out, "chip-rc.safetensors")
    subprocess.run([args.crick, "model", "init", "--preset", "chip", "--strand", "rc", "--seed", "5", "-o", model], check=True)

    # crick: the whole 2 Mb, bedGraph and bigWig, and smaller strides.
    rows = []
    for stride, fmt in [(20, "bedGraph"), (20, "bw"), (5, "bedGraph"), (1, "bw")]:
        target = os.path.join(out, f"scan-s{stride}.{fmt}")
        wall, _ = run_timed([args.crick, "scan", "--model", model, "--fasta", fasta, "--stride", str(stride),
                             "-@", str(args.threads), "-q", "-o", target])
        rows.append((stride, fmt, wall, len(genome) / wall))
    crick_bps = rows[0][3]

    # PyTorch: the same windows at stride 20, cut out, one-hot, batches of 100.
    tensors, meta = load_safetensors(model)
    net = from_file(tensors, meta)
    codes = base_codes(genome)
    # crick's windows start at bin start b + (S - L) // 2 for bins b = 0, S, 2S, ...: at offsets
    # congruent to (S - L) // 2 mod S, so PyTorch scores windows on that grid.
    first = ((20 - 1000) // 2) % 20
    starts = np.arange(first, len(genome) - 1000 + 1, 20)[:args.torch_windows]
    torch_scores = []
    with torch.no_grad():
        net(torch.zeros(100, 1000, 4))
        t = time.perf_counter()
        for b in range(0, len(starts), 100):
            idx = starts[b:b + 100, None] + np.arange(1000)[None, :]
            x = torch.nn.functional.one_hot(torch.from_numpy(codes[idx]), 5)[..., :4].float()
            torch_scores.append(torch.sigmoid(net(x)).numpy()[:, 0])
        torch_wall = time.perf_counter() - t
    torch_bps = len(starts) * 20 / torch_wall
    torch_scores = np.concatenate(torch_scores)

    # Agreement: crick's bins (bin start b is scored by the window starting at b + (S - L) // 2) against PyTorch's windows.
    crick_scores = {}
    for line in open(os.path.join(out, "scan-s20.bedGraph")):
        f = line.split("\t")
        if len(f) == 4:
            crick_scores[int(f[1]) + (20 - 1000) // 2] = float(f[3])
    diffs = [abs(crick_scores[s] - v) for s, v in zip(starts, torch_scores) if s in crick_scores]
    worst = max(diffs)

    # Memory: a 250 Mb chromosome (random sequence), stride 20.
    big = os.path.join(out, "chr250mb.fa")
    if not os.path.exists(big + ".fai"):
        rng = np.random.default_rng(1)
        n, width = 250_000_000, 60
        with open(big, "wb") as f:
            f.write(b">chrBig\n")
            step = width * 100_000
            for a in range(0, n, step):
                m = min(step, n - a)
                block = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, m)]
                lines = [block[i:i + width].tobytes() for i in range(0, m, width)]
                f.write(b"\n".join(lines) + b"\n")
        subprocess.run(["samtools", "faidx", big], check=True)
    mem, mem_wall = peak_rss([args.crick, "scan", "--model", model, "--fasta", big, "-@", str(args.threads), "-q",
                              "-o", os.path.join(out, "chr250mb.bw")])

    trunk_flop = 2 * (15 * 4 * 32 + 14 * 32 * 32 + 14 * 32 * 32)
    lines = [f"### Genome scan: chip rc model, 2 Mb of sacCer3, {args.threads} threads ({cpu_model()})",
             f"PyTorch {torch.__version__}, windows cut out and batched (100 per batch), {len(starts)} windows timed; "
             f"the trunk costs {trunk_flop / 1e3:.0f} kFLOP per bp.", "",
             "| stride | output | crick seconds | crick bp/s | PyTorch bp/s (stride 20) | ratio |", "|---:|---|---:|---:|---:|---:|"]
    for stride, fmt, wall, bps in rows:
        lines.append(f"| {stride} | {fmt} | {wall:.2f} | {bps / 1e6:.2f} M | {torch_bps / 1e3:.1f} k | {bps / torch_bps:.1f}x |")
    lines += ["", f"crick's trunk throughput at stride 20: {crick_bps * trunk_flop / 1e9:.0f} GFLOP/s.",
              f"crick's bins against PyTorch's windows: {len(diffs)} compared, max |difference| {worst:.1e}.",
              f"250 Mb chromosome, stride 20, bigWig: peak RSS {mem:.0f} MB (target < 500), {mem_wall:.0f} s ({250e6 / mem_wall / 1e6:.2f} Mbp/s)."]
    report(lines, args.out, "scan.md")


if __name__ == "__main__":
    main()
