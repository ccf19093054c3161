// Packs a training run as a shipped model: weights in BF16, no optimizer state, a name and a card.
// Usage: node --import tsx scripts/shipped/pack.ts <run-dir> <models/name> <name> "<description>" [parent-name]

import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadRun, saveCheckpoint } from '../../src/llm/run-dir.js';

const [runDir, outDir, name, description, parent] = process.argv.slice(2);
if (!runDir || !outDir || !name) throw new Error('usage: pack.ts <run-dir> <out-dir> <name> [description]');
const run = await loadRun(runDir);
rmSync(outDir, { recursive: true, force: true });
await saveCheckpoint(outDir, {
  config: { ...run.config, name, description, train: run.config.train, initFrom: parent },
  tokenizer: run.tokenizer,
  model: run.model,
  dtype: 'BF16',
  state: run.state ?? undefined,
});
if (existsSync(join(runDir, 'head.safetensors'))) copyFileSync(join(runDir, 'head.safetensors'), join(outDir, 'head.safetensors'));
console.log(`packed ${runDir} -> ${outDir} (${name})`);
