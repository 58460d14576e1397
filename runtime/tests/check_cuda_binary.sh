#!/bin/sh
# Runs a CUDA test binary built by nvcc (tests/test_cuda.cu). Where nvidia-smi finds a GPU the
# binary must run its checks and pass; elsewhere it must stop at once with the 'no GPU' message
# and exit status 2. Prints "runtime: N passed, N failed" (the line run-all-tests.sh adds up).
bin=$1
out=$(mktemp)
"$bin" >"$out" 2>&1
status=$?
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  cat "$out"
  rm -f "$out"
  exit "$status"
fi
passed=0
failed=0
if [ "$status" -eq 2 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $bin exited $status without a GPU, expected 2"; fi
if grep -q '^tgc: no GPU: this program was built for CUDA' "$out"; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL: $bin did not report 'no GPU':"; cat "$out"; fi
rm -f "$out"
echo "runtime: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
