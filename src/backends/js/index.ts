// The js reference backend: plain loops over float32 and float64, the living spec of every kernel.

import type { Backend, Kernels } from '../backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { matmul } from './matmul.js';
import { unary, unaryBackward, binary } from './elementwise.js';
import { softmax } from './softmax.js';
import { layerNorm, layerNormBackward } from './layer-norm.js';
import { crossEntropy, crossEntropyBackward } from './cross-entropy.js';
import { attention, attentionBackward, packedAttention, packedAttentionBackward } from './attention.js';
import { embedding, embeddingBackward } from './embedding.js';
import { adamw } from './adamw.js';
import { linearInt8 } from './linear-int8.js';

export const jsKernels: Kernels = {
  matmul, unary, unaryBackward, binary, softmax, layerNorm, layerNormBackward, crossEntropy, crossEntropyBackward,
  attention, attentionBackward, packedAttention, packedAttentionBackward, embedding, embeddingBackward, adamw, linearInt8,
};

/** The reference backend; storage lives on the JS heap. */
export const jsBackend: Backend = {
  name: 'js',
  alloc: allocArray,
  kernels: jsKernels,
};
