#!/usr/bin/env bash
# v1 recipe: fine-tunes v1's moxing-base on reading pairs (the v1 moxing-chat); v2's chat comes from
# scripts/shipped/train-v2.sh. Run with models/moxing-base at v1 (git history) to reproduce v1.
# Reproduces the shipped moxing-chat: the shipped moxing-base (models/moxing-base, BF16) fine-tuned on
# reading pairs, each a shared qa_en definition or qa_zh next-line question with the passages
# `moxing ask --docs` would put before it (scripts/shipped/make-docs-qa.ts; the rows npm run eval
# scores are left out), loss on the answer only. These are the exact settings of the shipped run
# (18,806 pairs, 2% validation, 2 epochs of batch 16 = 2,304 steps, lr 1e-3 with warmup and cosine
# decay, fp32 on the CPU, 60 minutes on the shared 2 cores). Resumable: a finished step is skipped.
# Needs ../shared/datasets; run from anywhere, after models/moxing-base exists (scripts/shipped/train.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${SHIPPED_WORK:-.shipped}
MOXING="node --experimental-wasm-relaxed-simd --import tsx scripts/moxing-dev.ts"
mkdir -p "$W"

# Pairs: byte-identical on every run (BM25 retrieval and a seeded shuffle; md5 dfeec8e9256515b11f2e8a63ad31518d here).
[ -f "$W/docs-qa.csv" ] || node --import tsx scripts/shipped/make-docs-qa.ts "$W/docs-qa.csv" --block-size 128 --tokenizer models/moxing-base/tokenizer.json
[ -f "$W/docs-chat/model.safetensors" ] || $MOXING finetune --from models/moxing-base --task qa --data "$W/docs-qa.csv" \
  --question-col question --answer-col answer --epochs 2 --batch-size 16 --lr 1e-3 --weight-decay 0.01 \
  --val-fraction 0.02 --seed 0 --precision fp32 --out "$W/docs-chat" --json
node --import tsx scripts/shipped/pack.ts "$W/docs-chat" models/moxing-chat moxing-chat \
  "moxing-base fine-tuned to answer a question from the passages before it (reading pairs from the shared QA splits)" moxing-base
