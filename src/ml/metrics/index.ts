// Metrics for regression, classification and clustering.
export * from './regression.js';
export * from './classification.js';
export * from './clustering.js';
