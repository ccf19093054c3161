#!/usr/bin/env node
// The moxing command: runs the compiled CLI (npm run build, run by npm ci through "prepare").
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(`moxing: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
