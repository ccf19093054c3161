#!/usr/bin/env bash
# One call on the H200 GPU machine: the webgpu test files on the GPU's adapter, then `bench:gpu`
# (moxing next to PyTorch), with a summary in $OUT. Prepare with scripts/gpu/pack.sh here and carry
# ['.gpu'] (the tree travels anyway; move the shipped models aside if the call runs over 64 MiB).
# Usage: bash scripts/gpu/check.sh [--quick] [--local] [--skip-tests] [--skip-bench] [--train SECONDS]
#   --local: this machine's node and node_modules instead of the kit and bundles (with --quick and
#            MOXING_WEBGPU=swiftshader it rehearses the whole call on SwiftShader).
#   --train SECONDS: then pretrain on .gpu/train (pack.sh --train-data) until SECONDS after the call
#            began (scripts/gpu/pretrain.ts sizes the model there), and return the run in BF16 as
#            $OUT/base.tar.part-* (a call brings back 16 MiB a file): `cat base.tar.part-* | tar x`.
#            With .gpu/finetune (pack.sh --finetune), moxing-chat and moxing-sentiment follow
#            (scripts/gpu/finetune.ts, FINETUNE_SECONDS of the call, default 150), as models.tar.part-*.
#            The logs and the bench's JSON then come back as logs.tar (8 files at most come back).
#            TRAIN_ARGS and FINETUNE_ARGS pass more options (e.g. TRAIN_ARGS="--sizes 4x256,6x256 --batch 64").
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/moxing-gpu-check}
mkdir -p "$out"
quick='' local='' skip_tests='' skip_bench='' train=''
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=--quick ;; --local) local=1 ;; --skip-tests) skip_tests=1 ;; --skip-bench) skip_bench=1 ;;
    --train) train=${2:-}; shift ;;
    *) echo "check.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$train" ] && ! [[ $train =~ ^[0-9]+$ ]]; then echo "check.sh: --train takes whole seconds (e.g. 570), got '$train'" >&2; exit 2; fi
if [ -n "$train" ] && [ ! -f .gpu/train/train.bin.xz ]; then echo "check.sh: --train needs .gpu/train (scripts/gpu/pack.sh --train-data DIR)" >&2; exit 2; fi
# With --train, the tests and the bench get at most 2 and 3 minutes, so that the run keeps 4 or more of 9.
tests_limit=300 bench_limit=480
if [ -n "$train" ]; then tests_limit=120 bench_limit=180; fi
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
  pretrain=.gpu/dist/scripts/gpu/pretrain.mjs
  finetune=.gpu/dist/scripts/gpu/finetune.mjs
