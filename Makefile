# Build, run, test and benchmark the package. Every target installs what it needs first
# (Debian packages through scripts/setup.sh, as root or with sudo).

SWIFT   ?= swift
RELEASE := $(SWIFT) build -c release
BIN     := .build/release

.PHONY: all setup setup-data build run quiz test unit-test verify example bench clean

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

## Unit tests, the shared vectors on both backends, and the example program.
test: unit-test verify example

unit-test: setup-data
	$(SWIFT) test

verify: build
	$(BIN)/backprop verify ../shared/vectors --backend both

example: setup
	cd Examples/XORTraining && $(SWIFT) run -c release xor-training

## BLAS against the pure-Swift reference.
bench: setup
	$(SWIFT) run -c release backprop-bench

clean:
	rm -rf .build Examples/*/.build
