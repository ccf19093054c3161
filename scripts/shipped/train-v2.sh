#!/usr/bin/env bash
# Reproduces the shipped v2 models (moxing-base, moxing-chat, moxing-sentiment) from the corpus:
#   1. the corpus: Debian packages + ../shared/datasets (moxing corpus build; resumable)
#   2. the held-out evaluation sets (npm run eval's), and the training text without them (the Song ci
#      of the Chinese held-out set are also in Debian's fortunes-zh), plus the fine-food reviews
#      moxing-sentiment trains on (not the 20% it is scored on)
#   3. token shards with v1's 4096-token BPE (models/moxing-base/tokenizer.json at v1, kept in v2)
#   4. pretraining at the compute-optimal size for the compute at hand (docs/compute-optimal.md): on
#      the 2-core CPU, 4 layers x 192 on 15.4M tokens (2,500 steps of 48 x 128), then continued
#      pretraining from it on the same shards (MORE_STEPS, 5,500 steps: 33.8M tokens more, 49.2M in all)
#   5. moxing-chat: reading pairs and the same questions closed book, plus the capital/element pairs
#      (the 85% npm run eval does not score); moxing-sentiment: continued pretraining on the review
#      text, then a classifier reading each review in windows of the context, dropout 0.1, as the
#      average of 3 fine-tunings that differ in the order they read the reviews (a model soup); packing
# Each step is skipped when its output exists, so rerunning continues after an interruption.
# The defaults are the shipped run's settings; N_LAYER, N_EMBD, BLOCK, BATCH, STEPS, LR change them
# (e.g. for the GPU: see docs/compute-optimal.md). The shipped run started with a 5,000-step schedule
# and was shortened (train --resume --max-steps) to 3,000 at step 750 and to 2,500 at step 1,000, as
# the shared cores turned out slower than planned; the cosine schedule then continued from a rate a
# few percent off the one a 2,500-step run has at those steps. The script runs 2,500 from the start.
# The continued pretraining (a later session) started with a 10,000-step schedule and was shortened the
# same way, to 8,000 at step 1,000 and to 5,500 at step 2,000; the script runs 5,500 from the start.
# Needs: apt-get install -y dict-gcide wordnet-base bible-kjv bible-kjv-text debian-handbook debian-reference-en \
#   debian-reference-zh-cn developers-reference debian-history python3.11-doc manpages manpages-zh gnu-standards fortunes \
#   fortunes-min fortunes-zh perl-doc debian-policy debian-faq debian-faq-zh-cn maint-guide maint-guide-zh-cn
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${SHIPPED_WORK:-.shipped/v2}
CORPUS=${CORPUS:-$W/corpus}
MOXING="node --experimental-wasm-relaxed-simd --import tsx scripts/moxing-dev.ts"
TSX="node --experimental-wasm-relaxed-simd --import tsx"
STAGE=${STAGE:-all}            # corpus | data | all
N_LAYER=${N_LAYER:-4} N_HEAD=${N_HEAD:-4} N_EMBD=${N_EMBD:-192} BLOCK=${BLOCK:-128}
BATCH=${BATCH:-48} STEPS=${STEPS:-2500} LR=${LR:-2e-3} MORE_STEPS=${MORE_STEPS:-5500}
TOKENIZER=${TOKENIZER:-$W/tokenizer.json}
mkdir -p "$W"
export MOXING_HOME=${MOXING_HOME:-$PWD/$W/home}

# 1. corpus
[ -f "$CORPUS/manifest.json" ] || $MOXING corpus build --shared ../shared/datasets --out "$CORPUS"
[ "$STAGE" = corpus ] && exit 0

# 2. held-out sets out of the training text; the reviews moxing-sentiment may read
[ -f .shipped/eval/heldout.zh.txt ] || $TSX scripts/shipped/eval.ts --sets-only
[ -f "$W/text/train.en.txt" ] || {
  mkdir -p "$W/text"
  $TSX scripts/shipped/drop-heldout.ts "$CORPUS/train.zh.txt" "$W/text/train.zh.txt" .shipped/eval/heldout.zh.txt
  $TSX scripts/shipped/drop-heldout.ts "$CORPUS/train.en.txt" "$W/text/train.en.txt" .shipped/eval/heldout.en.txt
}
[ -f "$W/text/reviews.en.txt" ] || /usr/bin/python3 -c "
import csv, sys
rows = list(csv.DictReader(open('.shipped/eval/reviews-train.csv', encoding='utf-8')))
open(sys.argv[1], 'w', encoding='utf-8').write('\n\n'.join(r['text'] for r in rows))" "$W/text/reviews.en.txt"

