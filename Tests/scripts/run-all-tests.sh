#!/usr/bin/env bash
# Runs every test suite of tgc and prints one closing line "N passed, N failed".
# Needs swift, gcc, g++, make and python3, which CI machines have; installs zlib1g-dev, dataset-fashion-mnist
# and Open MPI when missing, and nvcc into the git-ignored .cuda/ (make cuda); creates the git-ignored
# .venv-test with the test-only Python packages (numpy, safetensors, tensorboard) from PyPI on first use.
set -uo pipefail
cd "$(dirname "$0")/../.."

# The runtime inflates gzip'd IDX files through zlib: Debian's zlib1g-dev, installed when missing.
make -s zlib || { echo "cannot install zlib1g-dev"; echo "0 passed, 1 failed"; exit 1; }
# The Fashion-MNIST samples read Debian's dataset-fashion-mnist, installed when missing.
make -s data || { echo "cannot install dataset-fashion-mnist"; echo "0 passed, 1 failed"; exit 1; }
# The data-parallel tests run programs under mpirun: Debian's openmpi-bin and libopenmpi-dev, installed when missing.
make -s mpi || { echo "cannot install Open MPI (openmpi-bin, libopenmpi-dev)"; echo "0 passed, 1 failed"; exit 1; }

venv=.venv-test
if ! "$venv/bin/python" -c "import numpy, safetensors, tensorboard" 2>/dev/null; then
  echo "== creating $venv (numpy, safetensors, tensorboard) for the interchange tests"
  python3 -m venv "$venv" && "$venv/bin/pip" install --quiet numpy safetensors tensorboard
fi
# The interchange tests run Python's readers and writers on tgc's files; they fail when this is unusable.
export TGC_TEST_PYTHON="$PWD/$venv/bin/python"

log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
passed=0
failed=0

echo "== C runtime tests (plain and -fsanitize=address,undefined)"
make -s -C runtime test 2>&1 | tee "$log_dir/runtime.log"
runtime_status=${PIPESTATUS[0]}
while read -r p f; do
  passed=$((passed + p)); failed=$((failed + f))
done < <(sed -n 's/^runtime: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log_dir/runtime.log")
if [ "$runtime_status" -ne 0 ] && ! grep -q '^runtime: .* [1-9][0-9]* failed$' "$log_dir/runtime.log"; then
  failed=$((failed + 1))   # the runtime build itself failed
fi

echo "== nvcc: the CUDA runtime tests compiled for sm_80 and sm_90 (make cuda installs nvcc when missing)"
{ make -s cuda && make -s -C runtime test-nvcc; } 2>&1 | tee "$log_dir/nvcc.log"
nvcc_status=${PIPESTATUS[0]}
while read -r p f; do
  passed=$((passed + p)); failed=$((failed + f))
done < <(sed -n 's/^runtime: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log_dir/nvcc.log")
if [ "$nvcc_status" -ne 0 ] && ! grep -q '^runtime: .* [1-9][0-9]* failed$' "$log_dir/nvcc.log"; then
  failed=$((failed + 1))   # installing nvcc or compiling with it failed
fi

echo "== Swift tests (swift test)"
swift test 2>&1 | tee "$log_dir/swift.log"
swift_status=${PIPESTATUS[0]}
# Swift Testing closes with "Test run with N tests in M suites passed|failed ..."; each failing
# test has a line "✘ Test NAME ... failed".
total=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} .*/\1/p' "$log_dir/swift.log" | tail -n 1)
swift_failed=$(grep -E '^✘ Test .* failed after' "$log_dir/swift.log" | grep -vc '^✘ Test run with' || true)
if [ -z "$total" ]; then
  echo "swift test did not report a test run (build failure?)"
  failed=$((failed + 1))
else
  passed=$((passed + total - swift_failed)); failed=$((failed + swift_failed))
  if [ "$swift_status" -ne 0 ] && [ "$swift_failed" -eq 0 ]; then failed=$((failed + 1)); fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
