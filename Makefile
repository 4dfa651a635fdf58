SHELL := /bin/bash
# crick: build, test, demo and benchmark. `make test` and `make demo` install missing
# Debian packages first (`make deps`, which uses sudo when not root).

SWIFT      ?= swift
CONFIG     ?= release
BUILD_DIR  := .build/$(CONFIG)
CRICK      := $(BUILD_DIR)/crick
DEMO_DIR   ?= demo-out
THREADS    ?= 2

# Libraries crick links (-dev) and the tools its tests and benchmarks compare against.
DEB_PACKAGES := libhts-dev zlib1g-dev libopenblas-dev libbigwig-dev libhdf5-dev \
                samtools bcftools tabix bedtools python3-numpy python3-pysam python3-pyfaidx python3-biopython python3-venv \
                python3-h5py

# Tools for the workflow tests (Snakemake); installed when apt can, the tests that need them
# are skipped otherwise.
DEB_OPTIONAL := snakemake chromium

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The Python oracles' venv (tangermeme, modisco-lite), built by `make deps`.
ORACLE_VENV := .build/oracle-venv

.PHONY: all deps build test demo bench clean fuzz test-asan test-tsan

all: build

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	else echo "make deps: all Debian packages present"; fi
	@missing=""; for p in $(DEB_OPTIONAL); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing (optional)$$missing"; \
	  ( $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null ) \
	    || echo "make deps: could not install$$missing; the tests that need them are skipped"; \
	fi
	@# PyTorch (CPU) for the logits cross-check against the twin in Benchmarks/nn, from the
	@# CPU wheel where pip's find-links holds one (/opt/wheels; PyPI's Linux wheel is the
	@# multi-GB CUDA build); the test is skipped where torch cannot be imported.
	@/usr/bin/python3 -c "import torch" 2>/dev/null || { \
	  wheel=$$(ls /opt/wheels/torch-*+cpu-*.whl 2>/dev/null | head -1); \
	  if [ -n "$$wheel" ]; then echo "make deps: installing $$wheel"; \
	    /usr/bin/python3 -m pip install --break-system-packages -q "$$wheel" >/dev/null 2>&1 \
	      || echo "make deps: could not install torch; the PyTorch cross-check test is skipped"; \
	  else echo "make deps: no CPU torch wheel; the PyTorch cross-check test is skipped"; fi; }

	@# tangermeme (the DeepLIFT/SHAP oracle of the contribution-score tests) and modisco-lite (which
	@# reads crick's PREFIX.ohe.npy / PREFIX.hyp.npy) in a venv of their own on top of the system's
	@# torch, where torch is importable.
	@if /usr/bin/python3 -c "import torch" 2>/dev/null && \
	  ! $(ORACLE_VENV)/bin/python -c "import tangermeme.deep_lift_shap, modiscolite" 2>/dev/null; then \
	  echo "make deps: tangermeme and modisco-lite into $(ORACLE_VENV)"; \
	  ( /usr/bin/python3 -m venv --system-site-packages $(ORACLE_VENV) && \
	    $(ORACLE_VENV)/bin/pip install -q tangermeme modisco-lite >/dev/null 2>&1 ) \
	    || echo "make deps: could not install tangermeme/modisco-lite; the contribution oracle test fails under CI"; fi

build:
	$(SWIFT) build -c $(CONFIG)

# crick's C kernels are optimised in debug builds too (the tests run them): -O2 for every C
# compilation, given here rather than as unsafe flags in Package.swift.
DEBUG_CFLAGS := -Xcc -O2

# Unit tests, oracle tests (samtools, bedtools, numpy) and CLI golden tests against the built binary.
test: deps
	$(SWIFT) build -c debug $(DEBUG_CFLAGS)
	CRICK_BIN=$(CURDIR)/.build/debug/crick $(SWIFT) test $(DEBUG_CFLAGS)

