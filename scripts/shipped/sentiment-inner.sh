#!/usr/bin/env bash
# Compares moxing-sentiment recipes on a split inside its 3,200 training reviews, so the 800 that
# npm run eval scores stay unseen while choosing (README, "Shipped models"; 2026-12-05's numbers):
#   - the shipped recipe (train-v2.sh: 200 steps of review pretraining, 3 epochs), as one fine-tune
#     and as the soup of 3 that differ in --shuffle-seed
#   - 5 and 2 epochs instead of 3; 800 steps of review pretraining instead of 200
#   - bag-of-words logistic regression, trained on the same 2,560 reviews
# The fine-tunes read reviews-train.csv and hold back 20% (seed 0): the 640 reviews of
# reviews-inner-val.csv, which eval.ts --sets-only writes with the same split. They run two at a
# time, one thread each (about 11 minutes for a 3-epoch fine-tune on this 2-core CPU). Each step is
# skipped when its output exists. BASE is the model the review pretraining starts from.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${SHIPPED_WORK:-.shipped/sentiment-inner}
BASE=${BASE:-models/moxing-base}
MOXING="node --experimental-wasm-relaxed-simd --import tsx scripts/moxing-dev.ts"
TSX="node --experimental-wasm-relaxed-simd --import tsx"
mkdir -p "$W"
export MOXING_HOME=${MOXING_HOME:-$PWD/$W/home}
E=.shipped/eval
[ -f "$E/reviews-inner-val.csv" ] || $TSX scripts/shipped/eval.ts --sets-only

# review pretraining: the text of the 3,200 training reviews (as train-v2.sh's reviews-data)
[ -f "$W/reviews.en.txt" ] || /usr/bin/python3 -c "
import csv, sys
rows = list(csv.DictReader(open('$E/reviews-train.csv', encoding='utf-8')))
open(sys.argv[1], 'w', encoding='utf-8').write('\n\n'.join(r['text'] for r in rows))" "$W/reviews.en.txt"
[ -f "$W/reviews-data/meta.json" ] || $MOXING data prepare "$W/reviews.en.txt" --tokenizer "$BASE/tokenizer.json" --out "$W/reviews-data" --val-fraction 0.05
for steps in 200 800; do
  [ -f "$W/base-reviews$steps/state.json" ] || $MOXING pretrain --init-from "$BASE" --data "$W/reviews-data" --batch-size 48 --max-steps $steps \
    --lr 5e-4 --min-lr 5e-5 --warmup-steps 20 --eval-every 50 --eval-iters 4 --seed 0 --out "$W/base-reviews$steps" --json | tail -1
done

# fine_tune <out> <from> <epochs> <shuffle seed>: train-v2.sh's member, on the inner split
fine_tune() {
  [ -f "$W/$1/head.safetensors" ] && return 0
  rm -rf "${W:?}/$1"
  MOXING_THREADS=1 $MOXING finetune --from "$W/$2" --task classify --data "$E/reviews-train.csv" --text-col text --label-col label \
    --pooling mean --max-windows 4 --epochs "$3" --batch-size 16 --lr 3e-4 --dropout 0.1 --val-fraction 0.2 --seed 0 \
    --shuffle-seed "$4" --out "$W/$1" --json > "$W/$1.log" 2>&1
}
# two side by side; a failed one stops the script (set -e), its log in $W/<name>.log
pair() { fine_tune $1 & local a=$!; fine_tune $2 & local b=$!; wait $a; wait $b; }
pair "recipe-s0 base-reviews200 3 0" "epochs5 base-reviews200 5 0"
pair "epochs2 base-reviews200 2 0" "reviews800 base-reviews800 3 0"
pair "recipe-s1 base-reviews200 3 1" "recipe-s2 base-reviews200 3 2"
[ -f "$W/recipe-soup/head.safetensors" ] || $MOXING merge "$W/recipe-s0" "$W/recipe-s1" "$W/recipe-s2" --out "$W/recipe-soup"

# the table: each on the 640 inner reviews
ev() { $MOXING eval --task classify --data "$E/reviews-inner-val.csv" --text-col text --label-col label --json "$@"; }
echo "bag-of-words $(ev --model bow --train "$E/reviews-inner-train.csv")"
for m in recipe-s0 recipe-s1 recipe-s2 recipe-soup epochs5 epochs2 reviews800; do echo "$m $(ev --model "$W/$m")"; done
