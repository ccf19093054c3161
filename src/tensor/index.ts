// The tensor layer's public surface.

export { Tensor, type GradNode, type NestedArray, type TensorOptions } from './tensor.js';
export { type DType, type FloatArray, type TypedArray } from './dtype.js';
export { type Shape, ShapeError, broadcastShapes, sizeOf } from './shape.js';
export { noGrad, isGradEnabled } from './grad-mode.js';
export { Rng, type RngState, defaultRng, manualSeed } from './random.js';
export { tensor, fromArray, full, zeros, ones, zerosLike, arange, randn, rand, type CreateOptions, type RandomOptions } from './create.js';
export { gradCheck, type GradCheckResult } from './gradcheck.js';
