"""Benchmark of DeepLIFT/SHAP: `crick attribute --method deepliftshap` against tangermeme's
`deep_lift_shap` on CPU, the chip preset in rc mode (crick's weights in the PyTorch twin), 1 kb
windows around yeast ATAC-seq summits, 20 dinucleotide-shuffled references per window drawn once
by tangermeme and given to both, the same thread count. Rounds alternate the two tools; the
ratio is the median of the per-round ratios. The two tools' hypothetical contributions are
compared.

usage: contrib_bench.py --crick BIN --out DIR [--regions 1000] [--references 20] [--rounds 3]
Run with a Python that has torch and tangermeme (make deps builds .build/oracle-venv)."""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
YEAST = os.path.join(ROOT, "Pipelines", "data", "yeast")
sys.path.insert(0, os.path.join(HERE, "..", "nn"))
sys.path.insert(0, os.path.join(HERE, ".."))
from common import cpu_model  # noqa: E402
from contrib_oracle import Hookable  # noqa: E402
from torch_models import from_file, load_safetensors  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crick", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--regions", type=int, default=1000)
    ap.add_argument("--references", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    out = os.path.join(args.out, "contrib")
    os.makedirs(out, exist_ok=True)
    fasta = os.path.join(YEAST, "sacCer3.fa.gz")

    # Peaks whose 1 kb window fits in its chromosome, the first N.
    sizes = dict(line.split("\t")[:2] for line in open(fasta + ".fai"))
    regions = os.path.join(out, "peaks.narrowPeak")
    with open(regions, "w") as f:
        n = 0
        for line in open(os.path.join(YEAST, "yeast_atac.narrowPeak")):
            c = line.rstrip("\n").split("\t")
            if len(c) < 10:
                continue
            summit = int(c[1]) + int(c[9])
            if summit - 500 >= 0 and summit + 500 <= int(sizes[c[0]]) and n < args.regions:
                f.write(line)
                n += 1
    model = os.path.join(out, "chip-rc.safetensors")
    subprocess.run([args.crick, "model", "init", "--preset", "chip", "--strand", "rc", "--seed", "2", "-o", model], check=True,
                   capture_output=True)
    codes = os.path.join(out, "codes.npy")
    subprocess.run([args.crick, "fetch", "--fasta", fasta, "--regions", regions, "--length", "1000", "--center", "summit",
                    "--format", "npy", "-o", codes], check=True, capture_output=True)
    seqs = np.load(codes)
    x = torch.nn.functional.one_hot(torch.from_numpy(seqs.astype(np.int64)), 5)[..., :4].float().transpose(1, 2).contiguous()

    from tangermeme.deep_lift_shap import deep_lift_shap
    from tangermeme.ersatz import dinucleotide_shuffle
    refs = dinucleotide_shuffle(x, n=args.references, random_state=1)          # (N, R, 4, L)
    ref_codes = np.where(refs.sum(dim=2).numpy() == 0, 4, refs.argmax(dim=2).numpy()).astype(np.uint8)
    refs_path = os.path.join(out, "refs.npy")
    np.save(refs_path, ref_codes)

    torch.set_num_threads(args.threads)
    tensors, meta = load_safetensors(model)
    net = Hookable(from_file(tensors, meta).eval(), False).eval()
    prefix = os.path.join(out, "crick")
    crick_times, torch_times, theirs = [], [], None
    for r in range(args.rounds):
        order = ["crick", "torch"] if r % 2 == 0 else ["torch", "crick"]
        for who in order:
            t = time.perf_counter()
            if who == "crick":
                subprocess.run([args.crick, "attribute", "-@", str(args.threads), "--model", model, "--fasta", fasta,
                                "--regions", regions, "--method", "deepliftshap", "--references", refs_path, "-q",
                                "-o", prefix], check=True)
                crick_times.append(time.perf_counter() - t)
            else:
                theirs = deep_lift_shap(net, x, target=0, references=refs, hypothetical=True, batch_size=64,
                                        warning_threshold=1e9).numpy()
                torch_times.append(time.perf_counter() - t)
    ours = np.load(prefix + ".hyp.npy")
    rel = float(np.abs(ours - theirs).max() / np.abs(theirs).max())
    # Per window: the largest difference relative to the window's largest value.
    per = np.abs(ours - theirs).max(axis=(1, 2)) / np.maximum(np.abs(theirs).max(axis=(1, 2)), 1e-30)
    off = int((per > 1e-4).sum())
    ratios = [b / a for a, b in zip(crick_times, torch_times)]
    pairs = len(seqs) * args.references
    lines = [f"### DeepLIFT/SHAP: chip rc, {len(seqs)} yeast windows of 1 kb, {args.references} references each, "
             f"{args.threads} threads ({cpu_model()})",
             f"torch {torch.__version__}, tangermeme deep_lift_shap (batch 64), rounds alternating; per round:", "",
             "| round | crick seconds | tangermeme seconds | ratio |", "|---:|---:|---:|---:|"]
    for i, (a, b) in enumerate(zip(crick_times, torch_times)):
        lines.append(f"| {i + 1} | {a:.1f} | {b:.1f} | {b / a:.2f}x |")
    lines += ["", f"Median ratio (tangermeme seconds / crick seconds): **{statistics.median(ratios):.2f}x** "
              f"(range {min(ratios):.2f}-{max(ratios):.2f}x); crick {pairs / statistics.median(crick_times):.0f} "
              f"sequence-reference pairs/s. Hypothetical contributions: max |crick - tangermeme| = {rel:.2e} of the largest; "
              f"per window, median {float(np.median(per)):.2e} of the window's largest, {off} of {len(per)} windows above 1e-4."]
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(args.out, "contrib.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
