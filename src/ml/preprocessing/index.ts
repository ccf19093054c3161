// Preprocessing: scalers, imputation, one-hot encoding, the table column transformer, polynomial and text features.
export * from './scalers.js';
export * from './imputer.js';
export * from './one-hot.js';
export * from './column-transformer.js';
export * from './polynomial.js';
export * from './text.js';
export * from './label-encoder.js';
