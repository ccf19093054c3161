#!/usr/bin/env bash
# Prepares .gpu/ (ignored by git, under the 64 MiB a device call carries) for scripts/gpu/check.sh on
# the H200 machine, which has no Node, no npm packages and no network:
#   .gpu/kit/                  Node, Dawn's Linux binary (xz) and the Vulkan loader (../shared/gpu/make-kit.sh)
#   .gpu/dist/                 bench/gpu.ts, scripts/gpu/pretrain.ts and the webgpu test files bundled by
#                              esbuild (one file each)
#   .gpu/node_modules/webgpu/  the package's loader without its binaries (check.sh unpacks dawn.node)
#   .gpu/train/                with --train-data: token shards for check.sh --train (train.bin as xz)
#   .gpu/finetune/             with --finetune too: what scripts/gpu/finetune.ts reads for moxing-chat
#                              and moxing-sentiment (train-v2.sh's fine-tuning data, the chat pairs
#                              fitted to --block, default 256, pretrain.ts's context); needs ../shared
# Usage, from the project root after `npm ci`: scripts/gpu/pack.sh [--no-kit] [--train-data DIR [--train-tokens N] [--finetune [--block N]]]
#   --train-data DIR: a `moxing data prepare` directory; --train-tokens N (default 36000000) of its
#   training tokens are taken, as evenly spaced runs of a million, so every source is in them (the
#   shards are one source after another). 36M tokens are about 19 MB as xz: with the kit (30 MB), the
#   fine-tuning data (2.5 MB) and the tree without models/ (8 MB), under the 64 MiB a call carries.
#   Move models/ aside for that call.
# Then run `bash scripts/gpu/check.sh` on the GPU machine with carry ['.gpu'].
set -euo pipefail
cd "$(dirname "$0")/../.."
kit_script=${MOXING_GPU_KIT:-../shared/gpu/make-kit.sh}
no_kit='' train_data='' train_tokens=36000000 finetune='' block=256
while [ $# -gt 0 ]; do
  case $1 in
    --no-kit) no_kit=1 ;;
    --finetune) finetune=1 ;;
    --block) block=$2; shift ;;
    --train-data) train_data=$2; shift ;;
    --train-tokens) train_tokens=$2; shift ;;
    *) echo "pack.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
grep -qx '.gpu/' .git/info/exclude 2>/dev/null || echo '.gpu/' >> .git/info/exclude
rm -rf .gpu/dist .gpu/node_modules
mkdir -p .gpu/node_modules/webgpu
if [ -z "$no_kit" ] && [ ! -f .gpu/kit/node.xz ]; then
  [ -x "$kit_script" ] || { echo "pack.sh: $kit_script not found (set MOXING_GPU_KIT)" >&2; exit 1; }
  "$kit_script" .gpu/kit
