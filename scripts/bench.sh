#!/usr/bin/env bash
# What `make bench` and `make bench-quick` run: builds the C comparison program and the bench,
# runs it (kernels, training steps, an epoch, NumPy beside it, peak memory, epochs on 1 and 2 MPI
# processes when Open MPI is installed), then draws the plots.
#   scripts/bench.sh [--quick] [--check-allocations] [--hosts]
# --hosts: only the distributed runs across the two test hosts of scripts/hosts.sh (as root; it
# creates and removes them), over the bare link and rate-limited ones (`make bench-hosts`).
# Tables go to standard output; results/bench.csv, results/bench.json and results/*.png are written.
# Needs: a C compiler and pkg-config's openblas (scripts/setup.sh), Swift. Optional: python3 with
# NumPy for the comparison, and matplotlib for the plots (installed from PyPI when missing; if that
# fails the plots are skipped with a message, never the bench).
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
quick=0
hosts=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1; args+=(--quick) ;;
    --check-allocations) args+=(--check-allocations) ;;
    --hosts) hosts=1 ;;
    *) echo "bench.sh: unknown option $arg (known: --quick, --check-allocations, --hosts)" >&2; exit 2 ;;
  esac
done
results=results
mkdir -p "$results" .build

if [ "$hosts" = 1 ]; then
  swift build -c release --product backprop-bench
  swift build -c release --product backprop --traits MPI --scratch-path .build-mpi
  export BACKPROP_HOSTS=${BACKPROP_HOSTS:-bp$$}
  exec scripts/hosts.sh with .build/release/backprop-bench "${args[@]}" --only hosts --results "$results/hosts" \
    --mpi-backprop "$PWD/.build-mpi/release/backprop" --hosts-script "$PWD/scripts/hosts.sh"
fi

# The same CBLAS calls from C, linked to the same OpenBLAS.
cc_bin=.build/cblas-bench
${CC:-cc} -O2 -Wall -Wextra bench/cblas_bench.c $(pkg-config --cflags --libs openblas) -o "$cc_bin"

swift build -c release --product backprop-bench
swift build -c release --product backprop   # its training run's peak memory is measured

# The distributed figures need a backprop built with the MPI trait (a build folder of its own).
mpi_args=()
if command -v mpirun >/dev/null 2>&1 && pkg-config --exists ompi 2>/dev/null; then
  swift build -c release --product backprop --traits MPI --scratch-path .build-mpi
  mpi_args=(--mpi-backprop .build-mpi/release/backprop)
else
  echo "bench.sh: Open MPI is not installed (scripts/setup.sh --mpi); the distributed figures are skipped"
fi

python=${PYTHON:-python3}
if command -v "$python" >/dev/null 2>&1 && "$python" -c 'import numpy' 2>/dev/null; then
  # threadpoolctl says which BLAS and kernel NumPy runs; optional.
  "$python" -c 'import threadpoolctl' 2>/dev/null || "$python" -m pip install -q threadpoolctl >/dev/null 2>&1 || true
  # PyTorch's CPU build for the peer comparison is optional (pip install torch==2.13.0+cpu); without it
  # the bench prints a line saying so.
  "$python" -c 'import torch' 2>/dev/null || echo "bench.sh: PyTorch is not installed; the comparison runs without it"
fi

.build/release/backprop-bench "${args[@]}" --results "$results" --c-bench "$cc_bin" --python "$python" \
  --numpy-script scripts/numpy_bench.py --peer-script scripts/peer_bench.py --cnn-script scripts/cnn_peer_bench.py ${mpi_args[@]+"${mpi_args[@]}"}

if command -v "$python" >/dev/null 2>&1; then
  if ! "$python" -c 'import matplotlib' 2>/dev/null; then
    echo "bench.sh: installing matplotlib for the plots" >&2
    "$python" -m pip install -q matplotlib >/dev/null 2>&1 || true
  fi
  "$python" scripts/plot_bench.py "$results/bench.json" "$results" \
    || echo "bench.sh: no plots (matplotlib unavailable or the plot failed); the figures are in $results/bench.csv"
else
  echo "bench.sh: no python3; plots skipped, the figures are in $results/bench.csv"
fi
