// Model selection: splits, cross-validation, grid search.
export { trainTestSplit, kFold, stratifiedKFold, permutation, type Split } from '../../data/split.js';
export * from './cross-validate.js';
