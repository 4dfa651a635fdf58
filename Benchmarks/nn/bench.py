"""Benchmark of the network engine: the `chip` preset in rc mode, batch 100, 1000 bp, 2 threads.
crick's figures come from `crick model bench`; PyTorch's from the same model in torch_models.py,
in the same run. Also cross-checks crick's logits against PyTorch on crick's own weights."""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crick", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--pairs", type=int, default=5)
    args = ap.parse_args()
    import numpy as np
    import torch
    sys.path.insert(0, HERE)
    sys.path.insert(0, os.path.dirname(HERE))
    from common import BusyNeighbour, alternate, machine, ratio_text, report, sgemm_peak
    import statistics
    from torch_models import chip, from_file, load_safetensors
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    out_dir = os.path.join(args.out, "nn")
    os.makedirs(out_dir, exist_ok=True)

    # sgemm peak of this machine at this thread count (torch's BLAS).
    peak = sgemm_peak(torch)

    rows = []
    for strand in ["rc", "standard"]:
        model = chip(strand)
        x = torch.nn.functional.one_hot(torch.randint(0, 4, (100, 1000)), 4).float()
        y = (torch.arange(100) % 2).float().unsqueeze(1)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.BCEWithLogitsLoss()

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()

        def torch_train():
            model.train()
            t = time.perf_counter()
            for _ in range(args.steps):
                step()
            return time.perf_counter() - t

        def torch_predict():
            model.eval()
            with torch.no_grad():
                t = time.perf_counter()
                for _ in range(args.steps):
                    model(x)
                return time.perf_counter() - t

        bench = {}

        def crick_bench():
            line = subprocess.run([args.crick, "model", "bench", "--preset", "chip", "--strand", strand, "--steps", str(args.steps),
                                   "-@", str(args.threads)], check=True, capture_output=True, text=True).stdout
            m = re.search(r"training ([\d.]+) sequences/s, prediction ([\d.]+)", line)
            bench["predict"] = args.steps * 100 / float(m.group(2))
            return args.steps * 100 / float(m.group(1))

        # `crick model bench` times training and prediction in one run: its prediction seconds
        # are those of the same call, paired with PyTorch's prediction run after it.
        predict_pairs = []

        def crick_train():
            seconds = crick_bench()
            predict_pairs.append(bench["predict"])
            return seconds

        def torch_both():
            seconds = torch_train()
            predict_pairs.append(torch_predict())
            return seconds

        for where, busy in [("idle", 0), ("beside a CPU-bound job", 1)]:
            predict_pairs.clear()
            with BusyNeighbour(busy):
                ours, theirs, train_ratios = alternate(crick_train, torch_both, pairs=args.pairs)
            # predict_pairs: warm-up (crick, torch), then (crick, torch) per pair.
            p_ours, p_theirs = predict_pairs[2::2], predict_pairs[3::2]
            rows.append((strand, where, ours, theirs, train_ratios, p_ours, p_theirs, [b / a for a, b in zip(p_ours, p_theirs)]))

    # Forward FLOPs per sequence of the rc model: 2 * sum(Lout * k * Cin * Cout).
    fwd = 2 * (986 * 15 * 4 * 32 + 973 * 14 * 32 * 32 + 960 * 14 * 32 * 32)
    n = args.steps * 100
    lines = [f"### Network engine: chip preset, batch 100, 1000 bp, {args.threads} threads",
             f"Machine: {machine()}.",
             f"Measured sgemm peak (torch, 2048^3): {peak:.0f} GFLOP/s. rc model: {fwd / 1e6:.0f} MFLOP forward per sequence, about 3x that to train.",
             f"Medians of {args.pairs} pairs alternating crick and PyTorch after a warm-up; ratios crick / PyTorch per pair.", "",
             "| strand | machine | crick train seq/s | PyTorch train seq/s | ratio | crick predict seq/s | PyTorch predict seq/s | ratio | crick train GFLOP/s (% of peak) |",
             "|---|---|---:|---:|---|---:|---:|---|---:|"]
    for strand, where, a, b, tr, pa, pb, pr in rows:
        ct = n / statistics.median(a)
        gf = ct * 3 * fwd / 1e9 if strand == "rc" else ct * 3 * fwd / 2 / 1e9
        lines.append(f"| {strand} | {where} | {ct:.0f} | {n / statistics.median(b):.0f} | {ratio_text(tr)} | {n / statistics.median(pa):.0f} | "
                     f"{n / statistics.median(pb):.0f} | {ratio_text(pr)} | {gf:.1f} ({100 * gf / peak:.0f}%) |")

    # Cross-check: crick's logits equal PyTorch's on crick's weights, for every preset and
    # strand mode (fresh weights with moved batch-norm statistics come from training one epoch
    # for chip rc; the others are freshly initialised).
    checks = []
    rng = np.random.default_rng(0)
    for preset in ["chip", "koo-cnn2", "koo-cnn50", "koo-deep"]:
        for strand in ["standard", "rc", "conjoined"]:
            path = os.path.join(out_dir, f"{preset}-{strand}.safetensors")
            subprocess.run([args.crick, "model", "init", "--preset", preset, "--strand", strand, "--outputs", "3",
                            "--first-activation", "exponential", "-o", path], check=True)
            length = 1000 if preset == "chip" else 200
            codes = rng.integers(0, 5, size=(32, length), dtype=np.uint8)
            npy = os.path.join(out_dir, f"codes{length}.npy")
            np.save(npy, codes)
            checks.append((preset, strand, path, npy))
    model_path = os.path.join(out_dir, "trained-chip-rc.safetensors")
    check = os.path.join(out_dir, "check")
    if not os.path.exists(model_path):
        subprocess.run([args.crick, "simulate", "--force", "--mode", "density", "--n", "600", "--length", "1000", "-o", check + "-sim", "--dataset", check + "-ds", "-q"], check=True)
        subprocess.run([args.crick, "train", "--force", check + "-ds", "--preset", "chip", "--strand", "rc", "--epochs", "1", "-o", check + "-run", "-q", "-@", str(args.threads)], check=True)
        os.replace(os.path.join(check + "-run", "model.safetensors"), model_path)
    checks.append(("chip (trained 1 epoch)", "rc", model_path, os.path.join(check + "-ds", "sequences.npy")))
    lines += ["", "Cross-check on crick's weights (max |crick logit - PyTorch logit|, 32-64 sequences with N; target <= 1e-4):", "",
              "| preset | strand | max difference |", "|---|---|---:|"]
    worst = 0.0
    for preset, strand, path, npy in checks:
        tensors, meta = load_safetensors(path)
        model = from_file(tensors, meta)
        seqs = np.load(npy)[:64]
        with torch.no_grad():
            x = torch.nn.functional.one_hot(torch.from_numpy(seqs.astype(np.int64)), 5)[..., :4].float()
            torch_logits = model(x).numpy()
        text = subprocess.run([args.crick, "model", "logits", path, npy, "--rows", "64"], check=True, capture_output=True, text=True).stdout
        crick_logits = np.array([[float(v) for v in l.split()] for l in text.strip().split("\n")])
        diff = float(np.abs(crick_logits - torch_logits).max())
        worst = max(worst, diff)
        lines.append(f"| {preset} | {strand} | {diff:.2e} |")
    lines.append(f"\nWorst: {worst:.2e}")
    try:
        from safetensors.numpy import load_file
        loaded = load_file(model_path)
        lines.append(f"Python's safetensors package reads crick's model file: {len(loaded)} tensors, conv1.weight {tuple(loaded['conv1.weight'].shape)}.")
    except ImportError:
        lines.append("(Python's safetensors package is not installed in the benchmark venv; not checked.)")
    report(lines, args.out, "nn.md")


if __name__ == "__main__":
    main()
