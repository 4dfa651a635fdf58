"""ISM benchmark: crick's incremental engine (NeuralNet's IncrementalScorer: each mutant
recomputes only the rows its base change reaches) against crick's own naive ISM (every mutant
through the full batched forward pass, `--ism-engine full`), both through `crick attribute
--method ism` on the same windows of 1 kb around yeast ATAC summits with the chip rc model. The
two implementations alternate within one run (the order flips every round); both timings,
the median ratio and the largest difference between their maps are printed. Where torch can
be imported, PyTorch's batched naive ISM (every mutant of a window in batches through the same
model with crick's weights) is timed too, on the first --torch-windows windows (its cost is
per mutant), between the rounds, and its maps are compared with crick's."""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEAKS = os.path.join(HERE, "..", "..", "Pipelines", "data", "yeast", "yeast_atac.narrowPeak")


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - start


def cpu_flags():
    """avx2 / avx512f as the kernel reports them."""
    try:
        flags = next(l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags"))
    except (OSError, StopIteration):
        return "flags unknown"
    return ", ".join(f"{f} {'yes' if f in flags else 'no'}" for f in ["avx2", "avx512f"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crick", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--regions", type=int, default=200, help="1 kb windows (3,000 mutants each)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the two engines, alternating")
    ap.add_argument("--torch-windows", type=int, default=20, help="windows PyTorch's naive ISM scores per round (0: none)")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(HERE, ".."))
    from common import cpu_model, report, yeast_genome
    import numpy as np
    out = os.path.join(args.out, "ism")
    os.makedirs(out, exist_ok=True)
    c, t = args.crick, str(args.threads)

    plain, _ = yeast_genome(out)
    model = os.path.join(out, "chip-rc.safetensors")
    subprocess.run([c, "model", "init", "--preset", "chip", "--strand", "rc", "--seed", "2", "-o", model], check=True)
    bed = os.path.join(out, "ism.bed")
    rows = [l for l in open(PEAKS) if l.count("\t") >= 9 and int(l.split("\t")[1]) > 1000][:args.regions]
    with open(bed, "w") as f:
        f.writelines(rows)

    def run(engine):
        prefix = os.path.join(out, engine)
        took = timed([c, "attribute", "--model", model, "--fasta", plain, "--regions", bed, "--method", "ism",
                      "--ism-engine", engine, "-o", prefix, "-q", "-@", t])
        return took, np.load(prefix + ".npy")

    torch_ism = None
    if args.torch_windows > 0:
        try:
            torch_ism = torch_naive_ism(model, plain, args.threads)
        except ImportError:
            torch_ism = None
    times = {"full": [], "incremental": []}
    torch_rates, torch_worst = [], 0.0
    worst = 0.0
    for r in range(args.rounds):
        order = ["full", "incremental"] if r % 2 == 0 else ["incremental", "full"]
        maps = {}
        for engine in order:
            took, maps[engine] = run(engine)
            times[engine].append(took)
            print(f"round {r + 1}: {engine} {took:.2f} s", flush=True)
        worst = max(worst, float(np.abs(maps["full"] - maps["incremental"]).max()))
        if torch_ism is not None:
            rate, tmaps = torch_ism(os.path.join(out, "incremental.windows.bed"), args.torch_windows)
            torch_rates.append(rate)
            torch_worst = max(torch_worst, float(np.abs(tmaps - maps["incremental"][:len(tmaps)]).max()))
            print(f"round {r + 1}: PyTorch {rate:.0f} mutants/s", flush=True)
    windows = maps["full"].shape[0]
    mutants = 3 * 1000 * windows   # nominal: 3 per base (an N position has 4)
    full, inc = statistics.median(times["full"]), statistics.median(times["incremental"])
    ratio = statistics.median(f / i for f, i in zip(times["full"], times["incremental"]))
    lines = [f"### ISM: incremental engine against full-forward ISM, {args.threads} threads ({cpu_model()}; {cpu_flags()})", "",
             f"`crick attribute --method ism` on {windows} yeast ATAC windows of 1 kb (3,000 single-base mutants each), chip rc model, "
             f"{args.rounds} rounds alternating the two engines (medians; whole commands, reading and writing included):", "",
             "| ISM engine | seconds | mutants/s | ratio |", "|---|---:|---:|---:|",
             f"| full forward per mutant (`--ism-engine full`) | {full:.1f} | {mutants / full:.0f} | 1.00x |",
             f"| incremental (`--ism-engine incremental`, default) | {inc:.1f} | {mutants / inc:.0f} | {ratio:.1f}x |", "",
             f"Per round: full {', '.join(f'{x:.1f}' for x in times['full'])} s; incremental {', '.join(f'{x:.2f}' for x in times['incremental'])} s. "
             f"Maps compared (every round): max |difference| {worst:.1e}."]
    if torch_rates:
        import torch
        trate = statistics.median(torch_rates)
        irates = [mutants / x for x in times["incremental"]]
        lines += ["", f"PyTorch {torch.__version__} naive ISM (each window's 3,000 mutants in batches of 250 through the same model, "
                  f"{args.threads} threads), on the first {args.torch_windows} windows per round: median {trate:.0f} mutants/s; "
                  f"crick incremental against it: {statistics.median(i / t for i, t in zip(irates, torch_rates)):.1f}x (median of the rounds). "
                  f"Maps against crick's: max |difference| {torch_worst:.1e}."]
    report(lines, args.out, "ism.md")


def torch_naive_ism(model, fasta, threads):
    """A function timing PyTorch's naive ISM on the first n windows of a windows.bed: each
    window's reference and every single-base mutant (3 per base, 4 at N) through the model in
    batches; returns (mutants per second, maps (n, L, 4) of mutant - reference logits)."""
    import numpy as np
    import torch
    sys.path.insert(0, os.path.join(HERE, "..", "nn"))
    from common import base_codes, read_fasta
    from torch_models import from_file, load_safetensors
    torch.set_num_threads(threads)
    net = from_file(*load_safetensors(model)).eval()
    codes = {c: base_codes(s) for c, s in read_fasta(fasta).items()}
    length = 1000

    def run(windows_bed, n):
        windows = []
        for line in open(windows_bed):
            f = line.rstrip("\n").split("\t")
            start = int(f[1]) - int(f[4])
            w = np.full(length, 4, dtype=np.int64)
            seq = codes[f[0]]
            a, z = max(start, 0), min(start + length, len(seq))
            w[a - start:z - start] = seq[a:z]
            windows.append(w)
            if len(windows) == n:
                break
        maps = np.zeros((len(windows), length, 4), dtype=np.float32)
        done = 0
        t = time.perf_counter()
        with torch.no_grad():
            for k, w in enumerate(windows):
                ref = net(torch.nn.functional.one_hot(torch.from_numpy(w[None, :]), 5)[..., :4].float()).numpy()[0, 0]
                muts = [(j, b) for j in range(length) for b in range(4) if b != w[j]]
                for lo in range(0, len(muts), 250):
                    chunk = muts[lo:lo + 250]
                    x = np.repeat(w[None, :], len(chunk), axis=0)
                    for i, (j, b) in enumerate(chunk):
                        x[i, j] = b
                    y = net(torch.nn.functional.one_hot(torch.from_numpy(x), 5)[..., :4].float()).numpy()[:, 0]
                    for i, (j, b) in enumerate(chunk):
                        maps[k, j, b] = y[i] - ref
                done += len(muts)
        return done / (time.perf_counter() - t), maps

    return run


if __name__ == "__main__":
    main()
