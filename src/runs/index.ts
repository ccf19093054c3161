// Experiment tracking and the model registry: the store, the tracker commands use, and loss-curve plots.

export * from './store.js';
export * from './tracker.js';
export { currentProcess, processGone, type ProcessIdentity } from './liveness.js';
export { hashPath } from './hash.js';
export { MIGRATIONS, type Migration } from './schema.js';
export { renderSvg, svgToPng, niceTicks, formatTick, type Series, type PlotOptions } from './plot.js';
export { defaultMetricNames, readMetricsJsonl, seriesFromPoints, seriesFromRows } from './series.js';
