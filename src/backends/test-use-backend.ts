// Preloaded with --import by the per-backend op-suite runs: registers the fast backends, applies MOXING_BACKEND.

import { initBackends } from './index.js';

initBackends();
