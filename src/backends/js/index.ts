// The js reference backend: plain loops over float32 and float64, the living spec of every kernel.

import type { Backend, Kernels } from '../backend.js';
import { allocArray } from '../../tensor/dtype.js';
import { matmul } from './matmul.js';
import { unary, unaryBackward, binary, maximumBackward } from './elementwise.js';
import { softmax, softmaxBackward } from './softmax.js';
import { fill, cast, copyStrided, broadcastBinary, where, notEqual } from './strided.js';
import { reduce, argmax, gather, scatterAdd, scatterAddFlat } from './reduce.js';
import { dropout } from './philox.js';
import { decodeAttention } from './decode-attention.js';
import { im2col, col2im, maxPool2d, avgPool2d, avgPool2dBackward } from './conv.js';
import { layerNorm, layerNormBackward } from './layer-norm.js';
import { crossEntropy, crossEntropyBackward } from './cross-entropy.js';
import { attention, attentionBackward, packedAttention, packedAttentionBackward } from './attention.js';
import { embedding, embeddingBackward } from './embedding.js';
import { adamw, adamwMulti } from './adamw.js';
import { l2NormMulti, clipScaleMulti } from './clip.js';
import { linearInt8 } from './linear-int8.js';

/** Every kernel of the table: the spec the other backends are tested against. */
export const jsKernels: Kernels = {
  fill, cast, copyStrided, broadcastBinary, reduce, argmax, gather, scatterAdd, where, notEqual, maximumBackward,
  softmaxBackward, dropout, decodeAttention, im2col, col2im, maxPool2d, avgPool2d, avgPool2dBackward, scatterAddFlat,
  matmul, unary, unaryBackward, binary, softmax, layerNorm, layerNormBackward, crossEntropy, crossEntropyBackward,
  attention, attentionBackward, packedAttention, packedAttentionBackward, embedding, embeddingBackward, adamw, adamwMulti, l2NormMulti, clipScaleMulti, linearInt8,
};

/** The reference backend; storage lives on the JS heap. */
export const jsBackend: Backend = {
  name: 'js',
  alloc: allocArray,
  kernels: jsKernels,
};