else
  run=(node --import tsx)
  tests=(src/backends/webgpu/*.test.ts)
  bench=bench/gpu.ts
  pretrain=scripts/gpu/pretrain.ts
  finetune=scripts/gpu/finetune.ts
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
  timeout $tests_limit "${run[@]}" --test --test-concurrency=1 "${tests[@]}" > "$out/tests.txt" 2>&1
  rc=$?
  [ $rc -eq 0 ] || status=1
  {
    echo "- webgpu tests: exit $rc; $(grep -E '^# (pass|fail|skipped) ' "$out/tests.txt" | tr '\n' ' ')"
    grep -E '^not ok' "$out/tests.txt" | sed 's/^/  - /'
  } >> "$summary"
fi

if [ -z "$skip_bench" ]; then
  timeout $bench_limit "${run[@]}" "$bench" $quick --json "$out/bench-gpu.json" > "$out/bench-gpu.txt" 2>&1
  rc=$?
  [ $rc -eq 0 ] || status=1
  {
    echo "- bench:gpu: exit $rc (command: ${run[*]} $bench $quick)"
    echo
    echo '```'
    grep -v '^{' "$out/bench-gpu.txt"
    echo '```'
  } >> "$summary"
fi

if [ -n "$train" ]; then
  data=/tmp/moxing-train-data
  work=/tmp/moxing-train
  rm -rf "$data" "$work" && mkdir -p "$data" "$work"
  cp .gpu/train/meta.json .gpu/train/tokenizer.json .gpu/train/val.bin "$data/"
  xz -T0 -dc .gpu/train/train.bin.xz > "$data/train.bin"
  # With .gpu/finetune (pack.sh --finetune), FINETUNE_SECONDS (default 150) of the call go to
  # moxing-chat and moxing-sentiment after the base; 25 s are kept back for packing and the trip.
  reserve=25
  if [ -d .gpu/finetune ]; then reserve=$((25 + ${FINETUNE_SECONDS:-150})); fi
  minutes=$(awk -v t="$train" -v used="$(( $(date +%s) - t0 ))" -v r="$reserve" 'BEGIN { m = (t - used - r) / 60; printf "%.2f", m }')
  until_deadline() { local s=$(( train - $(date +%s) + t0 - ${1:-0} )); [ "$s" -ge 1 ] && echo "$s" || echo 1; }
  # shellcheck disable=SC2086
  MOXING_BACKEND=webgpu MOXING_TRACKING=0 timeout "$(until_deadline)" "${run[@]}" "$pretrain" --data "$data" --out "$work" --minutes "$minutes" ${TRAIN_ARGS:-} > "$out/train.txt" 2>&1
  rc=$?
  [ $rc -eq 0 ] || status=1
  # The base goes back first, whatever happens to the fine-tunes (a call brings back 16 MiB a file).
  # A run cut off or failed before its packing sends its last checkpoint instead (fp32, without the
  # optimizer state), which scripts/shipped/pack.ts packs here.
  if [ -d "$work/packed" ]; then (cd "$work" && tar cf - packed) | split -b 15M - "$out/base.tar.part-"
  elif [ -f "$work/run/model.safetensors" ]; then (cd "$work" && tar cf - --exclude=optimizer.safetensors --exclude=checkpoint.tmp run) | split -b 15M - "$out/base.tar.part-"; fi
  {
    echo "- pretraining: exit $rc, $minutes minutes (${run[*]} $pretrain ${TRAIN_ARGS:-}); returned: $(cd "$out" && ls base.tar.part-* 2>/dev/null | tr '\n' ' ')"
    echo
    echo '```'
    grep -E '^(device|probe|precision|chosen|plan|trained|packed|step .* val )' "$out/train.txt" | tail -40
    tail -3 "$out/train.txt" | grep -iE 'error|exception' || true
    echo '```'
  } >> "$summary"
  if [ -d .gpu/finetune ] && [ -d "$work/packed" ]; then
    ft=/tmp/moxing-finetune-data
    rm -rf "$ft" && cp -r .gpu/finetune "$ft" && xz -dc "$ft/chat.csv.xz" > "$ft/chat.csv" && xz -dc "$ft/reviews.csv.xz" > "$ft/reviews.csv"
    prec=$(node -e "process.stdout.write(JSON.parse(require('fs').readFileSync('$work/packed/probes.json','utf8')).precision)" 2>/dev/null || echo fp32)
    left=$(until_deadline 15)
    if [ "$left" -gt 30 ]; then
      # shellcheck disable=SC2086
      MOXING_BACKEND=webgpu MOXING_TRACKING=0 timeout "$left" "${run[@]}" "$finetune" --base "$work/packed" --data "$ft" --out "$work/models" --precision "$prec" ${FINETUNE_ARGS:-} > "$out/finetune.txt" 2>&1
      rc=$?
      [ $rc -eq 0 ] || status=1
    else
      rc="skipped ($left s left)"
      echo "no time left for the fine-tunes" > "$out/finetune.txt"
    fi
    # What finished, packed (a fine-tune cut off by the time leaves no folder).
    names=$(cd "$work/models" 2>/dev/null && ls -d moxing-chat moxing-sentiment 2>/dev/null | tr '\n' ' ')
    if [ -n "$names" ]; then (cd "$work/models" && tar cf - $names) | split -b 15M - "$out/models.tar.part-"; fi
    {
      echo "- fine-tuning: exit $rc (${run[*]} $finetune --precision $prec ${FINETUNE_ARGS:-}); packed: ${names:-none}; returned: $(cd "$out" && ls models.tar.part-* 2>/dev/null | tr '\n' ' ')"
      echo
      echo '```'
      grep -vE '^step ' "$out/finetune.txt" | tail -20
      echo '```'
    } >> "$summary"
  fi
  # A call brings back 8 files: the logs (and the bench's JSON) go back as one.
  logs=$(cd "$out" && ls tests.txt bench-gpu.txt bench-gpu.json train.txt finetune.txt 2>/dev/null | tr '\n' ' ')
  # shellcheck disable=SC2086
  [ -z "$logs" ] || (cd "$out" && tar cf logs.tar $logs && rm -f $logs)
  n=$(ls "$out" | wc -l)
  echo "- files back: $((n + 0)) of the 8 a call returns ($(ls "$out" | tr '\n' ' '))" >> "$summary"
  [ "$n" -le 8 ] || echo "  more than 8: some will not come back; fewer tar parts (smaller --sizes)" >> "$summary"
fi
echo "$(( $(date +%s) - t0 )) s in all" >> "$summary"
cat "$summary"
exit $status
