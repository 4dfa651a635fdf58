"""Helpers shared by the benchmark scripts: the machine's description, alternating crick and a
peer in pairs, a CPU-bound neighbour for the shared-node row, the yeast genome as plain and
bgzip FASTA, and writing a result table."""
import os
import platform
import shutil
import statistics
import subprocess
import sys

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Pipelines", "data", "yeast")


def cpu_model():
    """The CPU model name and core count."""
    name = platform.processor() or "unknown"
    try:
        name = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{name}, {os.cpu_count()} cores"


def cpu_flags():
    """The vector flags of this CPU that matter to the kernels (avx2, fma, the AVX-512 subsets)."""
    wanted = ["avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile"]
    try:
        flags = set(next(l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags")))
    except (OSError, StopIteration):
        return "unknown"
    return " ".join(f for f in wanted if f in flags) or "none of avx2/avx512"


def machine():
    """One line for a table header: CPU model, cores, vector flags and the load when it starts."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cpu_model()}; flags: {cpu_flags()}; load average {load:.2f} at start"


def sgemm_peak(torch):
    """GFLOP/s of torch's single-precision matrix product at its thread count (2048^3, best of
    5 trials of 3: a single trial on a shared VM can land on a slow moment)."""
    import time
    a = torch.randn(2048, 2048)
    torch.mm(a, a)
    peak = 0.0
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(3):
            torch.mm(a, a)
        peak = max(peak, 3 * 2 * 2048 ** 3 / (time.perf_counter() - t) / 1e9)
    return peak


def alternate(ours, theirs, pairs=5, warmup=1):
    """Times crick and a peer alternately: `warmup` unrecorded runs of each, then `pairs` pairs
    (ours, theirs). Each callable does the same work and returns its seconds. Returns
    (our seconds, their seconds, per-pair ratios theirs / ours): a ratio above 1 means crick is
    faster. Alternating keeps a shared machine's slow moments from landing on one tool only."""
    for _ in range(warmup):
        ours()
        theirs()
    a, b = [], []
    for _ in range(pairs):
        a.append(ours())
        b.append(theirs())
    return a, b, [y / x for x, y in zip(a, b)]


def ratio_text(ratios):
    """'1.23x (range 1.10-1.31x, 5 pairs)': the median per-pair ratio and its range."""
    return f"{statistics.median(ratios):.2f}x (range {min(ratios):.2f}-{max(ratios):.2f}x, {len(ratios)} pairs)"


class BusyNeighbour:
    """A CPU-bound process beside the benchmark (the shared cluster node): one busy loop per
    `cores`, started on entry and killed on exit."""

    def __init__(self, cores=1):
        self.cores = cores
        self.procs = []

    def __enter__(self):
        self.procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(self.cores)]
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
            p.wait()


def yeast_genome(out):
    """Copies the bundled bgzip sacCer3 (with .fai, .gzi) into `out` and writes a plain,
    samtools-indexed copy beside it; returns (plain, bgzip) paths."""
    gz = os.path.join(out, "sacCer3.fa.gz")
    plain = os.path.join(out, "sacCer3.fa")
    for ext in ["", ".fai", ".gzi"]:
        shutil.copyfile(os.path.join(DATA, "sacCer3.fa.gz" + ext), gz + ext)
    if not os.path.exists(plain + ".fai"):
        with open(plain, "wb") as f:
            subprocess.run(["bgzip", "-dc", gz], stdout=f, check=True)
        subprocess.run(["samtools", "faidx", plain], check=True)
    return plain, gz


def report(lines, out_dir, name):
    """Prints the table and writes it to out_dir/name."""
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(out_dir, name), "w") as f:
        f.write(text + "\n")


def read_fasta(path):
    """Every record of a plain FASTA file: {name: sequence}."""
    seqs, name = {}, None
    for line in open(path):
        if line.startswith(">"):
            name = line[1:].split()[0]
            seqs[name] = []
        elif name is not None:
            seqs[name].append(line.strip())
    return {k: "".join(v) for k, v in seqs.items()}


def base_codes(sequence):
    """crick's base codes of a sequence as a numpy int64 array: A C G T = 0-3, anything else 4."""
    import numpy as np
    lut = np.full(256, 4, dtype=np.int64)
    for i, b in enumerate(b"ACGT"):
        lut[b] = i
    return lut[np.frombuffer(sequence.upper().encode(), dtype=np.uint8)]


def peak_rss(cmd):
    """Peak RSS (MB) and wall seconds of one command, through GNU time."""
    r = subprocess.run(["/usr/bin/time", "-f", "%M %e"] + cmd, check=True, capture_output=True, text=True)
    kb, wall = r.stderr.strip().split("\n")[-1].split()
    return int(kb) / 1024, float(wall)
