// The dashboard in a real headless Chromium (Debian's, through playwright-core): runs, live curves,
// compare, the playground, a CSV to a classical model, and a run started from the CLI growing live.
// Screenshots (wide and 375 px) go to test-artifacts/dashboard/.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { RunStore } from '../runs/store.js';
import { startServe } from '../cli/commands/serve.js';
import { registerFit } from '../cli/commands/fit.js';
import type { ServerHandle } from './server.js';
import { tinyRunDir } from './test-models.js';

// The browser globals the page functions below use (this file compiles with Node's lib, not the DOM's).
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null; textContent: string | null } | null;
  getElementById(id: string): object | null;
  documentElement: { scrollWidth: number };
};
declare const window: object;
declare class MutationObserver {
  constructor(callback: (records: unknown[]) => void);
  observe(target: object, options: Record<string, boolean>): void;
}

const CHROMIUM = process.env.MOXING_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-artifacts', 'dashboard');
const WEB = join(process.cwd(), 'web');
const CLI = [process.execPath, '--import', import.meta.resolve('tsx'), join(process.cwd(), 'scripts', 'moxing-dev.ts')];

const tmp = mkdtempSync(join(tmpdir(), 'moxing-dashboard-'));
const home = join(tmp, 'home');
const env = { ...process.env, MOXING_HOME: home };
let server: ServerHandle;
let context: BrowserContext;
let page: Page;
let store: RunStore;
let liveRun: string;
let finishedRun: string;
let cliData: Promise<void>;
let trainer: ChildProcess | null = null;
let savedHome: string | undefined;

/** The newest modification time under a path (files and directories). */
function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

/** Builds web/dist when it is missing or older than its sources (CI builds it in `npm ci`). */
function ensureBuilt(): void {
  const index = join(WEB, 'dist', 'index.html');
  const sources = Math.max(newest(join(WEB, 'src')), newest(join(WEB, 'index.html')), newest(join(process.cwd(), 'src', 'server', 'dashboard-types.ts')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, [join(process.cwd(), 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--logLevel', 'warn'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `vite build web failed:\n${r.stdout}${r.stderr}`);
}

function cli(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI[0]!, [...CLI.slice(1), ...args], { cwd: tmp, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`moxing ${args.join(' ')}: exit ${code}\n${err}`))));
  });
}

/** A training curve: loss falling from `start` towards `floor`, with a little wiggle. */
const loss = (step: number, start: number, floor: number) => floor + (start - floor) * Math.exp(-step / 25) + 0.03 * Math.sin(step);

/** Two finished pretraining runs of different sizes, and one "running" in this process that the test feeds. */
function seedRuns(): void {
  store = RunStore.open(home);
  const sizes = [{ nLayer: 2, nHead: 2, nEmbd: 64, name: 'small', floor: 2.4 }, { nLayer: 4, nHead: 4, nEmbd: 128, name: 'larger', floor: 2.0 }];
  for (const s of sizes) {
    const runDir = join(tmp, 'runs', s.name);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'model.safetensors'), 'weights');
    const run = store.createRun({ kind: 'pretrain', name: s.name, runDir, config: { lr: 3e-4, maxSteps: 120, model: { vocabSize: 300, blockSize: 64, nLayer: s.nLayer, nHead: s.nHead, nEmbd: s.nEmbd, dropout: 0, bias: true } } });
    store.logMetricsBatch(run.id, Array.from({ length: 120 }, (_, i) => ({
      step: i + 1,
      values: { trainLoss: loss(i + 1, 5.7, s.floor), lr: 3e-4 * Math.min(1, (i + 1) / 10), ...((i + 1) % 10 === 0 ? { valLoss: loss(i + 1, 5.7, s.floor) + 0.12 } : {}) },
    })));
    store.logArtifact(run.id, join(runDir, 'model.safetensors'), { kind: 'checkpoint' });
    store.finishRun(run.id, 'finished');
    finishedRun = run.id;
  }
  const live = store.createRun({ kind: 'pretrain', name: 'live', config: { lr: 6e-4, model: { vocabSize: 300, blockSize: 32, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0, bias: true } } });
  store.logMetricsBatch(live.id, Array.from({ length: 20 }, (_, i) => ({ step: i + 1, values: { trainLoss: loss(i + 1, 5.7, 3) } })));
  liveRun = live.id;
  // A result in the shape `moxing scale` keeps ($MOXING_HOME/analysis/scale.json), with made-up numbers.
  mkdirSync(join(home, 'analysis'), { recursive: true });
  writeFileSync(join(home, 'analysis', 'scale.json'), JSON.stringify({
    savedAt: new Date().toISOString(),
    result: {
      title: 'Scaling (test fixture)',
      description: 'Made up by the browser test to show how a result file renders.',
      fit: { E: 1.9, A: 41.2, alpha: 0.31 },
      runs: [{ size: 1e5, parameters: 120_000, valLoss: 3.4, trainLoss: 3.3 }, { size: 1e6, parameters: 800_000, valLoss: 2.9, trainLoss: 2.8 }, { size: 6e6, parameters: 6_000_000, valLoss: 2.45, trainLoss: 2.3 }],
    },
  }));
}