# 3. tokenizer (v1's: git show of models/moxing-base/tokenizer.json before v2 is the same file) and shards
[ -f "$TOKENIZER" ] || cp models/moxing-base/tokenizer.json "$TOKENIZER"
[ -n "${BASE_FROM:-}" ] || [ -f "$W/data/meta.json" ] || $MOXING data prepare "$W/text/train.en.txt" "$W/text/train.zh.txt" "$W/text/reviews.en.txt" \
  --tokenizer "$TOKENIZER" --out "$W/data" --val-fraction 0.005
[ -f "$W/reviews-data/meta.json" ] || $MOXING data prepare "$W/text/reviews.en.txt" --tokenizer "$TOKENIZER" --out "$W/reviews-data" --val-fraction 0.05
[ "$STAGE" = data ] && exit 0

# 4. pretraining (resumable). BASE_FROM=<run dir> skips it and builds on that run instead: the GPU
# machine's, unpacked from scripts/gpu/check.sh --train's base.tar.part-* (docs/compute-optimal.md).
# The steps after it are skipped where their outputs exist, so they must not be another base's.
if [ -n "${BASE_FROM:-}" ]; then
  [ -f "$BASE_FROM/model.safetensors" ] || { echo "train-v2.sh: BASE_FROM=$BASE_FROM has no model.safetensors" >&2; exit 1; }
  # $W/base-from names the base its later outputs were made from: the same base continues where it
  # stopped (a rerun after an interruption), another one must not reuse them.
  from=$(cd "$BASE_FROM" && pwd)
  if [ -f "$W/base-from" ]; then
    [ "$(cat "$W/base-from")" = "$from" ] || { echo "train-v2.sh: $W holds fine-tunes of $(cat "$W/base-from"), not of $from: set SHIPPED_WORK to a new folder (CORPUS=$CORPUS reuses the corpus)" >&2; exit 1; }
  else
    for old in "$W/chat-train.csv" "$W/chat" "$W/base-reviews" "$W/sentiment" "$W/sentiment-m0"; do
      [ ! -e "$old" ] || { echo "train-v2.sh: $old is from an earlier base: with BASE_FROM, set SHIPPED_WORK to a new folder (CORPUS=$CORPUS reuses the corpus)" >&2; exit 1; }
    done
    echo "$from" > "$W/base-from"
  fi
  MORE_STEPS=0
elif [ ! -f "$W/base/state.json" ]; then
  $MOXING pretrain --data "$W/data" --n-layer "$N_LAYER" --n-head "$N_HEAD" --n-embd "$N_EMBD" --block-size "$BLOCK" \
    --batch-size "$BATCH" --max-steps "$STEPS" --lr "$LR" --min-lr 2e-4 --warmup-steps 200 --eval-every 250 --eval-iters 20 --seed 0 --out "$W/base" --json | tail -1
else
  $MOXING train --resume "$W/base" --max-steps "$STEPS" --json | tail -1
fi
# The base must have reached its schedule's end: a resume with a smaller STEPS trains nothing, and
# fine-tuning an unfinished base would go unnoticed. BASE_DONE=1 takes the base as it is (a run
# shortened by a moxing before 78ff65e kept its first schedule in config.json).
base_done() {
  [ "${BASE_DONE:-}" = 1 ] && return 0
  node -e "const fs=require('fs');const [d,v]=process.argv.slice(1);const s=JSON.parse(fs.readFileSync(d+'/state.json','utf8')).step;const m=JSON.parse(fs.readFileSync(d+'/config.json','utf8')).train.maxSteps;if(s<m){console.error('train-v2.sh: '+d+' is at step '+s+' of the '+m+' in its config.json: set '+v+'='+m+' to finish it, or BASE_DONE=1 to take it as it is');process.exit(1)}" "$1" "$2"
}
[ -n "${BASE_FROM:-}" ] || base_done "$W/base" STEPS
# 4b. continued pretraining: the rate back up to 1e-3 and down to 1e-4 over MORE_STEPS more steps
# (MORE_STEPS=0 ships the first run's model)
BASE=${BASE_FROM:-$W/base}
if [ "$MORE_STEPS" -gt 0 ]; then
  if [ ! -f "$W/base-more/state.json" ]; then
    $MOXING pretrain --init-from "$W/base" --data "$W/data" --batch-size "$BATCH" --max-steps "$MORE_STEPS" --lr 1e-3 --min-lr 1e-4 \
      --warmup-steps 100 --eval-every 250 --eval-iters 20 --seed 1 --out "$W/base-more" --json | tail -1
  else
    $MOXING train --resume "$W/base-more" --max-steps "$MORE_STEPS" --json | tail -1
  fi
  base_done "$W/base-more" MORE_STEPS
  BASE="$W/base-more"
