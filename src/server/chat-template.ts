// Chat messages to prompt tokens, exactly as moxing's fine-tuning renders them (src/llm/chat.ts).

import { DEFAULT_CHAT_TEMPLATE, renderChat, type ChatMessage } from '../llm/chat.js';
import type { ChatTemplate } from '../llm/run-dir.js';
import type { Tokenizer } from '../text/tokenizer.js';

export { DEFAULT_CHAT_TEMPLATE };
export type { ChatMessage };

/**
 * Token ids for a conversation, ending with the assistant prefix so the model writes the reply.
 * Encoded as one string without special tokens, as in training, so a user cannot inject
 * `<|endoftext|>` (it stays plain text).
 * @example chatPromptIds(tokenizer, DEFAULT_CHAT_TEMPLATE, [{ role: 'user', content: 'Hi' }]); // ids of "Question: Hi\nAnswer: "
 */
export function chatPromptIds(tokenizer: Tokenizer, template: ChatTemplate, messages: readonly ChatMessage[]): number[] {
  return tokenizer.encode(renderChat(messages, template), { allowSpecial: false });
}
