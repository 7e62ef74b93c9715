# Build, run, test and benchmark the package. Every target installs what it needs first
# (Debian packages through scripts/setup.sh, as root or with sudo).

SWIFT   ?= swift
RELEASE := $(SWIFT) build -c release
BIN     := .build/release

.PHONY: all setup setup-data setup-test setup-mpi setup-hosts build build-mpi run run-cnn quiz test unit-test test-mpi test-hosts test-memory verify \
        oracle example example-fashion bench bench-hosts bench-quick docs doc-coverage fuzz fuzz-quick test-sanitize test-asan \
        test-tsan clean

all: build

setup:
	@scripts/setup.sh

setup-data:
	@scripts/setup.sh --dataset

setup-test:
	@scripts/setup.sh --dataset --python

setup-mpi:
	@scripts/setup.sh --dataset --python --mpi

setup-hosts:
	@scripts/setup.sh --dataset --python --mpi --hosts

build: setup
	$(RELEASE)

## The main job: the lesson's quiz as NumPy prints it, then the default network trained on
## all 60,000 Fashion-MNIST images, evaluated on the 10,000 test images, and saved; its TensorBoard
## logs go to runs/ (`tensorboard --logdir runs`).
run: setup-data build
	@$(BIN)/backprop quiz
	@echo
	@mkdir -p models
	$(BIN)/backprop train --save models/fashion-mnist.json --log-dir runs

## A convolutional network on Fashion-MNIST (two conv + max-pool blocks, dense 128; Adam η = 0.001, batch 128,
## dropout 0.2, the learning rate falling as half a cosine over 12 epochs), evaluated on the 10,000 test images
## and saved (the goal: ≥ 92.5%).
CNN_LAYERS := conv 32 3x3 same, relu, maxpool 2, conv 64 3x3 same, relu, maxpool 2, dropout 0.25, flatten, dense 256, relu, dropout 0.5, dense 10, softmax
run-cnn: setup-data build
	@mkdir -p models
	$(BIN)/backprop train --layers "$(CNN_LAYERS)" --scaling unit-range --learning-rate 0.001 --batch-size 128 --epochs 12 --save models/fashion-mnist-cnn.json

## `backprop` able to train across processes (`mpirun -np N .build-mpi/release/backprop train --distributed`):
## the package trait MPI, in a build folder of its own so the default build stays MPI-free.
build-mpi: setup-mpi
	$(RELEASE) --traits MPI --scratch-path .build-mpi

quiz: build
	@$(BIN)/backprop quiz

## Unit tests, the test vectors (Tests/Vectors) checked by the independent oracle and on both backends, the example programs, the quick bench
## (so the benchmark never rots; it fails when a steady-state training step allocates), and the
## documentation (it fails on any DocC warning), and the distributed tests under mpirun, on one
## machine and across two test hosts.
test: oracle unit-test verify example bench-quick docs test-mpi test-hosts

unit-test: setup-test
	@python3 -c 'import torch' 2>/dev/null || echo "make test: the PyTorch checks are skipped: torch is not importable (install it with: pip install torch==2.13.0+cpu --index-url https://download.pytorch.org/whl/cpu)"
	$(SWIFT) test

## Training on a float32 .npy twice the memory a cgroup allows (as root; skipped, saying why, without a
## memory cgroup), and the memory-mapped readers' own tests. Also part of `make test` (unit-test).
test-memory: setup-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter 'MemoryLimitTests|MappedDataTests|NumPyLoadingTests'

## Training under `mpirun --oversubscribe -np 1, 2, 3` (installs Open MPI when missing): 2 and 3 processes
## match 1 within 1e-12, a process that dies ends the job with an error within 60 s, and the run resumes.
test-mpi: setup-mpi
	$(SWIFT) build --build-tests --traits MPI --scratch-path .build-mpi
	$(SWIFT) test --skip-build --traits MPI --scratch-path .build-mpi --filter DistributedTests

