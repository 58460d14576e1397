# tgc: `make run` compiles and runs the default sample; `make test` runs every test.
SWIFT ?= swift
SAMPLE ?= samples/hello.swiftdsl
TGC := .build/debug/tgc

.PHONY: all build run test test-swift test-runtime clean data zlib mpi cuda

all: build

build: zlib
	$(SWIFT) build --product tgc

## The C runtime inflates gzip'd IDX files through zlib (Debian's zlib1g-dev), installed when missing.
zlib:
	@if [ ! -f /usr/include/zlib.h ]; then \
	  as_root=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$as_root apt-get update -qq && $$as_root apt-get install -y -qq zlib1g-dev; fi

## Data-parallel training (`tgc compile --distributed mpi`, docs/DISTRIBUTED.md) builds with
## Open MPI: Debian's openmpi-bin and libopenmpi-dev, installed when mpicc is missing.
mpi:
	@if ! command -v mpicc >/dev/null 2>&1 || ! command -v mpirun >/dev/null 2>&1; then \
	  as_root=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$as_root apt-get update -qq && $$as_root apt-get install -y -qq --no-install-recommends openmpi-bin libopenmpi-dev; fi

## nvcc 13.0 (the CUDA compiler; no GPU needed to compile) from PyPI into the git-ignored .cuda/,
## when no nvcc is on the PATH and none is there yet (about 250 MB). 13.0, not newer: a GPU
## with driver 580 cannot load what a newer nvcc writes.
CUDA_DIR := .cuda
NVCC_LOCAL := $(CUDA_DIR)/nvidia/cu13/bin/nvcc
cuda:
	@if command -v nvcc >/dev/null 2>&1; then echo "nvcc: $$(command -v nvcc)"; \
	elif [ ! -x $(NVCC_LOCAL) ]; then \
	  echo "installing nvcc 13.0 into $(CUDA_DIR)/"; \
	  python3 -m pip install --quiet --disable-pip-version-check --target $(CUDA_DIR) nvidia-cuda-nvcc==13.0.88 \
	    nvidia-cuda-runtime==13.0.96 nvidia-cuda-crt==13.0.88 nvidia-nvvm==13.0.88; fi

## On a machine with an NVIDIA GPU (docs/CUDA.md): the CUDA runtime tests run on the device,
## and every sample built by nvcc runs on the GPU and must print its expected output
## (CUDASampleTests; without a GPU these only compile and expect the 'no GPU' message).
.PHONY: test-gpu bench-gpu
test-gpu: build cuda
	$(MAKE) -C runtime test-nvcc
	$(SWIFT) test --filter CUDASampleTests

## On a GPU (docs/CUDA.md), bench/gpu_peers.py: runtime/tests/bench_cuda.cu (copy bandwidth,
## tgc_cuda_reduce_sum, tgc_cuda_sgemm at 1024-4096), B2 built by `--target cuda` against the
## copy bandwidth, tgc_cuda_sgemm against torch.matmul 4096² with TF32 off, and the B4/B6
## steps built by `--target cuda` against PyTorch eager and torch.compile on the same GPU;
## writes bench/results-gpu.md. GPU_PYTHON: a Python with PyTorch built for CUDA. Without a
## GPU it stops with "no GPU" (status 2).
GPU_PYTHON ?= python3
bench-gpu: cuda
	$(SWIFT) build -c release --product tgc --scratch-path .build-bench
	$(MAKE) -C runtime $(CURDIR)/runtime/build/bench_cuda
	python3 bench/gpu_peers.py --tgc $(BENCH_TGC) --python $(GPU_PYTHON) $(BENCH_ARGS)

## Compile the default sample to a native binary through the C backend and run it.
run: build
	$(TGC) run $(SAMPLE)

## Every test: the C runtime's tests (plain and sanitized) and the Swift suites (unit,
## golden samples in both modes, cross-backend, gradient checks, diagnostics).
## Ends with one line "N passed, N failed".
test:
	@bash Tests/scripts/run-all-tests.sh

