#!/usr/bin/env bash
# Installs the Debian packages the build needs when they are missing:
#   OpenBLAS (cblas.h, libopenblas), LAPACKE (lapacke.h), zlib, pkg-config,
#   with --dataset, Fashion-MNIST (/usr/share/datasets/fashion-mnist);
#   with --python, python3 and then Python's safetensors, numpy, onnx, onnxruntime and tensorboard
#   (from PyPI), the readers the file tests compare against (and the benchmark's NumPy baseline),
#   and, if it can be had, PyTorch's CPU build pinned below (the PyTorch checks are skipped without it);
#   with --jax (opt-in, with or without --python), JAX's CPU build (jax[cpu], from PyPI), a peer of the
#   benchmark's epoch comparison (skipped, saying so, without it);
#   with --mpi, Open MPI (mpi.h and pkg-config's ompi, and mpirun) for distributed training;
#   with --hosts, iproute2 (ip netns, tc) for the test hosts of scripts/hosts.sh.
# As root it calls apt-get directly; otherwise through sudo.
set -euo pipefail

torch_pin="torch==2.13.0+cpu"
want_dataset=0
want_python=0
want_mpi=0
want_hosts=0
want_jax=0
for arg in "$@"; do
  case "$arg" in
    --dataset) want_dataset=1 ;;
    --python) want_python=1 ;;
    --mpi) want_mpi=1 ;;
    --hosts) want_hosts=1 ;;
    --jax) want_jax=1 ;;
    *) echo "setup.sh: unknown option $arg (known: --dataset, --python, --jax, --mpi, --hosts)" >&2; exit 2 ;;
  esac
done

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists openblas; then
  missing+=(libopenblas-dev)
fi
if [ ! -f /usr/include/lapacke.h ] || ! { command -v pkg-config >/dev/null && pkg-config --exists lapacke; }; then
  missing+=(liblapacke-dev)
fi
if [ ! -f /usr/include/zlib.h ]; then
  missing+=(zlib1g-dev)
fi
if [ "$want_dataset" = 1 ] && [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  missing+=(dataset-fashion-mnist)
fi

if [ "$want_mpi" = 1 ]; then
  if ! { command -v pkg-config >/dev/null && pkg-config --exists ompi; }; then missing+=(libopenmpi-dev); fi
  command -v mpirun >/dev/null 2>&1 || missing+=(openmpi-bin)
fi

if [ "$want_hosts" = 1 ] && ! { command -v ip >/dev/null 2>&1 && command -v tc >/dev/null 2>&1; }; then
  missing+=(iproute2)
fi

if { [ "$want_python" = 1 ] || [ "$want_jax" = 1 ]; } && ! command -v python3 >/dev/null 2>&1; then
  missing+=(python3 python3-pip)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "setup.sh: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi

  echo "setup.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

pip=(python3 -m pip install --quiet --disable-pip-version-check)
[ "$(id -u)" = 0 ] || pip+=(--user)
# Debian's own python3 refuses pip installs outside a venv (PEP 668) unless told otherwise.
pip_install() { "${pip[@]}" "$@" 2>/dev/null || "${pip[@]}" --break-system-packages "$@"; }
if [ "$want_python" = 1 ]; then
  if ! python3 -c 'import numpy, safetensors.numpy, onnx, onnxruntime, tensorboard' >/dev/null 2>&1; then
    echo "setup.sh: installing Python's safetensors, numpy, onnx, onnxruntime and tensorboard" >&2
    pip_install safetensors numpy onnx onnxruntime tensorboard
  fi
  # PyTorch (CPU build, pinned) for the state-dict checks; without it those tests are skipped.
  if ! python3 -c 'import torch' >/dev/null 2>&1; then
    echo "setup.sh: trying to install PyTorch ($torch_pin, CPU build)" >&2
    pip_install "$torch_pin" >/dev/null 2>&1 \
      || echo "setup.sh: PyTorch is not available here; the PyTorch checks will be skipped (install it with: pip install $torch_pin --index-url https://download.pytorch.org/whl/cpu)" >&2
  fi
fi

if [ "$want_jax" = 1 ] && ! python3 -c 'import jax' >/dev/null 2>&1; then
  echo "setup.sh: installing JAX's CPU build (jax[cpu])" >&2
  pip_install "jax[cpu]" >/dev/null 2>&1 \
    || echo "setup.sh: JAX is not available here; the benchmark's JAX column will be empty (pip install 'jax[cpu]')" >&2
fi
