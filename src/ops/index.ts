// The op table: every primitive and fused op, exported by name (no registration by side effect).

export { add, sub, mul, div, pow, maximum } from './arithmetic.js';
export { neg, exp, log, sqrt, abs, tanh, sigmoid, relu, gelu } from './unary.js';
export { sum, mean, max, argmax } from './reduce.js';
export { matmul } from './matmul.js';
export { reshape, permute, transpose, slice, concat, stack, broadcastTo, cast, copy, assign, toDevice, toDeviceAsync } from './layout.js';
export { embedding, gather } from './gather.js';
export { where, maskedFill } from './where.js';
export { softmax, logSoftmax } from './softmax.js';
export { crossEntropy, type CrossEntropyOptions } from './cross-entropy.js';
export { linearCrossEntropy, chunkRowsFor, LOGITS_CHUNK_BYTES, type LinearCrossEntropyOptions } from './linear-cross-entropy.js';
export { layerNorm } from './layer-norm.js';
export { dropout } from './dropout.js';
export { linear } from './linear.js';
export { scaledDotProductAttention, packedSelfAttention, type AttentionOptions } from './attention.js';
export { conv2d, type Conv2dOptions } from './conv2d.js';
export { maxPool2d, avgPool2d, type Pool2dOptions } from './pool2d.js';
export { getPrecision, setPrecision, type Precision } from './precision.js';
