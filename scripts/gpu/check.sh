#!/usr/bin/env bash
# One call on the H200 GPU machine: the webgpu test files on the GPU's adapter, then `bench:gpu`
# (moxing next to PyTorch), with a summary in $OUT. Prepare with scripts/gpu/pack.sh here and carry
# ['.gpu'] (the tree travels anyway; move the shipped models aside if the call runs over 64 MiB).
# Usage: bash scripts/gpu/check.sh [--quick] [--local] [--skip-tests]
#   --local: this machine's node and node_modules instead of the kit and bundles (with --quick and
#            MOXING_WEBGPU=swiftshader it rehearses the whole call on SwiftShader).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/moxing-gpu-check}
mkdir -p "$out"
quick='' local='' skip_tests=''
for a in "$@"; do
  case $a in --quick) quick=--quick ;; --local) local=1 ;; --skip-tests) skip_tests=1 ;; *) echo "check.sh: unknown option $a" >&2; exit 2 ;; esac
done
summary=$out/summary.md
t0=$(date +%s)

if [ -z "$local" ]; then
  [ -f .gpu/kit/on-gpu.sh ] || { echo "check.sh: .gpu/kit missing: run scripts/gpu/pack.sh and carry .gpu" | tee "$summary"; exit 1; }
  # shellcheck disable=SC1091
  source .gpu/kit/on-gpu.sh >/dev/null
  dawn=.gpu/node_modules/webgpu/$(cat .gpu/kit/dawn.path)
  [ -f "$dawn" ] || { mkdir -p "$(dirname "$dawn")" && xz -dc .gpu/kit/dawn.node.xz > "$dawn"; }
  run=(node)
  tests=(.gpu/dist/src/backends/webgpu/*.test.mjs)
  bench=.gpu/dist/bench/gpu.mjs
else
  run=(node --import tsx)
  tests=(src/backends/webgpu/*.test.ts)
  bench=bench/gpu.ts
fi
export MOXING_WEBGPU=${MOXING_WEBGPU:-gpu}

# PyTorch: the first python that imports torch (the GPU machine keeps it in a virtual environment).
if [ -z "${MOXING_TORCH_PYTHON:-}" ]; then
  for p in python3 python /opt/venv/bin/python /venv/bin/python $(ls -d /opt/*/bin/python3 /root/*/bin/python3 /workspace/*/bin/python3 2>/dev/null); do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch' >/dev/null 2>&1; then export MOXING_TORCH_PYTHON=$(command -v "$p"); break; fi
  done
fi

{
  echo "# moxing GPU check ($(date -u +%FT%TZ))"
  echo
  echo "- machine: $(nvidia-smi -L 2>/dev/null | head -1 || echo 'no nvidia-smi')"
  echo "- node $(node --version); MOXING_WEBGPU=$MOXING_WEBGPU; torch python: ${MOXING_TORCH_PYTHON:-none}"
} > "$summary"

status=0
if [ -z "$skip_tests" ]; then
  timeout 300 "${run[@]}" --test --test-concurrency=1 "${tests[@]}" > "$out/tests.txt" 2>&1
  rc=$?
  [ $rc -eq 0 ] || status=1
  {
    echo "- webgpu tests: exit $rc; $(grep -E '^# (pass|fail|skipped) ' "$out/tests.txt" | tr '\n' ' ')"
    grep -E '^not ok' "$out/tests.txt" | sed 's/^/  - /'
  } >> "$summary"
fi

timeout 480 "${run[@]}" "$bench" $quick --json "$out/bench-gpu.json" > "$out/bench-gpu.txt" 2>&1
rc=$?
[ $rc -eq 0 ] || status=1
{
  echo "- bench:gpu: exit $rc (command: ${run[*]} $bench $quick)"
  echo
  echo '```'
  grep -v '^{' "$out/bench-gpu.txt"
  echo '```'
  echo
  echo "$(( $(date +%s) - t0 )) s in all"
} >> "$summary"
cat "$summary"
exit $status
