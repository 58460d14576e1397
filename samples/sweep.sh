#!/usr/bin/env bash
# A learning-rate sweep without recompiling: compiles samples/hyper_regression.swiftdsl once,
# runs the binary with --lr for each rate of a grid and prints a table of the final losses.
# Usage: samples/sweep.sh [LR ...]      (default grid: 0.005 0.01 0.02 0.05 0.08)
# Set TGC to another tgc binary (default: .build/debug/tgc, then tgc on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
tgc=${TGC:-.build/debug/tgc}
[ -x "$tgc" ] || tgc=tgc
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(0.005 0.01 0.02 0.05 0.08)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$tgc" compile samples/hyper_regression.swiftdsl -o "$work/regression"

printf '%-8s  %-10s  %-7s  %s\n' lr loss w b
for lr in "${rates[@]}"; do
  line=$("$work/regression" --lr "$lr")
  # line: lr=0.05 epochs=40 loss=0.024135 w=3.1095 b=1.7622
  loss=$(sed -n 's/.* loss=\([^ ]*\).*/\1/p' <<<"$line")
  w=$(sed -n 's/.* w=\([^ ]*\).*/\1/p' <<<"$line")
  b=$(sed -n 's/.* b=\([^ ]*\)$/\1/p' <<<"$line")
  printf '%-8s  %-10s  %-7s  %s\n' "$lr" "$loss" "$w" "$b"
done