## Training across two test hosts (as root): network namespaces joined by a veth link, one process
## on each, Open MPI over TCP (scripts/hosts.sh; removed afterwards, however the tests end). 2 hosts
## match 1 process within 1e-12 and the gradients cross the link; a lost link ends every process on
## both hosts within the exchange timeout and the run resumes bit for bit; a killed process ends the
## job; a rate-limited link does not trip the timeout.
test-hosts: setup-hosts
	$(SWIFT) build --build-tests --traits MPI --scratch-path .build-mpi
	BACKPROP_HOSTS=bp$$$$ scripts/hosts.sh with \
		$(SWIFT) test --skip-build --traits MPI --scratch-path .build-mpi --filter HostsTests

verify: build
	$(BIN)/backprop verify Tests/Vectors --backend both
	$(BIN)/backprop verify Tests/Vectors --backend both --precision float32

## The test vectors recomputed by an oracle of their own (scripts/oracle.py: NumPy, the formulas of
## Tests/Vectors/FORMAT.md and central finite differences), then proof that it refuses nudged copies.
oracle: setup-test
	python3 scripts/oracle.py Tests/Vectors
	python3 scripts/oracle.py --self-check Tests/Vectors

example: setup
	cd Examples/XORTraining && $(SWIFT) run -c release xor-training
	cd Examples/FashionMNIST && $(SWIFT) build -c release

## The Fashion-MNIST example program, run (it trains for about a minute).
example-fashion: setup-data
	cd Examples/FashionMNIST && $(SWIFT) run -c release fashion-mnist-training

## The benchmark (about 12 minutes on two cores): kernels (BLAS, C, reference), training steps
## against their gemm floor, allocations, an epoch beside NumPy, peak memory, and epochs on 1 and 2
## MPI processes with their all-reduce time; tables on stdout, results/bench.csv, results/bench.json
## and results/*.png.
bench: setup-mpi
	scripts/bench.sh

## Epochs of the default network across two test hosts (network namespaces, as root: scripts/hosts.sh),
## one process each, over the bare link and rate-limited to 1 Gbit/s and 100 Mbit/s: samples/s and
## the all-reduce's share of the training time; results/hosts/bench.{csv,json}. BENCH_HOSTS=--quick: 10,000 samples, 1 epoch.
bench-hosts: setup-hosts
	scripts/bench.sh --hosts $(BENCH_HOSTS)

## A small subset of the same (under a minute), as CI runs it.
bench-quick: setup-test
	scripts/bench.sh --quick --check-allocations

## The DocC reference and articles of the four library modules, as one static site in docs-site/
## (serve it, e.g. `python3 -m http.server -d docs-site`, and open /documentation/backprop).
## Fails on any DocC warning (an unresolved link, say). DOCS_BASE=repo sets a hosting base path.
DOCS_DIR     := docs-site
DOCS_BASE    ?=
DOCS_TARGETS := Linalg NumPyFormat Datasets Backprop ModelFiles

docs: setup
	@rm -rf $(DOCS_DIR) && mkdir -p $(DOCS_DIR)
	$(SWIFT) package --allow-writing-to-directory $(DOCS_DIR) generate-documentation \
		$(foreach t,$(DOCS_TARGETS),--target $(t)) --enable-experimental-combined-documentation \
		--output-path $(DOCS_DIR) --transform-for-static-hosting \
		$(if $(DOCS_BASE),--hosting-base-path $(DOCS_BASE)) --warnings-as-errors

## Public symbols without a doc comment (from the symbol graphs `make docs` extracts).
doc-coverage: docs
	@python3 scripts/doc-coverage.py

## libFuzzer with AddressSanitizer on every reader of outside input (Fuzz/), FUZZ_SECONDS each;
## prints the executions per target and fails on any crash, hang or oversized allocation.
FUZZ_SECONDS ?= 60
fuzz: setup
	Fuzz/run.sh $(FUZZ_SECONDS)

## The same, 20 s per target: the short run for CI.
fuzz-quick: setup
	Fuzz/run.sh 20

## The unit tests under AddressSanitizer, then under ThreadSanitizer (each in its own build
## directory, so neither disturbs .build).
test-sanitize: test-asan test-tsan

test-asan: setup-test
	LSAN_OPTIONS="suppressions=$(CURDIR)/scripts/lsan.supp $$LSAN_OPTIONS" $(SWIFT) test --sanitize=address --scratch-path .build-asan

test-tsan: setup-test
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan

clean:
	rm -rf .build .build-mpi .build-asan .build-tsan Fuzz/.build Examples/*/.build models results $(DOCS_DIR)
