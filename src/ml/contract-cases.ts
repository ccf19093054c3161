// Contract cases for estimators defined outside the classical core (the neural models), added to the common suite.

import type { ContractCase } from './contract.test.js';
import { MLPClassifier, MLPRegressor } from './mlp.js';
import { CNNClassifier } from './cnn.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from './hist-gbm.js';

/** Extra estimators the contract suite runs over. */
export const extraContractCases: ContractCase[] = [
  { name: 'MLPClassifier', kind: 'classifier', make: (seed) => new MLPClassifier({ hiddenLayerSizes: [16], learningRateInit: 0.01, maxIter: 100, seed }) },
  { name: 'MLPRegressor', kind: 'regressor', make: (seed) => new MLPRegressor({ hiddenLayerSizes: [8], learningRateInit: 0.01, maxIter: 30, seed }) },
  { name: 'HistGradientBoostingRegressor', kind: 'regressor', make: (seed) => new HistGradientBoostingRegressor({ maxIter: 20, minSamplesLeaf: 5, seed }) },
  { name: 'HistGradientBoostingClassifier', kind: 'classifier', make: (seed) => new HistGradientBoostingClassifier({ maxIter: 10, minSamplesLeaf: 5, seed }) },
  // Iris rows as 2x2 one-channel "images": 1x1 convolutions, a pool, a dense output.
  { name: 'CNNClassifier', kind: 'classifier', make: (seed) => new CNNClassifier({ imageShape: [1, 2, 2], channels: [8], kernelSize: 1, learningRateInit: 0.02, maxIter: 60, batchSize: 16, seed }) },
];