# The main job on the embedded default: the yeast genome and its ATAC-seq peaks. Sequences
# around the summits, a labelled dataset, an RC parameter-sharing model trained on it, its
# test metrics with the forward-vs-reverse-complement discrepancy, and its score tracks: one
# score per peak (bedGraph) and the whole genome at 20 bp (bigWig).
YEAST := Pipelines/data/yeast
demo: deps build
	@mkdir -p $(DEMO_DIR)
	$(CRICK) fetch -@ $(THREADS) --fasta $(YEAST)/sacCer3.fa.gz \
	  --regions $(YEAST)/yeast_atac.narrowPeak --length 1000 --center summit \
	  -o $(DEMO_DIR)/yeast_atac_1kb.fa
	$(CRICK) dataset --force -@ $(THREADS) --fasta $(YEAST)/sacCer3.fa.gz --peaks atac=$(YEAST)/yeast_atac.narrowPeak \
	  --length 1000 --negatives background,shuffle --neg-ratio 2 --seed 1 -o $(DEMO_DIR)/dataset
	$(CRICK) train --force -@ $(THREADS) $(DEMO_DIR)/dataset --preset chip --strand rc --epochs 4 --seed 1 \
	  -o $(DEMO_DIR)/model-rc
	$(CRICK) evaluate -@ $(THREADS) --model $(DEMO_DIR)/model-rc/model.safetensors $(DEMO_DIR)/dataset --split test \
	  | tee $(DEMO_DIR)/evaluation-rc.txt
	$(CRICK) predict -@ $(THREADS) --model $(DEMO_DIR)/model-rc/model.safetensors --fasta $(YEAST)/sacCer3.fa.gz \
	  --regions $(YEAST)/yeast_atac.narrowPeak -o $(DEMO_DIR)/peaks-rc.bedGraph
	$(CRICK) scan -@ $(THREADS) --model $(DEMO_DIR)/model-rc/model.safetensors --fasta $(YEAST)/sacCer3.fa.gz \
	  --stride 20 -o $(DEMO_DIR)/scan-rc.bw
	$(CRICK) motifs --force -@ $(THREADS) --model $(DEMO_DIR)/model-rc/model.safetensors $(DEMO_DIR)/dataset --split test \
	  --compare Pipelines/data/motifs/JASPAR2024_CORE_fungi_non-redundant.meme -o $(DEMO_DIR)/motifs-rc
	head -5 $(YEAST)/yeast_atac.narrowPeak | tail -4 > $(DEMO_DIR)/peaks4.narrowPeak
	$(CRICK) attribute -@ $(THREADS) --model $(DEMO_DIR)/model-rc/model.safetensors --fasta $(YEAST)/sacCer3.fa.gz \
	  --regions $(DEMO_DIR)/peaks4.narrowPeak --method saliency -o $(DEMO_DIR)/saliency-rc
	$(CRICK) report -@ $(THREADS) --title "crick demo: yeast ATAC-seq, chip preset, rc" --dataset $(DEMO_DIR)/dataset \
	  --run rc=$(DEMO_DIR)/model-rc --motifs $(DEMO_DIR)/motifs-rc \
	  --motif-db Pipelines/data/motifs/JASPAR2024_CORE_fungi_non-redundant.meme \
	  --attribution $(DEMO_DIR)/saliency-rc --track $(DEMO_DIR)/scan-rc.bw -o $(DEMO_DIR)/report.html
	@echo "demo outputs:"
	@echo "  sequences (1 kb around $$(grep -c '>' $(DEMO_DIR)/yeast_atac_1kb.fa) summits): $(DEMO_DIR)/yeast_atac_1kb.fa"
	@echo "  dataset:    $(DEMO_DIR)/dataset (crick inspect $(DEMO_DIR)/dataset)"
	@echo "  model:      $(DEMO_DIR)/model-rc/model.safetensors, learning curve $(DEMO_DIR)/model-rc/metrics.tsv"
	@echo "  evaluation: $(DEMO_DIR)/evaluation-rc.txt"
	@echo "  tracks:     $(DEMO_DIR)/peaks-rc.bedGraph (a score per peak), $(DEMO_DIR)/scan-rc.bw (the whole genome, 20 bp bins)"
	@echo "  motifs:     $(DEMO_DIR)/motifs-rc (filters.meme, filters.tsv, matches.tsv against JASPAR 2024 fungi)"
	@echo "  saliency:   $(DEMO_DIR)/saliency-rc.bedGraph, .npy (4 peaks)"
	@echo "  report:     $(DEMO_DIR)/report.html"

bench: deps build
	Benchmarks/run.sh $(CRICK)

# libFuzzer with address sanitizer on every parser of outside input (Sources/crick-fuzz),
# FUZZ_RUNS executions each (or FUZZ_SECONDS, whichever ends first), from the seeds in
# Tests/Fuzz/seeds and the corpus kept in .build-fuzz/corpus, with the dictionary
# Tests/Fuzz/dicts/TARGET.dict and a per-target -max_len; crashes are saved to
# Tests/Fuzz/regressions/TARGET/ (commit them: the tests replay that directory).
# `make fuzz FUZZ_TARGETS="npy bigwig" FUZZ_RUNS=1000000` runs a subset; the last line of
# each run (executions, coverage, corpus) is appended to .build-fuzz/fuzz-log.txt.
FUZZ_RUNS    ?= 10000000
FUZZ_SECONDS ?= 36000
FUZZ_TARGETS ?= intervals npy safetensors motifs bigwig chromsizes arch datasetjson region bedgraph fasta vcf fragments sam
FUZZ_FLAGS := -Xswiftc -O -Xcc -O2 -Xswiftc -sanitize=fuzzer,address -Xswiftc -DCRICK_FUZZ -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
fuzz: deps
	$(SWIFT) build --product crick-fuzz --build-path .build-fuzz $(FUZZ_FLAGS)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p .build-fuzz/corpus/$$t Tests/Fuzz/regressions/$$t; \
	  case $$t in bigwig|safetensors) len=16384;; arch|datasetjson) len=8192;; *) len=4096;; esac; \
	  echo "fuzz $$t: $(FUZZ_RUNS) runs, max_len $$len"; \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt CRICK_FUZZ_TARGET=$$t .build-fuzz/debug/crick-fuzz -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=$$len -dict=Tests/Fuzz/dicts/$$t.dict -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
	    -artifact_prefix=Tests/Fuzz/regressions/$$t/ .build-fuzz/corpus/$$t Tests/Fuzz/seeds/$$t > .build-fuzz/$$t.log 2>&1; \
	  status=$$?; \
	  grep -E "^#[0-9]+.*(DONE|pulse|NEW|REDUCE)" .build-fuzz/$$t.log | tail -1 | sed "s/^/$$t $$(date -u +%FT%TZ) /" >> .build-fuzz/fuzz-log.txt; \
	  grep -E "DONE|ERROR|SUMMARY|Test unit written|stat::number_of_executed_units|stat::peak_rss" .build-fuzz/$$t.log; \
	  [ $$status -eq 0 ] || exit 1; \
	done

# The test suite under address sanitizer, and the Pipeline tests under thread sanitizer.
test-asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt CRICK_BIN=$(CURDIR)/.build-asan/debug/crick \
	  $(SWIFT) test --build-path .build-asan --sanitize address $(DEBUG_CFLAGS)

test-tsan: deps
	$(SWIFT) test --build-path .build-tsan --sanitize thread --filter PipelineTests $(DEBUG_CFLAGS)

clean:
	rm -rf .build .build-fuzz .build-asan .build-tsan $(DEMO_DIR) bench-out
