// A small convolutional image classifier (LeNet-style, LeCun et al. 1998): [conv -> ReLU -> max-pool] x k, then dense layers.

import { Classifier, encodeLabels, type ClassifierState } from './base.js';
import { checkCols, toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';
import { predictNetwork, softmaxRows, trainNetwork, type TrainOptions } from './neural.js';
import { Layer, Linear, ReLU, Sequential } from '../nn/layers.js';
import { Conv2d, Flatten, MaxPool2d } from '../nn/conv.js';
import { Rng } from '../tensor/random.js';

/** Parameters of {@link CNNClassifier}. */
export interface CNNClassifierParams extends TrainOptions {
  /** [channels, height, width] of one image; each row of X holds one image in this order. */
  imageShape: readonly [number, number, number];
  /** Output channels of each conv block (conv k x k, same padding, ReLU, 2x2 max-pool while the map is >= 2 wide). */
  channels: readonly number[];
  kernelSize: number;
  /** Widths of the dense hidden layers after the conv blocks (none by default). */
  hiddenLayerSizes: readonly number[];
  seed: number;
}

/** Learned state of {@link CNNClassifier}: every parameter by its state-dict name. */
export interface CNNClassifierState extends ClassifierState {
  weights: Record<string, Float32Array>;
  nIter: number;
  lossCurve: number[];
  bestValidationScore: number | null;
}

/**
 * The network for images of `imageShape` and `nClasses` outputs.
 * @example buildCnn([1, 28, 28], [8, 16], 3, [], 10, new Rng(0)) // 28 -> 14 -> 7, then Linear(16·7·7, 10)
 */
export function buildCnn(imageShape: readonly [number, number, number], channels: readonly number[], kernelSize: number, hidden: readonly number[], nClasses: number, rng: Rng): Sequential {
  const layers: Layer[] = [];
  let [c, h, w] = imageShape;
  const pad = Math.floor(kernelSize / 2);
  for (const out of channels) {
    layers.push(new Conv2d(c, out, kernelSize, { padding: pad, rng }), new ReLU());
    // "Same" padding keeps the map size for odd kernels: h + 2·pad - k + 1.
    h = h + 2 * pad - kernelSize + 1;
    w = w + 2 * pad - kernelSize + 1;
    if (h >= 2 && w >= 2) {
      layers.push(new MaxPool2d(2));
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    }
    c = out;
  }
  layers.push(new Flatten());
  let width = c * h * w;
  for (const size of hidden) {
    layers.push(new Linear(width, size, { rng }), new ReLU());
    width = size;
  }
  layers.push(new Linear(width, nClasses, { rng }));
  return new Sequential(...layers);
}

const nets = new WeakMap<CNNClassifierState, Sequential>();

/**
 * A convolutional classifier for images given as rows (N, C·H·W), trained with Adam on cross-entropy.
 * @example new CNNClassifier({ imageShape: [1, 8, 8], channels: [16, 32], maxIter: 20 }).fit(X, y).score(Xtest, yTest);
 */
export class CNNClassifier extends Classifier<CNNClassifierParams, CNNClassifierState> {
  readonly kind = 'CNNClassifier';
  constructor(params: Partial<CNNClassifierParams> = {}) {
    super({
      imageShape: [1, 28, 28], channels: [8, 16], kernelSize: 3, hiddenLayerSizes: [],
      alpha: 1e-4, learningRateInit: 1e-3, maxIter: 10, batchSize: 64, tol: 1e-4, nIterNoChange: 10,
      earlyStopping: false, validationFraction: 0.1, seed: 0,
    }, params);
  }

  private build(nClasses: number, rng: Rng): Sequential {
    const { imageShape, channels, kernelSize, hiddenLayerSizes } = this.params;
    if (imageShape.length !== 3 || !imageShape.every((d) => Number.isInteger(d) && d >= 1)) throw new Error(`imageShape must be [channels, height, width], got [${imageShape.join(', ')}]`);
    if (!(Number.isInteger(kernelSize) && kernelSize >= 1 && kernelSize % 2 === 1)) throw new Error(`kernelSize must be an odd positive integer, got ${kernelSize}`);
    return buildCnn(imageShape, channels, kernelSize, hiddenLayerSizes, nClasses, rng);
  }

  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X);
    const [c, h, w] = this.params.imageShape;
    checkCols(M, c * h * w);
    const { classes, index } = encodeLabels(toVector(y, M.rows));
    if (classes.length < 2) throw new Error('CNNClassifier needs at least two classes in y');
    const rng = new Rng(this.params.seed);
    const net = this.build(classes.length, rng);
    const report = trainNetwork(net, Float32Array.from(M.data), this.params.imageShape, { kind: 'classes', y: index }, this.params, rng, classes.length);
    const weights: Record<string, Float32Array> = {};
    for (const [name, t] of Object.entries(net.stateDict())) weights[name] = Float32Array.from(t.dataSync());
    const state: CNNClassifierState = { classes, weights, nIter: report.nIter, lossCurve: report.lossCurve, bestValidationScore: report.bestValidationScore };
    nets.set(state, net);
    return this.setState(state);
  }

  private net(): Sequential {
    const s = this.state;
    let net = nets.get(s);
    if (!net) {
      net = this.build(s.classes.length, new Rng(0));
      for (const [name, t] of Object.entries(net.stateDict())) {
        const w = s.weights[name];
        if (!w || w.length !== t.size) throw new Error(`CNNClassifier state: parameter ${name} is missing or has the wrong size`);
        t.write(w);
      }
      nets.set(s, net);
    }
    return net;
  }

  predictProba(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    const [c, h, w] = this.params.imageShape;
    checkCols(M, c * h * w);
    const K = this.state.classes.length;
    const Z = predictNetwork(this.net(), Float32Array.from(M.data), this.params.imageShape, K, 256);
    return { data: softmaxRows(Z, K), rows: M.rows, cols: K };
  }

  parameterCount(): number {
    return Object.values(this.state.weights).reduce((n, w) => n + w.length, 0);
  }
}
