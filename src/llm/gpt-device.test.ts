// The same GPT code on cpu-strict, the device that forbids host reads: training, generation and
// checkpoints match the cpu, and a 300-step loop holds steady live buffers.

import { initBackends } from '../backends/index.js';
import { deviceGptTests } from './test-device-gpt.js';

initBackends();
deviceGptTests('cpu-strict', { tol: 1e-5, countsBuffers: true });
