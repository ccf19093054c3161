// Chat templates: how conversation turns become one prompt for a GPT that continues as the assistant.

import type { ChatTemplate } from './run-dir.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The template moxing's QA/instruction fine-tuning stores with a model. */
export const DEFAULT_CHAT_TEMPLATE: ChatTemplate = {
  system: '{content}\n',
  user: 'Question: {content}\n',
  assistant: 'Answer: ',
  end: '\n',
};

/**
 * The prompt for `messages`, ending with the assistant prefix so the model writes the reply.
 * Past assistant turns are closed with `end`.
 * @example renderChat([{ role: 'user', content: 'What is the capital of France?' }]) // 'Question: What is the capital of France?\nAnswer: '
 */
export function renderChat(messages: readonly ChatMessage[], template: ChatTemplate = DEFAULT_CHAT_TEMPLATE): string {
  let out = '';
  for (const [i, m] of messages.entries()) {
    if (m.role !== 'system' && m.role !== 'user' && m.role !== 'assistant') throw new Error(`chat message ${i}: role must be 'system', 'user' or 'assistant', got '${String(m.role)}'`);
    if (typeof m.content !== 'string') throw new Error(`chat message ${i}: content must be a string, got ${m.content === null ? 'null' : typeof m.content}`);
    if (m.role === 'system') out += template.system.replace('{content}', m.content);
    else if (m.role === 'user') out += template.user.replace('{content}', m.content);
    else out += `${template.assistant}${m.content}${template.end}`;
  }
  return out + template.assistant;
}
