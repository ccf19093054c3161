#!/usr/bin/env bash
# v1 recipe (2026-11-29): reproduces the first shipped models, which v2 (scripts/shipped/train-v2.sh)
# replaced on 2026-12-04; they are in git history. It packs into models/, over v2. What v1 was:
#   moxing-base       pretrained on English and Chinese text (Austen, Brown, Tang poems, Analects, facts)
#   moxing-chat       moxing-base fine-tuned to answer from retrieved passages (scripts/shipped/train-chat.sh)
#   moxing-sentiment  moxing-base fine-tuned to classify fine-food reviews (great / other)
# Every step is resumable: rerun the script after an interruption and it continues where it stopped.
# Needs ../shared/datasets (the data) and about two hours on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${SHIPPED_WORK:-.shipped}
MOXING="node --experimental-wasm-relaxed-simd --import tsx scripts/moxing-dev.ts"
STEPS=${BASE_STEPS:-3000}
mkdir -p "$W"
export MOXING_HOME=${MOXING_HOME:-$PWD/$W/home}

[ -f "$W/corpus/qa.csv" ] || node --import tsx scripts/shipped/build-corpus.ts "$W/corpus"
TEXTS="$W/corpus/austen.txt $W/corpus/brown.txt $W/corpus/poems-zh.txt $W/corpus/classics-zh.txt $W/corpus/facts.txt"
[ -f "$W/tokenizer.json" ] || $MOXING tokenizer train $TEXTS --vocab-size 4096 --special '<|endoftext|>' --out "$W/tokenizer.json"
[ -f "$W/data/meta.json" ] || $MOXING data prepare $TEXTS --tokenizer "$W/tokenizer.json" --out "$W/data" --val-fraction 0.05

if [ ! -f "$W/base/state.json" ]; then
  rm -rf "$W/base"
  $MOXING pretrain --data "$W/data" --n-layer 4 --n-head 4 --n-embd 192 --block-size 128 --batch-size 16 \
    --max-steps "$STEPS" --lr 2e-3 --min-lr 2e-4 --warmup-steps 100 --eval-every 250 --eval-iters 20 --seed 0 --out "$W/base" --json | tail -1
else
  $MOXING train --resume "$W/base" --max-steps "$STEPS" --json | tail -1
fi

[ -f "$W/sentiment/head.safetensors" ] || $MOXING finetune --from "$W/base" --task classify \
  --data ../shared/datasets/fine_food_reviews/train.csv --text-col review --label-col score --pooling mean \
  --epochs 2 --batch-size 16 --lr 5e-4 --val-fraction 0.2 --seed 0 --out "$W/sentiment" --json

node --import tsx scripts/shipped/pack.ts "$W/base" models/moxing-base moxing-base "GPT pretrained by moxing on English and Chinese text"
node --import tsx scripts/shipped/pack.ts "$W/sentiment" models/moxing-sentiment moxing-sentiment "moxing-base fine-tuned to classify fine-food reviews (great / other)" moxing-base
# moxing-chat is fine-tuned from the packed (BF16) moxing-base, as the shipped one was
SHIPPED_WORK="$W" scripts/shipped/train-chat.sh
du -sh models/*
