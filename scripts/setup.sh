#!/usr/bin/env bash
# Installs the Debian packages the build needs when they are missing:
#   OpenBLAS (cblas.h, libopenblas), LAPACKE (lapacke.h), zlib, pkg-config,
#   and with --dataset, Fashion-MNIST (/usr/share/datasets/fashion-mnist).
# As root it calls apt-get directly; otherwise through sudo.
set -euo pipefail

want_dataset=0
for arg in "$@"; do
  case "$arg" in
    --dataset) want_dataset=1 ;;
    *) echo "setup.sh: unknown option $arg (known: --dataset)" >&2; exit 2 ;;
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

[ ${#missing[@]} -eq 0 ] && exit 0

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
