// Question answering with a chat-tuned GPT: render the template, generate until the end marker.

import type { Tokenizer } from '../text/tokenizer.js';
import type { GPT } from './gpt.js';
import type { ChatTemplate } from './run-dir.js';
import { DEFAULT_CHAT_TEMPLATE, renderChat, type ChatMessage } from './chat.js';
import { generate, type GenerateOptions } from './generate.js';
import { StreamDecoder } from './stream-decoder.js';

/**
 * The model's reply to a conversation (greedy unless options say otherwise), cut at the template's end.
 * @example await chat(model, tokenizer, [{ role: 'user', content: 'What is the capital of Peru?' }])
 */
export async function chat(
  model: GPT, tokenizer: Tokenizer, messages: readonly ChatMessage[], template: ChatTemplate = DEFAULT_CHAT_TEMPLATE,
  options: GenerateOptions = {},
): Promise<string> {
  const prompt = tokenizer.encode(renderChat(messages, template), { allowSpecial: false });
  const eot = tokenizer.tokenToId('<|endoftext|>');
  const decoder = new StreamDecoder(tokenizer, [template.end]);
  for await (const t of generate(model, prompt, { temperature: 0, maxNewTokens: 48, ...options, stopTokens: eot === undefined ? [] : [eot] })) {
    decoder.push(t.id);
    if (decoder.stopped) break;
  }
  decoder.flush();
  return decoder.text.trim();
}

/** One question, one answer. @example await ask(model, tokenizer, 'What is the chemical symbol of iron?') */
export function ask(model: GPT, tokenizer: Tokenizer, question: string, template?: ChatTemplate, options?: GenerateOptions): Promise<string> {
  return chat(model, tokenizer, [{ role: 'user', content: question }], template, options);
}
