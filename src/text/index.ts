// Public surface of the byte-level BPE tokenizer.

export { Tokenizer, type EncodeOptions, type DecodeOptions, type Encoding } from './tokenizer.js';
export { trainBpe, WordCounter, type TrainOptions, type TrainedBpe } from './bpe-train.js';
export { parseTokenizerJson, toTokenizerJson, tokenizerJsonText, type TokenizerSpec, type TokenizerJson, type AddedToken, type WriteOptions } from './tokenizer-json.js';
export { parseGpt2Files, END_OF_TEXT } from './gpt2-files.js';
export { pretokenize, GPT2_PATTERN } from './pretokenize.js';
export { BYTE_TO_CHAR, bytesToToken, tokenToBytes } from './byte-map.js';
