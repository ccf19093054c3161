// Data: typed tables from CSV, row splits, IDX arrays.
export * from './table.js';
export * from './csv.js';
export * from './split.js';
export * from './idx.js';
