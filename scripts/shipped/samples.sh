#!/usr/bin/env bash
# The README's "Shipped models" samples, for the models in ./models (run from the project root, or
# from a worktree whose models/ holds a candidate release): the same prompts, seeds and settings
# every release, so one release's samples compare with the last's. The document indexes are built
# from ../shared/datasets here (.shipped/samples/), as npm run eval builds its own.
# Usage: bash scripts/shipped/samples.sh > samples.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
M="node --experimental-wasm-relaxed-simd --import tsx scripts/moxing-dev.ts"
export MOXING_TRACKING=0
S=.shipped/samples
mkdir -p "$S"
[ -f "$S/ix/index.json" ] || $M index build ../shared/datasets/wordnet/glossary_for_qa_terms.txt --out "$S/ix" 2>/dev/null
[ -f "$S/ix-tang300/index.json" ] || {
  [ -f .shipped/eval/tang300.txt ] || node --experimental-wasm-relaxed-simd --import tsx scripts/shipped/eval.ts --sets-only
  $M index build .shipped/eval/tang300.txt --out "$S/ix-tang300" 2>/dev/null
}
run() { echo "\$ moxing $*"; $M "$@" 2>/dev/null; }
run generate "床前明月光" --max-new-tokens 40 --temperature 0.7 --top-k 40 --seed 1
run generate "It is a truth universally acknowledged" --max-new-tokens 40 --temperature 0.7 --top-k 40 --seed 1
run ask "What is the capital of France?"
run ask "What is a schoolboy?"
run ask --docs "$S/ix" "What is a schoolboy?"
run ask --docs "$S/ix" "What does it mean to bounce?"
run ask --docs "$S/ix" "What is a longhand?"
run ask --docs "$S/ix-tang300" "「那堪玄鬓影」的下一句是什么？"
run classify "Best coffee I ever had, will buy again"
run classify "The cookies arrived stale and broken" --json
