#!/usr/bin/env bash
# After a `scripts/gpu/check.sh --train` call: the returned tar parts become the shipped models in
# models/ (moxing-base, and moxing-chat and moxing-sentiment when the fine-tunes finished), packed as
# scripts/shipped/pack.ts names them, ready for `npm run eval`. The models they replace stay in git.
# Usage: bash scripts/gpu/unpack.sh <folder with base.tar.part-*, models.tar.part-*> [--into models]
set -euo pipefail
cd "$(dirname "$0")/../.."
from=${1:?usage: unpack.sh <folder with the returned files> [--into DIR]}
into=models
[ "${2:-}" = --into ] && into=${3:?--into needs a folder}
ls "$from"/base.tar.part-* >/dev/null 2>&1 || { echo "unpack.sh: no base.tar.part-* in $from" >&2; exit 1; }
work=$(mktemp -d /tmp/moxing-gpu-unpack.XXXX)
cat "$from"/base.tar.part-* | tar x -C "$work"
if ls "$from"/models.tar.part-* >/dev/null 2>&1; then cat "$from"/models.tar.part-* | tar x -C "$work"; fi
[ ! -f "$from/logs.tar" ] || tar x -C "$work" -f "$from/logs.tar"
tsx=(node --import tsx)
# packed/: the finished base; run/: a base cut off before its packing (its last checkpoint).
base=$work/packed
[ -d "$base" ] || base=$work/run
"${tsx[@]}" scripts/shipped/pack.ts "$base" "$into/moxing-base" moxing-base "GPT pretrained by moxing with the WebGPU backend on a lent GPU (scripts/gpu/pretrain.ts), on English and Chinese text (the v2 corpus)"
[ ! -d "$work/moxing-chat" ] || "${tsx[@]}" scripts/shipped/pack.ts "$work/moxing-chat" "$into/moxing-chat" moxing-chat "moxing-base fine-tuned on the GPU to answer questions, from the passages before them or closed book" moxing-base
[ ! -d "$work/moxing-sentiment" ] || "${tsx[@]}" scripts/shipped/pack.ts "$work/moxing-sentiment" "$into/moxing-sentiment" moxing-sentiment "moxing-base, further pretrained on review text, fine-tuned on the GPU to label fine-food reviews great / other (a model soup)" moxing-base
echo "unpacked into $into from $work (logs and probes.json there); next: npm run eval, with the models before in a worktree:"
echo "  git worktree add ../moxing-prev HEAD && npm run eval -- --previous ../moxing-prev/models"
