// The same GPT code on cpu-strict, the device that forbids host reads: training, generation,
// checkpoints, fine-tuning, classification and embeddings match the cpu, and a 300-step loop holds
// steady live buffers.

import { initBackends } from '../backends/index.js';
import { deviceGptTests } from './test-device-gpt.js';
import { deviceFinetuneTests } from './test-device-finetune.js';

initBackends();
deviceGptTests('cpu-strict', { tol: 1e-5, countsBuffers: true });
deviceFinetuneTests('cpu-strict', 1e-5);
