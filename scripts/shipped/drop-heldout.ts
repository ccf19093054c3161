// Removes held-out evaluation text from a training text file, so the shipped models are scored on
// text they never saw. The corpus is paragraphs separated by blank lines; a paragraph is dropped when
// it contains any line of the held-out files that is long enough to be distinctive (8+ characters
// of CJK, 40+ otherwise). Streams: reads the input once and writes the output atomically.
//   node --import tsx scripts/shipped/drop-heldout.ts <in.txt> <out.txt> <heldout.txt>...
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const [input, output, ...heldout] = process.argv.slice(2);
if (!input || !output || heldout.length === 0) {
  process.stderr.write('usage: drop-heldout.ts <in.txt> <out.txt> <heldout.txt>...\n');
  process.exit(2);
}
const cjk = /[\u3400-\u9fff]/;
const needles = new Set<string>();
for (const file of heldout) {
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line.length >= (cjk.test(line) ? 8 : 40)) needles.add(line);
  }
}
const paragraphs = readFileSync(input, 'utf8').split('\n\n');
let dropped = 0;
let droppedBytes = 0;
const kept = paragraphs.filter((p) => {
  for (const line of p.split('\n')) {
    if (needles.has(line.trim())) {
      dropped++;
      droppedBytes += Buffer.byteLength(p);
      return false;
    }
  }
  return true;
});
writeFileSync(`${output}.tmp`, kept.join('\n\n'));
renameSync(`${output}.tmp`, output);
process.stderr.write(`drop-heldout: ${input}: dropped ${dropped} of ${paragraphs.length} paragraphs (${droppedBytes} bytes) matching ${needles.size} held-out lines\n`);
