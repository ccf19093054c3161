// The dashboard's routes: /api (runs, metrics, a live SSE stream per run, models, reports) and the web app at /.

import { Hono, type Env } from 'hono';
import { join } from 'node:path';
import { RunStore, moxingHome } from '../runs/store.js';
import type { Artifact } from '../runs/types.js';
import { countGptParameters } from '../llm/size.js';
import { ApiError, invalidRequest } from './errors.js';
import type { ModelRegistry } from './model-registry.js';
import { sseResponse } from './sse.js';
import { RunView, nextCursor, pointsView } from './dashboard-runs.js';
import { listReports, readReport } from './dashboard-reports.js';
import { defaultDashboardDir, serveDashboard } from './dashboard-static.js';
import type { ArtifactView, MetricsResponse, ModelsResponse, RunDetailResponse, RunsResponse, ReportsResponse, ServedModel } from './dashboard-types.js';
import { checkpointFiles } from './dashboard-checkpoints.js';

/** Where the dashboard reads from. */
export interface DashboardOptions {
  /** The moxing home whose moxing.db holds the runs (default $MOXING_HOME, else ~/.moxing). */
  home?: string;
  /** A store to read instead of opening the home's (tests). */
  store?: RunStore;
  /** Where result JSON files are listed from (default <home>/analysis, where the analyses keep their latest result, <home>/reports, then ./reports). */
  reportsDirs?: readonly string[];
  /** The built web app (default the package's web/dist). */
  webDir?: string;
  /** How often a live stream polls the store for new points (default 500 ms). */
  pollMs?: number;
}

/**
 * The metrics label of a dashboard path, or null for other paths.
 * @example dashboardRoute('/api/runs/3fa9'); // '/api'
 */
export function dashboardRoute(path: string): string | null {
  if (path.startsWith('/api/')) return '/api';
  if (path === '/' || path === '/index.html') return '/';
  return path.startsWith('/assets/') ? '/assets' : null;
}

/** Waits ms, or less if the signal aborts; leaves no listener behind (a live stream polls for hours). */
const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((done) => {
  const onAbort = () => { clearTimeout(t); done(); };
  const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); done(); }, ms);
  signal.addEventListener('abort', onAbort, { once: true });
});

/** What the store recorded, then the files of the checkpoint in the run directory not recorded already. */
function artifactsOf(runDir: string | null, recorded: readonly Artifact[]): ArtifactView[] {
  const out: ArtifactView[] = recorded.map(({ path, kind, size, sha256, createdAt }) => ({ path, kind, step: null, size, sha256, createdAt }));
  if (runDir) {
    const seen = new Set(out.map((a) => a.path));
    for (const f of checkpointFiles(runDir)) if (!seen.has(f.path)) out.push(f);
  }
  return out;
}

function cursorParam(v: string | undefined): number {
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw invalidRequest(`afterId must be a non-negative integer, got '${v}'.`, 'afterId');
  return n;
}

/**
 * Adds /api/... and the web app to a server app; /api needs the same bearer key as /v1 when keys are set.
 * The store is opened on the first /api request, so an app that is never asked opens nothing.
 * @example mountDashboard(app, { registry, checkKey: bearerCheck([]), home: '/tmp/mx' });
 */
