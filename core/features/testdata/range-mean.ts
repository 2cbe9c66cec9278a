import { defineFeature, z } from 'quantdesk/sdk';

// Mean of (high - low) / close over `period` bars: a batch form only; the streaming form is derived.
export default defineFeature({
  name: 'range-mean',
  description: 'mean of (high - low) / close over period bars',
  params: z.object({ period: z.number().int().min(1).max(500).default(10) }).strict(),
  window: (p) => p.period,
  batch(bars, p) {
    const out = new Float64Array(bars.length).fill(NaN);
    for (let i = p.period - 1; i < bars.length; i++) {
      let sum = 0;
      for (let k = i - p.period + 1; k <= i; k++) sum += (bars.high[k] - bars.low[k]) / bars.close[k];
      out[i] = sum / p.period;
    }
    return out;
  },
});
