// Contract cases for estimators defined outside the classical core (the neural models), added to the common suite.

import type { ContractCase } from './contract.test.js';
import { MLPClassifier, MLPRegressor } from './mlp.js';

/** Extra estimators the contract suite runs over. */
export const extraContractCases: ContractCase[] = [
  { name: 'MLPClassifier', kind: 'classifier', make: (seed) => new MLPClassifier({ hiddenLayerSizes: [16], learningRateInit: 0.01, maxIter: 100, seed }) },
  { name: 'MLPRegressor', kind: 'regressor', make: (seed) => new MLPRegressor({ hiddenLayerSizes: [8], learningRateInit: 0.01, maxIter: 30, seed }) },
];