fi
cp node_modules/webgpu/index.js node_modules/webgpu/package.json .gpu/node_modules/webgpu/
# ESM bundles; CommonJS packages inside them need a require, which the banner provides.
npx esbuild bench/gpu.ts scripts/gpu/pretrain.ts scripts/gpu/finetune.ts src/backends/webgpu/*.test.ts --bundle --platform=node --format=esm --target=node20 \
  --outdir=.gpu/dist --external:webgpu --external:koffi --out-extension:.js=.mjs --log-level=warning \
  --banner:js="import { createRequire as __moxingRequire } from 'node:module'; const require = __moxingRequire(import.meta.url);"

if [ -n "$train_data" ]; then
  [ -f "$train_data/meta.json" ] && [ -f "$train_data/train.bin" ] || { echo "pack.sh: $train_data is not a prepared data directory (meta.json, train.bin)" >&2; exit 1; }
  rm -rf .gpu/train && mkdir -p .gpu/train
  cp "$train_data/tokenizer.json" "$train_data/val.bin" .gpu/train/
  chunk=1000000
  bytes_per=$(node -e "process.stdout.write(JSON.parse(require('fs').readFileSync('$train_data/meta.json','utf8')).dtype === 'uint16' ? '2' : '4')")
  total=$(( $(stat -c %s "$train_data/train.bin") / bytes_per ))
  chunks=$(( (total + chunk - 1) / chunk ))
  keep=$(( (train_tokens + chunk - 1) / chunk ))
  [ $keep -lt $chunks ] || keep=$chunks
  for ((i = 0; i < keep; i++)); do
    dd if="$train_data/train.bin" bs=$((chunk * bytes_per)) skip=$(( i * chunks / keep )) count=1 status=none
  done | xz -T2 -6 > .gpu/train/train.bin.xz
  kept=$(xz -dc .gpu/train/train.bin.xz | wc -c)
  node -e "
    const fs = require('fs');
    const meta = JSON.parse(fs.readFileSync('$train_data/meta.json', 'utf8'));
    meta.trainTokens = $kept / $bytes_per;
    meta.sampled = { from: '$train_data', tokens: $total, runs: $keep, of: $chunks, runTokens: $chunk };
    fs.writeFileSync('.gpu/train/meta.json', JSON.stringify(meta, null, 2));"
  echo "training tokens: $((kept / bytes_per)) of $total ($keep runs of $chunk of $chunks), $(du -h .gpu/train/train.bin.xz | cut -f1) as xz"
fi

if [ -n "$finetune" ]; then
  [ -n "$train_data" ] || { echo "pack.sh: --finetune needs --train-data (its tokenizer)" >&2; exit 1; }
  ft=.gpu/finetune
  rm -rf "$ft" && mkdir -p "$ft"
  tsx=(node --import tsx)
  # As scripts/shipped/train-v2.sh: the reading and closed-book pairs, then the capital/element pairs.
  [ -f .shipped/corpus/qa.csv ] || "${tsx[@]}" scripts/shipped/build-corpus.ts .shipped/corpus
  [ -f .shipped/eval/reviews-train.csv ] || "${tsx[@]}" scripts/shipped/eval.ts --sets-only
  "${tsx[@]}" scripts/shipped/make-docs-qa.ts "$ft/docs-qa-cb.csv" --block-size "$block" --tokenizer "$train_data/tokenizer.json" --closed-book
  "${tsx[@]}" scripts/shipped/capital-pairs.ts .shipped/corpus/qa.csv "$ft/capitals.csv"
  { cat "$ft/capitals.csv"; tail -n +2 "$ft/docs-qa-cb.csv"; } | xz -6 > "$ft/chat.csv.xz"
  rm "$ft/docs-qa-cb.csv" "$ft/capitals.csv"
  xz -6 < ../shared/datasets/fine_food_reviews/train.csv > "$ft/reviews.csv.xz"
  /usr/bin/python3 -c "
import csv, sys
rows = list(csv.DictReader(open('.shipped/eval/reviews-train.csv', encoding='utf-8')))
open(sys.argv[1], 'w', encoding='utf-8').write('\n\n'.join(r['text'] for r in rows))" "$ft/reviews.en.txt"
  "${tsx[@]}" scripts/moxing-dev.ts data prepare "$ft/reviews.en.txt" --tokenizer "$train_data/tokenizer.json" --out "$ft/reviews-data" --val-fraction 0.05 >/dev/null
  rm "$ft/reviews.en.txt"
  echo "fine-tuning data: $(du -sh "$ft" | cut -f1) (chat pairs for a context of $block)"
fi
# What a call with carry ['.gpu'] sends: the tree (tracked and untracked files git does not ignore) and .gpu.
tree=$(git ls-files -z -co --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
models=$(git ls-files -z -co --exclude-standard models | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
gpu=$(du -sb .gpu | cut -f1)
limit=$((64 * 1024 * 1024))
echo "a call sends $(( (tree + gpu) / 1048576 )) MiB ($(( (tree - models + gpu) / 1048576 )) MiB with models/ moved aside); the limit is 64 MiB"
[ $((tree + gpu)) -le $limit ] || [ $((tree - models + gpu)) -gt $limit ] || echo "move models/ aside for the call: mv models /tmp/moxing-models, and back after"
[ $((tree - models + gpu)) -le $limit ] || echo "pack.sh: over the limit even without models/: fewer --train-tokens" >&2
