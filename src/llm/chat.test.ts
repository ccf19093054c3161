import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderChat } from './chat.js';

test('renderChat: the three roles render; another role or a content that is not text is refused by its index', () => {
  assert.equal(renderChat([{ role: 'user', content: 'What is 2 + 2?' }]), 'Question: What is 2 + 2?\nAnswer: ');
  assert.throws(() => renderChat([{ role: 'user', content: 'hi' }, { role: 'wizard' as never, content: 'x' }]), /chat message 1: role must be 'system', 'user' or 'assistant', got 'wizard'/);
  assert.throws(() => renderChat([{ role: 'user', content: null as never }]), /chat message 0: content must be a string, got null/);
});