/** A classical model: logistic regression on a small two-class table, fitted with `moxing fit`. */
async function fitClassical(): Promise<{ model: string; csv: string }> {
  const rows = ['size,weight,colour,label'];
  for (let i = 0; i < 60; i++) {
    const big = i % 2 === 0;
    rows.push(`${(big ? 8 : 3) + (i % 5) * 0.3},${(big ? 70 : 20) + (i % 7)},${['red', 'green', 'blue'][i % 3]},${big ? 'big' : 'small'}`);
  }
  const train = join(tmp, 'train.csv');
  writeFileSync(train, `${rows.join('\n')}\n`);
  const model = join(tmp, 'sizes.json');
  const program = new Command().exitOverride();
  registerFit(program, { write: () => {} });
  await program.parseAsync(['node', 'moxing', 'fit', train, '--target', 'label', '--model', 'logistic', '--out', model, '--json']);
  const csv = join(tmp, 'upload.csv');
  writeFileSync(csv, 'size,weight,colour\n8.5,71,red\n3.1,19,"blue"\n9,75,green\n2.5,22,red\n');
  return { model, csv };
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function points(selector: string): Promise<number> {
  return Number(await page.locator(selector).getAttribute('data-points'));
}

// Without Chromium a user's `npm test` skips this suite and says why; on CI (which installs it) it must run.
const noChromium = existsSync(CHROMIUM) || process.env.CI ? false : `Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (.ci/run does), or set MOXING_CHROMIUM`;

describe('dashboard in Chromium', { skip: noChromium }, () => {
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (.ci/run does), or set MOXING_CHROMIUM`);
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    // The CLI run's tokenizer and data, prepared in the background while the browser works.
    writeFileSync(join(tmp, 'corpus.txt'), 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. '.repeat(300));
    cliData = cli('tokenizer', 'train', 'corpus.txt', '--vocab-size', '280', '--special', '<|endoftext|>', '--out', 'tok.json')
      .then(() => cli('data', 'prepare', 'corpus.txt', '--tokenizer', 'tok.json', '--out', 'data'));
    cliData.catch(() => {}); // awaited (and reported) by the CLI test
    savedHome = process.env.MOXING_HOME;
    process.env.MOXING_HOME = home; // the server (and fit) use $MOXING_HOME, as `moxing serve` does
    ensureBuilt();
    seedRuns();
    const gpt = await tinyRunDir({ name: 'tiny-gpt' });
    const { model } = await fitClassical();
    server = await startServe({ port: 0, models: [gpt, model], log: () => {} });
    context = await chromium.launchPersistentContext(join(tmp, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 800 },
    });
    page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(10_000);
    // Nothing but the server: a CDN request would fail the page offline.
    await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
  });

  after(async () => {
    trainer?.kill('SIGKILL');
    await context?.close();
    await server?.close();
    store?.close();
    if (savedHome === undefined) delete process.env.MOXING_HOME;
    else process.env.MOXING_HOME = savedHome;
    rmSync(tmp, { recursive: true, force: true });
  });

  test('runs table, then a run page with its loss chart drawn from data', async () => {
    await page.goto(`${server.url}/`);
    await page.locator('#runs-table tbody tr').nth(2).waitFor();
    assert.ok(await page.locator('#runs-table tbody tr').count() >= 3);
    await shot('runs-wide');
    await page.locator(`#runs-table a[href="#/runs/${finishedRun}"]`).first().click();
    await page.locator('#loss-chart canvas').waitFor();
    assert.equal(await points('#loss-chart'), 120 + 12, 'trainLoss at every step, valLoss every 10');
    assert.match(await page.locator('.card', { hasText: 'Checkpoints' }).innerText(), /model\.safetensors/);
    await shot('run-wide');
  });

  test('a running run: the curve grows as points are logged (SSE)', async () => {
    await page.goto(`${server.url}/#/runs/${liveRun}`);
    await page.waitForFunction(() => Number(document.querySelector('#loss-chart')?.getAttribute('data-points')) === 20);
    for (let step = 21; step <= 30; step++) store.logMetrics(liveRun, step, { trainLoss: loss(step, 5.7, 3), ...(step === 30 ? { valLoss: 3.9 } : {}) });
    await page.waitForFunction(() => Number(document.querySelector('#loss-chart')?.getAttribute('data-points')) === 31);
    assert.match(await page.locator('#run-status').innerText(), /running/);
    store.finishRun(liveRun, 'finished');
    await page.locator('#run-status', { hasText: 'finished' }).waitFor();
  });

  test('compare: runs on one chart, parameters vs best validation loss', async () => {
    await page.goto(`${server.url}/#/compare`);
    await page.locator('#compare-chart canvas').waitFor();
    await page.waitForFunction(() => Number(document.querySelector('#compare-chart')?.getAttribute('data-points')) > 0);
    assert.equal(await points('#scaling-chart'), 3);
    await shot('compare-wide');
  });

  test('playground: a prompt streams text; chat replies', async () => {
    await page.goto(`${server.url}/#/models`);
    await page.locator('.model-card[data-model="tiny-gpt"]').click();
    await page.locator('#prompt').fill('The quick brown');
    // Seed 0 (completion and chat): the tiny random model writes many pieces of text for both; with
    // the page's random seed an end-of-text sampled first would leave the output empty.
    await page.locator('input[name="seed"]').fill('0');
    // Count the separate updates of the output, to see it stream rather than arrive at once.
    await page.evaluate(() => {
      const w = window as unknown as { updates: number };
      w.updates = 0;
      new MutationObserver((records) => void (w.updates += records.length)).observe(document.getElementById('playground-output')!, { childList: true, subtree: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.waitForFunction(() => (document.querySelector('#playground-output .generated')?.textContent ?? '').length > 0);
    await page.locator('button.primary:enabled', { hasText: 'Generate' }).waitFor();
    assert.equal(await page.locator('#playground-output .error').count(), 0, await page.locator('#playground-output').innerText());
    assert.ok(await page.evaluate(() => (window as unknown as { updates: number }).updates) >= 3, 'the text arrived in pieces');
    await shot('playground-wide');
    await page.getByRole('button', { name: 'Chat' }).click();
    await page.locator('#chat-input').fill('Hello there');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForFunction(() => (document.querySelector('#chat-log .msg.assistant .text')?.textContent ?? '').length > 0);
    assert.equal(await page.locator('#chat-log .error').count(), 0);
  });

  test('a CSV uploaded to a classical model comes back with predictions', async () => {
    await page.goto(`${server.url}/#/models/sizes`);
    await page.locator('#csv-input').setInputFiles(join(tmp, 'upload.csv'));
    await page.locator('#predictions table tbody tr').nth(3).waitFor();
    const predicted = await page.locator('#predictions table tbody tr td:last-child').allInnerTexts();
    assert.deepEqual(predicted, ['big', 'small', 'big', 'small']);
    await shot('classical-wide');
  });

  test('narrow screen (375 px): no sideways scrolling of the page', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    for (const [name, hash, ready] of [
      ['runs', '#/runs', '#runs-table'], ['run', `#/runs/${finishedRun}`, '#loss-chart canvas'],
      ['playground', '#/models/tiny-gpt', '#prompt'], ['classical', '#/models/sizes', '#csv-input'], ['scaling', '#/scaling', '[data-report]'],
    ] as const) {
      await page.goto(`${server.url}/${hash}`);
      await page.locator(ready).first().waitFor({ state: 'attached' });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `${name}: the page is ${width} px wide`);
      await shot(`${name}-narrow`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/#/scaling`);
    await page.locator('[data-report="scale.json"] canvas').waitFor();
    await shot('scaling-wide');
  });

  test('a run started from the CLI appears and its curve grows while it trains', async () => {
    await cliData;
    trainer = spawn(CLI[0]!, [...CLI.slice(1), 'pretrain', '--data', 'data', '--n-layer', '1', '--n-head', '2', '--n-embd', '16', '--block-size', '16',
      '--batch-size', '4', '--eval-every', '25', '--eval-iters', '2', '--max-steps', '100000', '--out', 'cli-run'], { cwd: tmp, env, stdio: 'ignore' });
    await page.goto(`${server.url}/#/runs`);
    const row = page.locator('#runs-table tbody tr', { hasText: 'cli-run' });
    await row.waitFor({ timeout: 20_000 });
    await row.locator('a').first().click();
    await page.locator('#loss-chart canvas').waitFor({ timeout: 15_000 });
    const seen = await points('#loss-chart');
    await page.waitForFunction((n) => Number(document.querySelector('#loss-chart')?.getAttribute('data-points')) > n + 20, seen, { timeout: 15_000 });
    assert.match(await page.locator('#run-status').innerText(), /running/);
    await shot('cli-run-wide');
    trainer.kill('SIGKILL');
    trainer = null;
  });
});