export function mountDashboard<E extends Env>(
  app: Hono<E>, options: DashboardOptions & { registry: ModelRegistry; checkKey: (header: string | undefined) => void },
): void {
  const { registry, checkKey } = options;
  const home = options.home ?? moxingHome();
  const reportsDirs = options.reportsDirs ?? [join(home, 'analysis'), join(home, 'reports'), join(process.cwd(), 'reports')];
  const webDir = options.webDir ?? defaultDashboardDir();
  const pollMs = options.pollMs ?? 500;
  let store: RunStore | undefined = options.store;
  let view: RunView | undefined;
  const open = (): { store: RunStore; view: RunView } => {
    store ??= RunStore.open(home);
    view ??= new RunView(store);
    return { store, view };
  };
  const findRun = (id: string) => {
    let run;
    try {
      run = open().store.getRun(id);
    } catch (err) {
      throw invalidRequest((err as Error).message, 'id'); // an ambiguous prefix
    }
    if (!run) throw new ApiError(404, `No run '${id}'.`, { code: 'run_not_found' });
    return run;
  };

  const api = new Hono();
  api.use('*', async (c, next) => {
    checkKey(c.req.header('Authorization'));
    await next();
  });

  api.get('/runs', (c) => {
    const limit = Number(c.req.query('limit') ?? 500);
    if (!Number.isSafeInteger(limit) || limit < 1) throw invalidRequest('limit must be a positive integer.', 'limit');
    const kind = c.req.query('kind') || undefined;
    const { store: s, view: v } = open();
    const body: RunsResponse = { runs: s.listRuns({ kind, limit }).map((r) => v.row(r)) };
    return c.json(body);
  });

  api.get('/runs/:id', (c) => {
    const run = findRun(c.req.param('id'));
    const { store: s, view: v } = open();
    const body: RunDetailResponse = {
      run: v.row(run),
      artifacts: artifactsOf(run.runDir, s.artifacts(run.id)),
      metricNames: s.metricNames(run.id),
      children: s.listRuns({ parentRunId: run.id }).map((r) => ({ id: r.id, kind: r.kind, status: r.status, startedAt: r.startedAt })),
    };
    return c.json(body);
  });

  api.get('/runs/:id/metrics', (c) => {
    const run = findRun(c.req.param('id'));
    const afterId = cursorParam(c.req.query('afterId'));
    const names = c.req.query('names')?.split(',').filter(Boolean);
    const points = open().store.metrics(run.id, { afterId, names });
    const body: MetricsResponse = { runId: run.id, status: run.status, points: pointsView(points), cursor: nextCursor(afterId, points) };
    return c.json(body);
  });

  // New points as they are written: one event per poll that found some (or every ~10 s, with the
  // status), ending with [DONE] once the run is no longer running.
  api.get('/runs/:id/stream', (c) => {
    const first = findRun(c.req.param('id'));
    let cursor = cursorParam(c.req.query('afterId'));
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, c.req.raw.signal]);
    async function* events(): AsyncGenerator<MetricsResponse> {
      let quiet = 0;
      let status = first.status;
      for (let i = 0; !signal.aborted; i++) {
        if (i > 0) {
          await sleep(pollMs, signal);
          status = open().store.getRun(first.id)?.status ?? 'failed';
        }
        // Read after the status, so the points a run wrote before finishing are all sent.
        const points = open().store.metrics(first.id, { afterId: cursor });
        cursor = nextCursor(cursor, points);
        quiet += pollMs;
        if (i === 0 || points.length > 0 || quiet >= 10_000 || status !== 'running') {
          quiet = 0;
          yield { runId: first.id, status, points: pointsView(points), cursor };
        }
        if (status !== 'running') return;
      }
    }
    return sseResponse(events(), () => stop.abort());
  });

  api.get('/models', (c) => {
    const served: ServedModel[] = registry.list().map((m) => {
      if (m.kind === 'classical') {
        const p = m.predictor;
        return { kind: 'classical', id: m.id, created: m.created, task: p.task, features: p.features ? [...p.features] : null, labels: p.labels ? [...p.labels] : null };
      }
      const { vocabSize, blockSize, nLayer, nHead, nEmbd, bias } = m.model.config;
      return {
        kind: 'language', id: m.id, created: m.created, config: { vocabSize, blockSize, nLayer, nHead, nEmbd, bias },
        parameters: countGptParameters(m.model.config), labels: m.labels ? [...m.labels] : null, chatTemplate: !m.defaultChatTemplate,
      };
    });
    const body: ModelsResponse = { served, registry: open().store.listModels() };
    return c.json(body);
  });

  api.get('/reports', (c) => {
    const body: ReportsResponse = { reports: listReports(reportsDirs), dirs: [...reportsDirs] };
    return c.json(body);
  });

  api.get('/reports/:name', (c) => {
    const name = c.req.param('name');
    let content: unknown;
    try {
      content = readReport(reportsDirs, name);
    } catch (err) {
      throw new ApiError(500, `The report '${name}' is not valid JSON: ${(err as Error).message}`, { code: 'bad_report' });
    }
    if (content === undefined) throw new ApiError(404, `No report '${name}'.`, { code: 'report_not_found' });
    return c.json(content as object);
  });

  app.route('/api', api);
  // Only the dashboard's own files: any other path keeps the API's JSON 404.
  app.get('*', async (c) => {
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/v1/')) return c.notFound();
    return (await serveDashboard(c.req.path, webDir)) ?? c.notFound();
  });
}
