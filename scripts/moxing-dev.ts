// Runs the moxing CLI from the TypeScript sources (no build): node --import tsx scripts/moxing-dev.ts <command> ...
import { main } from '../src/cli/main.js';

await main(process.argv);
