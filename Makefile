# Build, run, test and benchmark the package. Every target installs what it needs first
# (Debian packages through scripts/setup.sh, as root or with sudo).

SWIFT   ?= swift
RELEASE := $(SWIFT) build -c release
BIN     := .build/release

.PHONY: all setup setup-data build run quiz test unit-test verify example bench bench-quick clean

all: build

setup:
	@scripts/setup.sh

setup-data:
	@scripts/setup.sh --dataset

build: setup
	$(RELEASE)

## The main job: the lesson's quiz, printed as NumPy prints it.
run: build
	@$(BIN)/backprop quiz

quiz: run

## Unit tests, the shared vectors on both backends, the example program, and the quick bench
## (so the benchmark never rots; it fails when a steady-state training step allocates).
test: unit-test verify example bench-quick

unit-test: setup-data
	$(SWIFT) test

verify: build
	$(BIN)/backprop verify ../shared/vectors --backend both

example: setup
	cd Examples/XORTraining && $(SWIFT) run -c release xor-training

## The benchmark (under five minutes on two cores): kernels (BLAS, C, reference), training steps
## against their gemm floor, allocations, an epoch beside NumPy, peak memory; tables on stdout,
## results/bench.csv, results/bench.json and results/*.png.
bench: setup setup-data
	scripts/bench.sh

## A small subset of the same (under a minute), as CI runs it.
bench-quick: setup setup-data
	scripts/bench.sh --quick --check-allocations

clean:
	rm -rf .build Examples/*/.build
