"""Benchmarks of interpretation: `crick motifs --compare` of 32 first-layer filters against the
879 motifs of JASPAR 2024 CORE vertebrates, and in-silico mutagenesis (ISM) of 1 kb regions with
the chip rc model, as mutant sequences scored per second, against the same ISM in PyTorch
(mutants batched through the same model with crick's weights) in the same run."""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
JASPAR = os.path.join(HERE, "..", "..", "Pipelines", "data", "motifs", "JASPAR2024_CORE_vertebrates_non-redundant.meme")


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t


def staged(cmd):
    """Runs a `crick motifs ... -v` command: (wall seconds, {stage: seconds}) from its
    `crick: seconds: extract 0.0712, read motifs 0.0250, ...` line."""
    t = time.perf_counter()
    run = subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t
    line = next(l for l in run.stderr.splitlines() if l.startswith("crick: seconds: "))
    stages = {}
    for part in line[len("crick: seconds: "):].split(", "):
        name, value = part.rsplit(" ", 1)
        stages[name] = float(value)
    return wall, stages


# memelite (numba) imports the `coverage` package, which Benchmarks/coverage would shadow once
# main() puts Benchmarks/ on sys.path: imported here, before that.
try:
    from memelite import tomtom as _tomtom
    from memelite.io import read_meme as _read_meme
except ImportError:
    _tomtom = _read_meme = None


