// The dashboard API's response shapes (/api/...): the one contract between the server and web/.
// Types only and no imports, so web/ can import this file without pulling in Node code.

/** A run's status; 'interrupted' also stands for a 'running' run whose process is gone. */
export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted';

/** The size of a GPT, as config.json and the tracked configs store it. */
export interface GptShape {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  bias?: boolean;
}

/** GET /api/runs: one row (a tracked Run plus what the tables and the scaling chart need). */
export interface RunRow {
  id: string;
  kind: string;
  name: string | null;
  status: RunStatus;
  config: Record<string, unknown>;
  parentRunId: string | null;
  initFrom: string | null;
  runDir: string | null;
  startedAt: string;
  endedAt: string | null;
  heartbeatAt: string | null;
  lastStep: number | null;
  /** The latest value of every metric. */
  summary: Record<string, number>;
  /** The GPT's size, from the run's config or its run directory's config.json; null when unknown. */
  model: GptShape | null;
  /** Parameter count of that GPT (tied embeddings, as moxing builds it). */
  parameters: number | null;
  /** The lowest valLoss logged. */
  bestValLoss: number | null;
}

/** GET /api/runs */
export interface RunsResponse {
  runs: RunRow[];
}

/** One file or directory a run produced: recorded in the store, or found in its run directory. */
export interface ArtifactView {
  path: string;
  kind: string | null;
  /** The training step of a checkpoint file (its state.json), when known. */
  step: number | null;
  size: number;
  /** Null for checkpoint files read from the run directory (not hashed on a page view). */
  sha256: string | null;
  createdAt: string;
}

/** Which metrics a run has. */
export interface MetricNameView {
  name: string;
  count: number;
  firstStep: number;
  lastStep: number;
}

/** GET /api/runs/:id */
export interface RunDetailResponse {
  run: RunRow;
  artifacts: ArtifactView[];
  metricNames: MetricNameView[];
  /** Runs that continued from this one. */
  children: { id: string; kind: string; status: RunStatus; startedAt: string }[];
}

/** One logged value; `id` grows with every write (the cursor for live readers). */
export interface MetricPointView {
  id: number;
  step: number;
  name: string;
  /** null for NaN (JSON has no NaN). */
  value: number | null;
  time: number;
}

/**
 * GET /api/runs/:id/metrics?afterId=&names=, and each event of GET /api/runs/:id/stream
 * (`data: <MetricsResponse>`; the stream ends with `data: [DONE]` once the run is over).
 */
export interface MetricsResponse {
  runId: string;
  status: RunStatus;
  points: MetricPointView[];
  /** Pass as afterId to get only newer points. */
  cursor: number;
}

/** A model the server is serving now. */
export type ServedModel =
  | {
    kind: 'language';
    id: string;
    created: number;
    config: GptShape;
    parameters: number;
    /** Labels of a fine-tuned classifier head. */
    labels: string[] | null;
    /** False when the model has no chat template of its own (the default one is used). */
    chatTemplate: boolean;
  }
  | {
    kind: 'classical';
    id: string;
    created: number;
    /** 'regression', 'classification' or 'clustering'. */
    task: string;
    features: string[] | null;
    labels: string[] | null;
  };

/** One version of a registered model. */
export interface RegisteredModelView {
  name: string;
  version: number;
  kind: 'classical' | 'gpt';
  path: string;
  metrics: Record<string, number>;
  runId: string | null;
  description: string | null;
  createdAt: string;
}

/** GET /api/models */
export interface ModelsResponse {
  served: ServedModel[];
  registry: RegisteredModelView[];
}

/** GET /api/reports: the JSON result files (scaling, comparisons) the server found. */
export interface ReportInfo {
  /** File name, e.g. "scaling.json"; GET /api/reports/:name returns its content. */
  name: string;
  /** The directory it lies in. */
  dir: string;
  size: number;
  modifiedAt: string;
}

/** GET /api/reports */
export interface ReportsResponse {
  reports: ReportInfo[];
  /** Where the server looks, in order (the first file of a name wins). */
  dirs: string[];
}
