// Contract cases for estimators defined outside the classical core (the neural models), added to the common suite.

import type { ContractCase } from './contract.test.js';

/** Extra estimators the contract suite runs over. */
export const extraContractCases: ContractCase[] = [];
