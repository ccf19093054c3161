// moxing/llm: the GPT, its sizes, pretraining with exact resume, generation, fine-tuning and run directories.

export { GPT, type GPTOutput } from './gpt.js';
export { PRESETS, validateConfig, configFromPreset, type GPTConfig, type Preset } from './config.js';
export { sizeReport, countGptParameters, trainingCompute, type SizeReport } from './size.js';
export { pretrain, resume, DEFAULT_TRAIN, type TrainOptions, type TrainHooks, type TrainResult, type StepMetrics } from './train.js';
export { generate, type GenerateOptions, type GeneratedToken } from './generate.js';
export { loadRun, readRunConfig, RunDirError, type LoadedRun, type RunConfig, type ChatTemplate } from './run-dir.js';
export { finetuneClassifier, finetuneQA, DEFAULT_FINETUNE, type FinetuneOptions } from './finetune.js';
export { GPTClassifier, loadClassifier, zeroShotClassify, type ClassifyResult } from './classify.js';
export { ask, chat } from './ask.js';
export { askWithDocs, fitContext, contextQuestion, type DocsAnswer, type DocsAskOptions } from './docs-ask.js';
export { renderChat, DEFAULT_CHAT_TEMPLATE, type ChatMessage } from './chat.js';
export { SHIPPED_MODELS, resolveModelPath } from './models.js';
