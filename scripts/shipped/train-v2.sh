#!/usr/bin/env bash
# Prepares (and, where the compute is there, trains) moxing-base v2 from the new corpus:
#   1. the corpus: Debian packages + ../shared/datasets (moxing corpus build; resumable)
#   2. a 16k-token BPE trained on a sample of both languages, the corpus tokenized
#   3. an isoflop sweep on a slice of the corpus (moxing scale --isoflop): the compute-optimal size
#   4. pretraining at the size and token count the sweep gives for the chosen compute (N_LAYER,
#      N_EMBD, STEPS; the defaults are a starting point, not yet measured: see the README)
#   5. moxing-chat and moxing-sentiment fine-tuned from it, then npm run eval
# Each step is skipped when its output exists, so rerunning continues after an interruption.
# Needs: apt-get install -y dict-gcide wordnet-base bible-kjv bible-kjv-text debian-handbook debian-reference-en \
#   debian-reference-zh-cn developers-reference debian-history python3.11-doc manpages manpages-zh gnu-standards fortunes \
#   fortunes-min fortunes-zh perl-doc debian-policy debian-faq debian-faq-zh-cn maint-guide maint-guide-zh-cn
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${SHIPPED_WORK:-.shipped/v2}
CORPUS=${CORPUS:-$W/corpus}
MOXING="node --experimental-wasm-relaxed-simd --import tsx scripts/moxing-dev.ts"
STAGE=${STAGE:-all}            # corpus | sweep | all
N_LAYER=${N_LAYER:-8} N_HEAD=${N_HEAD:-8} N_EMBD=${N_EMBD:-512} BLOCK=${BLOCK:-256}
BATCH=${BATCH:-64} STEPS=${STEPS:-20000} LR=${LR:-6e-4}
mkdir -p "$W"
export MOXING_HOME=${MOXING_HOME:-$PWD/$W/home}

# 1. corpus
[ -f "$CORPUS/manifest.json" ] || $MOXING corpus build --shared ../shared/datasets --out "$CORPUS"
[ "$STAGE" = corpus ] && exit 0

# 2. tokenizer (on ~24 MB: 16 MB English, 8 MB Chinese) and token shards
if [ ! -f "$W/tokenizer.json" ]; then
  head -c 16000000 "$CORPUS/train.en.txt" > "$W/tok-sample.en.txt"
  head -c 8000000 "$CORPUS/train.zh.txt" > "$W/tok-sample.zh.txt"
  $MOXING tokenizer train "$W/tok-sample.en.txt" "$W/tok-sample.zh.txt" --vocab-size 16384 --special '<|endoftext|>' --out "$W/tokenizer.json"
fi
[ -f "$W/data/meta.json" ] || $MOXING data prepare "$CORPUS/train.en.txt" "$CORPUS/train.zh.txt" --tokenizer "$W/tokenizer.json" --out "$W/data" --val-fraction 0.005

# 3. isoflop sweep on a ~20 MB slice (three budgets, nine sizes; see docs/compute-optimal.md for the 1e12 profile)
if [ ! -f "$W/slice/meta.json" ]; then
  head -c 14000000 "$CORPUS/train.en.txt" > "$W/slice.en.txt"
  head -c 6000000 "$CORPUS/train.zh.txt" > "$W/slice.zh.txt"
  $MOXING data prepare "$W/slice.en.txt" "$W/slice.zh.txt" --tokenizer "$W/tokenizer.json" --out "$W/slice" --val-fraction 0.02
fi
if [ ! -f "$W/scale/result.json" ]; then
  mkdir -p "$W/scale"
  $MOXING scale --data "$W/slice" --sizes 5k,10k,20k,50k,100k,200k,500k,1m,2m \
    --budget 1e12,4e12,1.6e13 --isoflop --out "$W/scale" --json > "$W/scale/result.json.tmp"
  mv "$W/scale/result.json.tmp" "$W/scale/result.json"
fi
[ "$STAGE" = sweep ] && exit 0

# 4. pretraining (resumable)
if [ ! -f "$W/base/state.json" ]; then
  $MOXING pretrain --data "$W/data" --n-layer "$N_LAYER" --n-head "$N_HEAD" --n-embd "$N_EMBD" --block-size "$BLOCK" \
    --batch-size "$BATCH" --max-steps "$STEPS" --lr "$LR" --min-lr 6e-5 --warmup-steps 500 --eval-every 1000 --eval-iters 20 --seed 0 --out "$W/base" --json | tail -1
else
  $MOXING train --resume "$W/base" --max-steps "$STEPS" --json | tail -1
fi

# 5. fine-tuning and the table
[ -f .shipped/corpus/qa.csv ] || node --import tsx scripts/shipped/build-corpus.ts .shipped/corpus
# chat: the closed-book capital/element pairs plus reading pairs (a retrieved context before each shared
# definition and next-line question), so the model answers from documents as ask --docs asks it to
if [ ! -f "$W/chat-train.csv" ]; then
  node --import tsx scripts/shipped/make-docs-qa.ts "$W/docs-qa.csv" --block-size "$BLOCK" --tokenizer "$W/tokenizer.json"
  { cat .shipped/corpus/qa.csv; tail -n +2 "$W/docs-qa.csv"; } > "$W/chat-train.csv"
fi
[ -f "$W/chat/model.safetensors" ] || $MOXING finetune --from "$W/base" --task qa --data "$W/chat-train.csv" \
  --question-col question --answer-col answer --epochs 2 --batch-size 32 --lr 3e-4 --val-fraction 0.02 --seed 0 --out "$W/chat" --json
[ -f "$W/sentiment/head.safetensors" ] || $MOXING finetune --from "$W/base" --task classify \
  --data ../shared/datasets/fine_food_reviews/train.csv --text-col review --label-col score --pooling mean \
  --epochs 3 --batch-size 16 --lr 1e-4 --val-fraction 0.2 --seed 0 --out "$W/sentiment" --json
echo "v2 runs in $W (base, chat, sentiment); pack them with scripts/shipped/pack.ts and run npm run eval"