fi

# 5. fine-tuning
[ -f .shipped/corpus/qa.csv ] || $TSX scripts/shipped/build-corpus.ts .shipped/corpus
if [ ! -f "$W/chat-train.csv" ]; then
  $TSX scripts/shipped/make-docs-qa.ts "$W/docs-qa-cb.csv" --block-size "$BLOCK" --tokenizer "$TOKENIZER" --closed-book
  $TSX scripts/shipped/capital-pairs.ts .shipped/corpus/qa.csv "$W/capitals-train.csv"
  { cat "$W/capitals-train.csv"; tail -n +2 "$W/docs-qa-cb.csv"; } > "$W/chat-train.csv"
fi
# A fine-tune writes its folder only when it ends: one without its weights (or head) is from a run
# killed while saving, and is made again (finetune refuses to write over a folder with a model).
[ -f "$W/chat/model.safetensors" ] || { rm -rf "$W/chat"; $MOXING finetune --from "$BASE" --task qa --data "$W/chat-train.csv" \
  --question-col question --answer-col answer --epochs ${CHAT_EPOCHS:-1} --batch-size 32 --lr 1e-3 --weight-decay 0.01 \
  --val-fraction 0.02 --seed 0 --out "$W/chat" --json; }
# The review pretraining checkpoints as it goes: an interrupted one is resumed, not taken as done.
if [ ! -f "$W/base-reviews/state.json" ]; then
  $MOXING pretrain --init-from "$BASE" --data "$W/reviews-data" --batch-size "$BATCH" \
    --max-steps ${REVIEW_STEPS:-200} --lr 5e-4 --min-lr 5e-5 --warmup-steps 20 --eval-every 50 --eval-iters 4 --seed 0 --out "$W/base-reviews" --json | tail -1
else
  $MOXING train --resume "$W/base-reviews" --json | tail -1
fi
base_done "$W/base-reviews" REVIEW_STEPS
# a soup of SENT_SOUP members that differ only in the order they read the reviews, fine-tuned side by
# side (one thread each: with a pool of threads in each process the members would spin against each
# other for the two cores) and averaged by moxing merge. A member's weights repeat to the bit only at
# the same thread count (reductions split by thread): v2's members were trained with one wasm thread.
SENT_SOUP=${SENT_SOUP:-3}
members=()
for k in $(seq 0 $((SENT_SOUP - 1))); do
  [ -f "$W/sentiment-m$k/head.safetensors" ] || { rm -rf "$W/sentiment-m$k"; MOXING_THREADS=1 $MOXING finetune --from "$W/base-reviews" --task classify \
    --data ../shared/datasets/fine_food_reviews/train.csv --text-col review --label-col score --pooling mean --max-windows 4 \
    --epochs ${SENT_EPOCHS:-3} --batch-size 16 --lr ${SENT_LR:-3e-4} --dropout ${SENT_DROPOUT:-0.1} --val-fraction 0.2 --seed 0 \
    --shuffle-seed "$k" --out "$W/sentiment-m$k" --json; } &
  members+=($!)
done
for p in "${members[@]}"; do wait "$p"; done   # a member that fails stops the script (set -e)
if [ "$SENT_SOUP" -gt 1 ]; then
  [ -f "$W/sentiment/head.safetensors" ] || { rm -rf "$W/sentiment"; $MOXING merge $(seq -f "$W/sentiment-m%g" 0 $((SENT_SOUP - 1))) --out "$W/sentiment"; }
else
  [ -d "$W/sentiment" ] || cp -r "$W/sentiment-m0" "$W/sentiment"
fi

# packing (BF16) and the table
$TSX scripts/shipped/pack.ts "$BASE" models/moxing-base moxing-base "GPT pretrained by moxing on English and Chinese text (the v2 corpus)"
$TSX scripts/shipped/pack.ts "$W/chat" models/moxing-chat moxing-chat "moxing-base fine-tuned to answer questions, from the passages before them or closed book" moxing-base
$TSX scripts/shipped/pack.ts "$W/sentiment" models/moxing-sentiment moxing-sentiment "moxing-base, further pretrained on review text, fine-tuned to label fine-food reviews great / other (the average of 3 fine-tunings: a model soup)" moxing-base
echo "v2 models packed into models/; npm run eval prints the table"
