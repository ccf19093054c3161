// Public surface of the byte-level BPE tokenizer.

export { Tokenizer, type EncodeOptions, type DecodeOptions, type Encoding } from './tokenizer.js';
export { trainBpe, WordCounter, type TrainOptions, type TrainedBpe } from './bpe-train.js';
export { parseTokenizerJson, toTokenizerJson, tokenizerJsonText, type TokenizerSpec, type TokenizerJson, type AddedToken, type WriteOptions } from './tokenizer-json.js';
export { parseGpt2Files, END_OF_TEXT } from './gpt2-files.js';
export { pretokenize, GPT2_PATTERN } from './pretokenize.js';
export { BYTE_TO_CHAR, bytesToToken, tokenToBytes } from './byte-map.js';
// Retrieval: chunks, BM25, document indexes on disk, answers picked from retrieved text.
export { chunkText, splitSentences, DEFAULT_CHUNK, type Chunk, type ChunkOptions, type Sentence } from './chunk.js';
export { Bm25Index, bm25Terms, DEFAULT_BM25, type Bm25Params, type Bm25Hit } from './bm25.js';
export { DocIndex, buildDocIndex, readDocument, type DocIndexManifest, type Passage } from './doc-index.js';
export { bestSentence, extractAnswer } from './extract-answer.js';
export { htmlToText } from './html-text.js';
