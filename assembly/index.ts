// The WebAssembly kernel module: every export the wasm backend calls (pointers are byte addresses).

export { gemm, gemmScratchBytes } from './gemm';
export { matmul, embedding, embeddingBackward, zero } from './misc';
export { unary, unaryBackward, binary, addInto, adamw } from './elementwise';
export { softmax, layerNorm, layerNormBackward, crossEntropy, crossEntropyBackward } from './rows';
export { attention, attentionBackward } from './attention';
export { linearInt8 } from './quant';
export { matvecT, attendCached } from './decode';