## Real data: Fashion-MNIST from Debian's dataset-fashion-mnist (gzip'd IDX files under
## /usr/share/datasets/fashion-mnist), installed when missing; FashionMNIST(...) reads it.
FASHION_MNIST := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
data:
	@if [ -f $(FASHION_MNIST) ]; then echo "Fashion-MNIST is installed"; else \
	  as_root=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$as_root apt-get update -qq && $$as_root apt-get install -y --no-install-recommends dataset-fashion-mnist; fi

test-runtime:
	$(MAKE) -C runtime test

test-swift:
	$(SWIFT) test

clean:
	rm -rf .build runtime/build

## The deployment sample (samples/deploy): builds the C library of classifier.swiftdsl, links
## classify.c with it and classifies images.npy (`make test` runs it too, in LibraryTests).
DEPLOY := samples/deploy/build
.PHONY: deploy-sample
deploy-sample: build
	mkdir -p $(DEPLOY)
	$(TGC) compile samples/deploy/classifier.swiftdsl --emit lib -o $(DEPLOY)/classifier
	gcc -O2 -I$(DEPLOY) samples/deploy/classify.c $(DEPLOY)/libclassifier.a -fopenmp -lz -lm -o $(DEPLOY)/classify
	$(DEPLOY)/classify samples/deploy/images.npy

## Chapter 5's project on its subset (CNNFashionProjectTests checks the same): cnn_fashion trains
## and saves samples/cnn_fashion.safetensors, cnn_fashion_eval evaluates it and saves the test
## images and its predictions, the C library of its `classify` is built, and classify.c
## classifies the saved images with it.
.PHONY: deploy-cnn
deploy-cnn: build data
	cd samples && ../$(TGC) run cnn_fashion.swiftdsl && ../$(TGC) run cnn_fashion_eval.swiftdsl
	mkdir -p $(DEPLOY)/cnn
	$(TGC) compile samples/cnn_fashion_eval.swiftdsl --emit lib --out $(DEPLOY)/cnn -o $(DEPLOY)/cnn/classifier
	gcc -O2 -I$(DEPLOY)/cnn samples/deploy/classify.c $(DEPLOY)/cnn/libclassifier.a -fopenmp -lz -lm -o $(DEPLOY)/cnn/classify
	$(DEPLOY)/cnn/classify samples/fashion_test_images.npy

## Reliability: fuzz the front end for SECONDS (default 60); run N random programs on the
## interpreter and on generated C and compare (default 10000).
SECONDS_ ?= 60
N ?= 10000
.PHONY: fuzz difftest
fuzz:
	$(SWIFT) build --product tgc-stress
	.build/debug/tgc-stress fuzz --seconds $(or $(SECONDS),$(SECONDS_))

difftest:
	$(SWIFT) build --product tgc-stress
	.build/debug/tgc-stress difftest --count $(N)

## Benchmarks (docs/BENCHMARKS.md). `make bench` builds tgc in release, runs the tgc
## workloads of bench/ and a memory-bandwidth triad, and writes bench/results.md.
## `make bench-peers` does the same and runs NumPy and JAX (and PyTorch with PEERS=torch)
## from bench/.venv in the same run, adding ratios and targets. BENCH_ARGS passes options
## to bench/run.py, e.g. BENCH_ARGS="--threads 1 --only b2,b3_sum --target-s 1".
BENCH_TGC := .build-bench/release/tgc
BENCH_ARGS ?=
PEERS ?=
.PHONY: bench bench-peers
bench:
	$(SWIFT) build -c release --product tgc --scratch-path .build-bench
	python3 bench/run.py --tgc $(BENCH_TGC) $(BENCH_ARGS)

## Data-parallel figures (docs/DISTRIBUTED.md): MPI_Allreduce latency and bandwidth on this
## machine (bench/mpi/allreduce.c), the Fashion-MNIST MLP and CNN on 1 and 2 processes, and
## the alpha-beta estimate at 8, 64 and 512 processes, as Markdown on stdout.
.PHONY: bench-mpi
bench-mpi: build mpi data
	python3 bench/mpi/figures.py

bench-peers:
	$(SWIFT) build -c release --product tgc --scratch-path .build-bench
	bash bench/peers/setup_venv.sh numpy jax $(PEERS)
	python3 bench/run.py --tgc $(BENCH_TGC) --peers "numpy jax $(if $(filter torch all,$(PEERS)),torch)" $(BENCH_ARGS)