def memelite_tomtom(filters, threads):
    """A call of memelite's tomtom on `filters` against JASPAR (motifs read beforehand; after a
    compiling run) returning its seconds, or None without memelite."""
    if _tomtom is None:
        return None
    import numpy as np
    tomtom, read_meme = _tomtom, _read_meme
    queries = [np.asarray(v, dtype=np.float64) for v in read_meme(filters).values()]
    targets = [np.asarray(v, dtype=np.float64) for v in read_meme(JASPAR).values()]
    tomtom(queries, targets, n_target_bins=None, n_jobs=threads)

    def once():
        start = time.perf_counter()
        tomtom(queries, targets, n_target_bins=None, n_jobs=threads)
        return time.perf_counter() - start
    return once


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crick", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--regions", type=int, default=1000, help="1 kb regions for ISM (3,000 mutants each; 0: motifs only)")
    args = ap.parse_args()
    import numpy as np
    import torch
    sys.path.insert(0, os.path.join(HERE, "..", "nn"))
    sys.path.insert(0, os.path.join(HERE, ".."))
    from common import alternate, base_codes, machine, ratio_text, read_fasta, report, yeast_genome
    from torch_models import load_safetensors
    from torch_models import from_file
    torch.set_num_threads(args.threads)
    out = os.path.join(args.out, "interpret")
    os.makedirs(out, exist_ok=True)
    c, t = args.crick, str(args.threads)

    # Motif comparison: 32 filters of a koo-cnn2 model (fresh weights) on 2,000 simulated sequences.
    sim, ds, koo = os.path.join(out, "sim"), os.path.join(out, "ds"), os.path.join(out, "koo.safetensors")
    subprocess.run([c, "simulate", "--force", "--mode", "koo", "--n", "4000", "-o", sim, "--dataset", ds, "-q"], check=True)
    # A few epochs with an exponential first layer give motif-like filters of realistic widths.
    subprocess.run([c, "train", "--force", ds, "--preset", "koo-cnn2", "--strand", "rc", "--first-activation", "exponential",
                    "--epochs", "4", "-o", os.path.join(out, "koo-run"), "-q", "-@", t], check=True)
    os.replace(os.path.join(out, "koo-run", "model.safetensors"), koo)
    # The whole command as users run it (Pearson, untrained baseline included), best of 5, with
    # its stages as crick reports them (-v).
    whole = min((staged([c, "motifs", "--force", "--model", koo, ds, "--split", "test", "--compare", JASPAR, "-o", os.path.join(out, "motifs"),
                         "-v", "-@", t]) for _ in range(5)), key=lambda r: r[0])
    # The peer: memelite's Tomtom (numba; Euclidean column scores only) on the same filters and
    # database, against crick with the same column score and minimum overlap.
    euclid = os.path.join(out, "motifs-euclidean")
    subprocess.run([c, "motifs", "--force", "--model", koo, ds, "--split", "test", "--compare", JASPAR, "--distance", "euclidean",
                    "--min-overlap", "1", "--max-matches", "100000", "-o", euclid, "-q", "-@", t], check=True)
    # The comparison alone: crick's `compare` stage (MotifComparison.compare in the process: every
    # pair's score, offset, strand, p-, E- and q-value) of `motifs --queries filters.meme`, and
    # memelite's call on the same motifs in memory; at 1 thread / 1 job and at the run's threads.
    def compare_only(threads):
        cmd = [c, "motifs", "--force", "--queries", os.path.join(euclid, "filters.meme"), "--compare", JASPAR, "--distance", "euclidean",
               "--min-overlap", "1", "--max-matches", "100000", "-o", euclid + "-queries", "-v", "-@", str(threads)]
        walls = []

        def once():
            wall, stages = staged(cmd)
            walls.append(wall)
            return stages["compare"]
        return once, walls
    pairs = {}
    for threads in sorted({1, args.threads}):
        peer = memelite_tomtom(os.path.join(euclid, "filters.meme"), threads)
        ours, walls = compare_only(threads)
        if peer:
            pairs[threads] = alternate(ours, peer, pairs=7, warmup=2) + (walls,)
    n_db = sum(1 for l in open(JASPAR) if l.startswith("MOTIF"))
    n_test = sum(1 for l in open(os.path.join(ds, "regions.bed")) if l.split("\t")[6] == "test")
    widths = [l.split("\t")[2] for l in open(os.path.join(out, "motifs", "filters.tsv"))][1:]

    motif_lines = [f"### Interpretation: {args.threads} threads, PyTorch {torch.__version__}", f"Machine: {machine()}.", ""] + [
             f"`crick motifs --compare` (Pearson, untrained baseline included): 32 filters x {n_db} JASPAR 2024 vertebrate motifs, "
             f"best of 5: **{whole[0]:.3f} s** wall (target < 0.3 s); filters of a koo-cnn2 rc model trained 4 epochs, widths "
             f"{min(map(int, widths))}-{max(map(int, widths))} after trimming, extracted from {n_test} test sequences. Its stages (crick -v):", "",
             "| stage | seconds |", "|---|---:|"] + [f"| {k} | {v:.4f} |" for k, v in whole[1].items()] + ["",
             "The comparison alone against memelite's Tomtom (Euclidean column scores, its only kind; minimum overlap 1): crick's "
             "`compare` stage of `motifs --queries filters.meme --compare` (every pair's score, offset, strand, p-, E- and q-value, "
             "timed in the process) against memelite's call on the same motifs in memory, alternating, 7 pairs after 2 warm-ups "
             "(medians; ratio = memelite / crick per pair):", "",
             "| threads (crick) / jobs (memelite) | crick compare | memelite tomtom | ratio | crick's whole --queries command |",
             "|---|---:|---:|---|---:|"] + [
             f"| {th} | {statistics.median(p[0]):.4f} | {statistics.median(p[1]):.4f} | {ratio_text(p[2])} | {statistics.median(p[3]):.3f} |"
             for th, p in pairs.items()] + (["", "memelite is not installed: no peer figures."] if not pairs else [])
    if args.regions == 0:
        report(motif_lines, args.out, "interpret.md")
        return

    # ISM: regions of the yeast ATAC peaks, chip rc model.
    plain, _ = yeast_genome(out)
    model = os.path.join(out, "chip-rc.safetensors")
    subprocess.run([c, "model", "init", "--preset", "chip", "--strand", "rc", "--seed", "2", "-o", model], check=True)
    peaks = os.path.join(HERE, "..", "..", "Pipelines", "data", "yeast", "yeast_atac.narrowPeak")
    bed = os.path.join(out, "ism.bed")
    with open(bed, "w") as f:
        rows = [l.split("\t") for l in open(peaks) if l.count("\t") >= 9]
        rows = [r for r in rows if int(r[1]) > 1000][:args.regions]
        for r in rows:
            f.write("\t".join(r))
    crick_wall = timed([c, "attribute", "--model", model, "--fasta", plain, "--regions", bed, "--method", "ism", "-o", os.path.join(out, "ism"), "-q", "-@", t])

    tensors, meta = load_safetensors(model)
    net = from_file(tensors, meta)
    windows = [l.split("\t") for l in open(os.path.join(out, "ism.windows.bed"))]
    seqs = read_fasta(plain)
    torch_maps, scored = [], 0
    with torch.no_grad():
        net(torch.zeros(8, 1000, 4))
        start = time.perf_counter()
        for w in windows:
            # A window clipped at a chromosome end is padded with N (all-zero rows) from matrix
            # column w[4]; crick mutates an N to each of the 4 bases, and so does this.
            codes = base_codes(seqs[w[0]][int(w[1]):int(w[2])])
            x = torch.zeros(1000, 4)
            x[int(w[4]):int(w[4]) + len(codes)] = torch.nn.functional.one_hot(torch.from_numpy(codes).long(), 5)[:, :4].float()
            pos, base = np.nonzero(np.ones((1000, 4)) - x.numpy())   # every other base
            scored += len(pos) + 1
            batch = x.unsqueeze(0).repeat(len(pos) + 1, 1, 1)
            batch[np.arange(1, len(pos) + 1), pos, :] = 0
            batch[np.arange(1, len(pos) + 1), pos, base] = 1
            logits = torch.cat([net(batch[i:i + 128]) for i in range(0, len(batch), 128)])[:, 0].numpy()
            m = np.zeros((1000, 4), dtype=np.float32)
            m[pos, base] = logits[1:] - logits[0]
            torch_maps.append(m)
        torch_wall = time.perf_counter() - start
    # Mutants scored, with each window's reference: 3 per base, 4 per N of padding.
    mutants = scored
    crick_rate = mutants / crick_wall
    torch_rate = mutants / torch_wall
    crick_maps = np.load(os.path.join(out, "ism.npy"))
    worst = float(np.abs(crick_maps - np.stack(torch_maps)).max())

    lines = motif_lines + ["", f"ISM of {len(rows)} yeast ATAC regions of 1 kb (3,000 mutants each, chip rc model):", "",
             "| tool | seconds | mutant sequences/s | ratio |", "|---|---:|---:|---:|",
             f"| crick attribute --method ism | {crick_wall:.1f} | {crick_rate:.0f} | {crick_rate / torch_rate:.2f}x |",
             f"| PyTorch (batches of 128) | {torch_wall:.1f} | {torch_rate:.0f} | 1.00x |", "",
             f"ISM maps, crick against PyTorch: max |difference| {worst:.1e}."]
    report(lines, args.out, "interpret.md")


if __name__ == "__main__":
    main()
