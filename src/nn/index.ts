// The nn layer's public surface.

export { Module, Parameter, Buffer, countParameters, type LoadStateDictOptions } from './module.js';
export { Layer, Linear, Embedding, LayerNorm, Dropout, ReLU, Tanh, Sigmoid, GELU, Sequential, MLP, type Activation, type MLPOptions, type LayerOptions } from './layers.js';
export * as init from './init.js';
export * as functional from './functional.js';
export { Conv2d, MaxPool2d, AvgPool2d, Flatten, type Conv2dLayerOptions } from './conv.js';
