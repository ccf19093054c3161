// Data: typed tables from CSV, row splits.
export * from './table.js';
export * from './csv.js';
export * from './split.js';
