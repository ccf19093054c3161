// moxing's library entry: the tensor engine, nn, optim and backends (more layers export their own paths).

export * from './tensor/index.js';
export * as ops from './ops/index.js';
export {
  add, sub, mul, div, pow, maximum, neg, exp, log, sqrt, abs, tanh, sigmoid, relu, gelu, sum, mean, max, argmax,
  matmul, reshape, permute, transpose, slice, concat, stack, broadcastTo, embedding, gather, where, maskedFill,
  softmax, logSoftmax, crossEntropy, layerNorm, dropout, linear, scaledDotProductAttention,
} from './ops/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export { setBackend, getBackend, availableBackends } from './backends/registry.js';
export type { Backend, Kernels } from './backends/backend.js';
