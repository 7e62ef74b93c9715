# Build, run, test and benchmark the package. Every target installs what it needs first
# (Debian packages through scripts/setup.sh, as root or with sudo).

SWIFT   ?= swift
RELEASE := $(SWIFT) build -c release
BIN     := .build/release

.PHONY: all setup setup-data setup-test build run quiz test unit-test verify example bench fuzz fuzz-quick \
        test-sanitize test-asan test-tsan clean

all: build

setup:
	@scripts/setup.sh

setup-data:
	@scripts/setup.sh --dataset

setup-test:
	@scripts/setup.sh --dataset --python

build: setup
	$(RELEASE)

## The main job: the lesson's quiz as NumPy prints it, then the default network trained on
## all 60,000 Fashion-MNIST images, evaluated on the 10,000 test images, and saved.
run: setup-data build
	@$(BIN)/backprop quiz
	@echo
	@mkdir -p models
	$(BIN)/backprop train --save models/fashion-mnist.json

quiz: build
	@$(BIN)/backprop quiz

## Unit tests, the shared vectors on both backends, and the example programs.
test: unit-test verify example

unit-test: setup-test
	$(SWIFT) test

verify: build
	$(BIN)/backprop verify ../shared/vectors --backend both

example: setup
	cd Examples/XORTraining && $(SWIFT) run -c release xor-training
	cd Examples/FashionMNIST && $(SWIFT) build -c release

## The Fashion-MNIST example program, run (it trains for about a minute).
example-fashion: setup-data
	cd Examples/FashionMNIST && $(SWIFT) run -c release fashion-mnist-training

## BLAS against the pure-Swift reference.
bench: setup
	$(SWIFT) run -c release backprop-bench

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
	rm -rf .build .build-asan .build-tsan Fuzz/.build Examples/*/.build models
