// `moxing serve --docs <dir>`: chat requests answered from a document index. The last user message
// gets the retrieved context in front of it (as `moxing ask --docs` does), and the response names
// the passages it used (a `sources` field, and an `x-moxing-sources` header for streams).

import type { Tokenizer } from '../text/tokenizer.js';
import { DocIndex } from '../text/doc-index.js';
import { contextQuestion, fitContext } from '../llm/docs-ask.js';
import { renderChat } from '../llm/chat.js';
import type { ChatTemplate } from '../llm/run-dir.js';
import type { ChatCompletionRequest } from './openai-types.js';

/** A passage a response used. */
export interface DocSource {
  source: string;
  start: number;
  score: number;
}

/** The index behind a server's chat, and how many passages each request retrieves. */
export interface ChatDocs {
  index: DocIndex;
  topK: number;
}

/**
 * Loads an index for the server.
 * @example createApp({ registry, docs: loadChatDocs('my-index') })
 */
export function loadChatDocs(dir: string, topK = 3): ChatDocs {
  return { index: DocIndex.load(dir), topK };
}

function textOf(content: ChatCompletionRequest['messages'][number]['content']): string {
  if (content === null || content === undefined) return '';
  return typeof content === 'string' ? content : content.map((p) => p.text).join('');
}

/**
 * The request with retrieved context before its last user message, and the sources; unchanged (no
 * sources) when there is no user message or nothing matches.
 * @example const { req: withContext, sources } = withDocs(req, docs, entry.tokenizer, entry.chatTemplate, 128)
 */
export function withDocs(
  req: ChatCompletionRequest, docs: ChatDocs, tokenizer: Tokenizer, template: ChatTemplate, blockSize: number,
): { req: ChatCompletionRequest; sources: DocSource[] } {
  const last = req.messages.map((m) => m.role).lastIndexOf('user');
  if (last < 0) return { req, sources: [] };
  const question = textOf(req.messages[last].content);
  const passages = docs.index.search(question, docs.topK);
  if (passages.length === 0) return { req, sources: [] };
  // Room for the context: the block less the conversation and the reply's budget (48 by default).
  const reply = Math.min(req.max_completion_tokens ?? req.max_tokens ?? 48, Math.floor(blockSize / 2));
  const turns = req.messages.map((m, i) => ({
    role: m.role === 'developer' || m.role === 'system' ? 'system' as const : m.role === 'assistant' ? 'assistant' as const : 'user' as const,
    content: i === last ? contextQuestion('x', question) : textOf(m.content),
  }));
  const frame = tokenizer.encode(renderChat(turns, template), { allowSpecial: false }).length;
  const context = fitContext(tokenizer, question, passages, blockSize - reply - frame);
  if (!context) return { req, sources: [] };
  const messages = req.messages.map((m, i) => (i === last ? { ...m, content: contextQuestion(context, question) } : m));
  return { req: { ...req, messages }, sources: passages.map((p) => ({ source: p.source, start: p.start, score: Number(p.score.toFixed(4)) })) };
}
