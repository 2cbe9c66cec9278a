import { defineStrategy, indicators, crossedAbove, crossedBelow, z } from 'quantdesk/sdk';

// The built-in ema-cross, written the way a user would (the generic sweep benchmark's user strategy).
export default defineStrategy({
  name: 'my-ema',
  description: 'EMA cross written on the SDK',
  params: z
    .object({ fast: z.number().int().min(1).default(10), slow: z.number().int().min(2).default(20) })
    .strict()
    .refine((p) => p.fast < p.slow, { message: 'fast must be < slow', path: ['fast'] }),
  init: (p) => ({ fast: indicators.ema(p.fast), slow: indicators.ema(p.slow), prevFast: NaN, prevSlow: NaN }),
  onBar(s, bar) {
    const f = s.fast.next(bar.close);
    const sl = s.slow.next(bar.close);
    const up = crossedAbove(s.prevFast, s.prevSlow, f, sl);
    const down = crossedBelow(s.prevFast, s.prevSlow, f, sl);
    s.prevFast = f;
    s.prevSlow = sl;
    return up ? 1 : down ? -1 : null;
  },
});
