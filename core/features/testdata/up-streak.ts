import { defineFeature } from 'quantdesk/sdk';

// Consecutive up closes (recursive state): a streaming form only; the batch form steps it.
export default defineFeature({
  params: { cap: { type: 'integer', default: 50, minimum: 1 } },
  init: (p: { cap: number }) => ({ prev: NaN, n: 0, cap: p.cap }),
  next(s, bar) {
    s.n = bar.close > s.prev ? Math.min(s.cap, s.n + 1) : 0;
    s.prev = bar.close;
    return s.n;
  },
});
