#!/usr/bin/env bash
# Prepares .gpu/ (ignored by git, under the 64 MiB a device call carries) for scripts/gpu/check.sh on
# the H200 machine, which has no Node, no npm packages and no network:
#   .gpu/kit/                  Node, Dawn's Linux binary (xz) and the Vulkan loader (../shared/gpu/make-kit.sh)
#   .gpu/dist/                 bench/gpu.ts and the webgpu test files bundled by esbuild (one file each)
#   .gpu/node_modules/webgpu/  the package's loader without its binaries (check.sh unpacks dawn.node)
# Usage, from the project root after `npm ci`: scripts/gpu/pack.sh [--no-kit]
# Then run `bash scripts/gpu/check.sh` on the GPU machine with carry ['.gpu'].
set -euo pipefail
cd "$(dirname "$0")/../.."
kit_script=${MOXING_GPU_KIT:-../shared/gpu/make-kit.sh}
grep -qx '.gpu/' .git/info/exclude 2>/dev/null || echo '.gpu/' >> .git/info/exclude
rm -rf .gpu/dist .gpu/node_modules
mkdir -p .gpu/node_modules/webgpu
if [ "${1:-}" != "--no-kit" ] && [ ! -f .gpu/kit/node.xz ]; then
  [ -x "$kit_script" ] || { echo "pack.sh: $kit_script not found (set MOXING_GPU_KIT)" >&2; exit 1; }
  "$kit_script" .gpu/kit
fi
cp node_modules/webgpu/index.js node_modules/webgpu/package.json .gpu/node_modules/webgpu/
# ESM bundles; CommonJS packages inside them need a require, which the banner provides.
npx esbuild bench/gpu.ts src/backends/webgpu/*.test.ts --bundle --platform=node --format=esm --target=node20 \
  --outdir=.gpu/dist --external:webgpu --external:koffi --out-extension:.js=.mjs --log-level=warning \
  --banner:js="import { createRequire as __moxingRequire } from 'node:module'; const require = __moxingRequire(import.meta.url);"
du -sh .gpu
echo "tracked tree: $(git ls-files -z | du -ch --files0-from=- | tail -1 | cut -f1) (carry limit 64 MiB with .gpu)"
