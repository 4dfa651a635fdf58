"""Helpers shared by the benchmark scripts: the machine's description, the yeast genome as
plain and bgzip FASTA, and writing a result table."""
import os
import platform
import shutil
import subprocess

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Pipelines", "data", "yeast")


def cpu_model():
    """The CPU model name and core count."""
    name = platform.processor() or "unknown"
    try:
        name = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{name}, {os.cpu_count()} cores"


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
