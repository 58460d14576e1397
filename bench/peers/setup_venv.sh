#!/usr/bin/env bash
# Creates bench/.venv (git-ignored) with the peers of `make bench-peers`: numpy, jax[cpu] and
# threadpoolctl (to report which OpenBLAS kernel numpy runs), and torch when the arguments
# name it (torch 2.13 CPU, with safetensors, onnxruntime and onnx for bench/project.py's
# peers). Safe to re-run: pip skips what is installed.
#   bench/peers/setup_venv.sh numpy jax torch
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv" >&2
    "$python" -m venv "$venv"
fi
want=(numpy 'jax[cpu]' threadpoolctl)
for peer in "$@"; do
    case "$peer" in
        torch|all) want+=('torch==2.13.0+cpu' safetensors onnxruntime onnx) ;;
    esac
done
stamp="$venv/.installed-$(printf '%s\n' "${want[@]}" | md5sum | cut -c1-12)"
if [ ! -e "$stamp" ]; then
    "$venv/bin/python" -m pip install --quiet "${want[@]}"
    touch "$stamp"
fi
