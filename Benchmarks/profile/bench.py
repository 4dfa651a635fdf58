"""Benchmark of count-and-profile training: the bpnet preset (four convolutions of 64 filters
with ReLU, no batch norm, a profile head predicting the central 200 bp of 1000 bp windows), rc and standard, against its
PyTorch twin (Benchmarks/nn/torch_models.py) on the same number of threads. Rounds alternate
crick (`crick model bench`) and PyTorch (the same steps: forward, BPNet's multinomial profile
loss plus log-count MSE, backward, Adam) in pairs after a warm-up, on an idle machine and beside
a CPU-bound job; the table gives the medians and the median per-pair ratio with its range. Before timing, crick's profile loss on real yeast ATAC-seq windows equals the twin's on
crick's own weights (the check the tests make, here on the bundled data)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crick", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--pairs", type=int, default=5)
    args = ap.parse_args()
    import numpy as np
    import torch
    sys.path.insert(0, os.path.join(HERE, "..", "nn"))
    sys.path.insert(0, os.path.join(HERE, ".."))
    from common import DATA, BusyNeighbour, alternate, machine, ratio_text, report, sgemm_peak
    from torch_models import CrickModel, from_file, load_safetensors, profile_loss
    torch.set_num_threads(args.threads)
    out = os.path.join(args.out, "profile")
    os.makedirs(out, exist_ok=True)
    crick = args.crick

    # Losses on real windows: coverage of the yeast ATAC-seq fragments (Tn5 insertions), a
    # count-and-profile dataset, a fresh bpnet model of each strand mode; crick evaluate's test
    # loss against the twin's on the same rows and weights.
    bw = os.path.join(out, "atac.bw")
    ds = os.path.join(out, "ds")
    if not os.path.exists(os.path.join(ds, "dataset.json")):
        subprocess.run([crick, "coverage", os.path.join(DATA, "yeast_atac_fragments.bedpe.gz"), "--genome", os.path.join(DATA, "sacCer3.fa.gz"),
                        "--mode", "insertions", "--tn5-shift", "-q", "-o", bw], check=True)
        subprocess.run([crick, "dataset", "--force", "--fasta", os.path.join(DATA, "sacCer3.fa.gz"), "--peaks", "atac=" + os.path.join(DATA, "yeast_atac.narrowPeak"),
                        "--signal", "atac=" + bw, "--profile", "-q", "-@", str(args.threads), "-o", ds], check=True)
    rows = np.load(os.path.join(ds, "split.npy")) == 2
    seqs = np.load(os.path.join(ds, "sequences.npy"))[rows][:64]
    prof = torch.from_numpy(np.load(os.path.join(ds, "profiles.npy"))[rows][:64]).double().transpose(1, 2)
    checks = []
    for strand in ["rc", "standard", "conjoined"]:
        model_path = os.path.join(out, f"bpnet-{strand}.safetensors")
        subprocess.run([crick, "model", "init", "--preset", "bpnet", "--strand", strand, "--seed", "3", "-o", model_path], check=True)
        np.save(os.path.join(out, "w.npy"), seqs)
        text = subprocess.run([crick, "model", "logits", model_path, os.path.join(out, "w.npy")], check=True, capture_output=True, text=True).stdout
        ours = torch.tensor([[float(v) for v in l.split()] for l in text.splitlines()], dtype=torch.float64)
        tensors, meta = load_safetensors(model_path)
        twin = from_file(tensors, meta).double()
        with torch.no_grad():
            x = torch.nn.functional.one_hot(torch.from_numpy(seqs.astype(np.int64)), 5)[..., :4].double()
            theirs = twin(x)
        a, b = profile_loss(ours, prof, 200, 1, 1.0).item(), profile_loss(theirs, prof, 200, 1, 1.0).item()
        checks.append((strand, float((ours - theirs).abs().max()), a, b))

    # sgemm peak of this machine at this thread count (torch's BLAS).
    peak = sgemm_peak(torch)

    def train_flops(channels):
        """FLOPs of one training step per sequence: forward, weight gradients, and input
        gradients of every layer but the first (rc models: 128-channel convolutions)."""
        convs = [(980, 21, 4, channels), (970, 11, channels, channels), (960, 11, channels, channels), (950, 11, channels, channels)]
        forward = sum(2 * l * k * ci * co for l, k, ci, co in convs) + 2 * 200 * 25 * channels * (2 if channels == 128 else 1)
        return 3 * forward - 2 * 980 * 21 * 4 * channels

    # Throughput, alternating.
    table = []
    for strand in ["rc", "standard"]:
        layers = []
        for k in (21, 11, 11, 11):
            layers += [{"type": "conv", "filters": 64, "kernel": k, "padding": "valid", "bias": True},
                       {"type": "activation", "function": "relu"}]
        layers.append({"type": "profilehead", "kernel": 25, "profile": 200})
        model = CrickModel({"name": "bpnet", "inputLength": 1000, "outputs": 1, "strand": strand, "layers": layers})
        g = torch.Generator().manual_seed(0)
        x = torch.nn.functional.one_hot(torch.randint(0, 4, (args.batch, 1000), generator=g), 4).float()
        y = torch.randint(0, 4, (args.batch, 200, 1), generator=g).float()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad()
            profile_loss(model(x), y, 200, 1, 1.0).backward()
            opt.step()

        model.train()

        def ours():
            line = subprocess.run([crick, "model", "bench", "--preset", "bpnet", "--strand", strand, "--batch", str(args.batch),
                                   "--steps", str(args.steps), "-@", str(args.threads)], check=True, capture_output=True, text=True).stdout
            return args.steps * args.batch / float(line.split("training ")[1].split(" ")[0])

        def theirs():
            t = time.perf_counter()
            for _ in range(args.steps):
                step()
            return time.perf_counter() - t

        table.append((strand, "idle") + alternate(ours, theirs, pairs=args.pairs))
        # The shared cluster node: a CPU-bound job on one core beside both tools.
        with BusyNeighbour(1):
            table.append((strand, "beside a CPU-bound job") + alternate(ours, theirs, pairs=args.pairs))

    lines = [f"### Profile model training: bpnet preset, batch {args.batch}, 1000 bp in, 200 bp profile out, {args.threads} threads",
             f"Machine: {machine()}.", "",
             "Losses on crick's weights (64 test windows of the yeast ATAC-seq count-and-profile dataset; multinomial NLL + log-count MSE):", "",
             "| strand | max abs difference of outputs | crick loss | PyTorch loss |", "|---|---:|---:|---:|"]
    for strand, diff, a, b in checks:
        lines.append(f"| {strand} | {diff:.2e} | {a:.6f} | {b:.6f} |")
    lines += ["", f"Training throughput (sequences/s, median of {args.pairs} pairs alternating crick and PyTorch after a warm-up; "
              "ratio = crick / PyTorch per pair, target >= 1.5x):", "",
              f"GFLOP/s from {train_flops(128) / 1e9:.2f} (rc) and {train_flops(64) / 1e9:.2f} (standard) GFLOP per sequence per step; "
              f"measured sgemm peak (torch, 2048^3): {peak:.0f} GFLOP/s.", "",
              "| strand | machine | crick seq/s | PyTorch seq/s | ratio | crick GFLOP/s (% of peak) | PyTorch GFLOP/s (% of peak) |",
              "|---|---|---:|---:|---|---:|---:|"]
    for strand, where, a, b, ratios in table:
        n = args.steps * args.batch
        f = train_flops(128 if strand == "rc" else 64) / 1e9
        ca, cb = n / statistics.median(a), n / statistics.median(b)
        lines.append(f"| {strand} | {where} | {ca:.1f} | {cb:.1f} | {ratio_text(ratios)} | {ca * f:.0f} ({100 * ca * f / peak:.0f}%) | "
                     f"{cb * f:.0f} ({100 * cb * f / peak:.0f}%) |")
    report(lines, args.out, "profile.md")


if __name__ == "__main__":
    main()
