#!/usr/bin/env bash
# Runs every benchmark against its peers in the same run and prints the ratio tables.
# Usage: Benchmarks/run.sh path/to/crick   (make bench builds the release binary first)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
crick="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
out="${BENCH_OUT:-$here/../bench-out}"
mkdir -p "$out"
python=/usr/bin/python3   # Debian's python3 carries python3-pysam, -pyfaidx and -numpy
[ -x "$python" ] || python=python3
what="${BENCH:-fetch dataset coverage nn profile scan interpret ism variants contrib}"
case " $what " in *" fetch "*) "$python" "$here/fetch/bench.py" --crick "$crick" --out "$out";; esac
case " $what " in *" dataset "*) "$python" "$here/dataset/bench.py" --crick "$crick" --out "$out";; esac
case " $what " in *" coverage "*) "$python" "$here/coverage/bench.py" --crick "$crick" --out "$out";; esac
# Opt-in (about 7 GB of synthetic genome): BENCH=human.
case " $what " in *" human "*) "$python" "$here/dataset/human_scale.py" --crick "$crick" --out "$out";; esac
# ISM: the incremental engine against crick's own full-forward ISM (numpy only, no PyTorch).
case " $what " in *" ism "*) "$python" "$here/ism/bench.py" --crick "$crick" --out "$out";; esac
case " $what " in *" nn "*|*" profile "*|*" scan "*|*" interpret "*|*" variants "*)
  # PyTorch (CPU) and memelite (Tomtom) in a venv of the benchmark's own, on top of the
  # system's packages (a torch installed by make deps is used as it is); torch from the CPU
  # wheel in pip's find-links when there is one (PyPI's Linux wheel is the CUDA build).
  venv="$out/venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch, numpy, safetensors, memelite" 2>/dev/null; then
    "$python" -m venv --system-site-packages "$venv"
    wheel=$(ls /opt/wheels/torch-*+cpu-*.whl 2>/dev/null | head -1)
    "$venv/bin/pip" install -q "${wheel:-torch}" numpy safetensors memelite
  fi
  case " $what " in *" nn "*) "$venv/bin/python" "$here/nn/bench.py" --crick "$crick" --out "$out";; esac
  case " $what " in *" profile "*) "$venv/bin/python" "$here/profile/bench.py" --crick "$crick" --out "$out";; esac
  case " $what " in *" scan "*) "$venv/bin/python" "$here/scan/bench.py" --crick "$crick" --out "$out";; esac
  case " $what " in *" interpret "*) "$venv/bin/python" "$here/interpret/bench.py" --crick "$crick" --out "$out";; esac
  case " $what " in *" variants "*) "$venv/bin/python" "$here/variants/bench.py" --crick "$crick" --out "$out";; esac;;
esac
# DeepLIFT/SHAP against tangermeme, in the oracle venv `make deps` builds (tangermeme on the
# system torch).
case " $what " in *" contrib "*)
  oracle="${ORACLE_PYTHON:-$here/../.build/oracle-venv/bin/python}"
  if [ -x "$oracle" ] && "$oracle" -c "import tangermeme.deep_lift_shap" 2>/dev/null; then
    "$oracle" "$here/interpret/contrib_bench.py" --crick "$crick" --out "$out"
  else
    echo "contrib: no tangermeme in $oracle (make deps builds it where torch imports)" >&2; exit 1
  fi;;
esac
