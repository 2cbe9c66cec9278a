import { defineStrategy, z } from '../../sdk';

/**
 * `pairs-trading` (portfolio kind): a statistical-arbitrage pair. The spread is log(A) − log(B) of
 * the two symbols' closes (`a`, `b`; default the first two of the universe, in symbol order); its
 * z-score over `lookback` bars opens the pair at ±`entry` (short the rich leg, long the cheap one, each
 * `weight`) and closes it when |z| falls under `exit`. Returns `null` while nothing changes.
 */
export const pairsTrading = defineStrategy({
  kind: 'portfolio',
  name: 'pairs-trading',
  description:
    'Pairs trading (portfolio): trade the z-score of the log price spread of two symbols; enter at ±entry, exit inside ±exit',
  params: z
    .object({
      a: z.string().default('').describe('first leg (default: first symbol of the universe)'),
      b: z.string().default('').describe('second leg (default: second symbol of the universe)'),
      lookback: z.number().int().min(5).default(60),
      entry: z.number().positive().default(2),
      exit: z.number().min(0).default(0.5),
      weight: z.number().positive().max(1).default(0.5).describe('gross weight per leg'),
    })
    .strict(),
  init: (p) => ({ p, spreads: [] as number[], pos: 0, a: p.a, b: p.b }),
  onBar(s, view) {
    if (!s.a || !s.b) {
      const u = [...view.universe].sort();
      if (u.length < 2) return null;
      s.a = s.a || u[0];
      s.b = s.b || (u[0] === s.a ? u[1] : u[0]);
    }
    const spread = Math.log(view.close(s.a)) - Math.log(view.close(s.b));
    if (!Number.isFinite(spread)) return null;
    s.spreads.push(spread);
    if (s.spreads.length > s.p.lookback) s.spreads.shift();
    if (s.spreads.length < s.p.lookback) return null;
    let mean = 0;
    for (const x of s.spreads) mean += x;
    mean /= s.spreads.length;
    let v = 0;
    for (const x of s.spreads) v += (x - mean) * (x - mean);
    const sd = Math.sqrt(v / (s.spreads.length - 1));
    if (!(sd > 0)) return null;
    const zs = (spread - mean) / sd;
    let want = s.pos;
    if (s.pos === 0 && zs > s.p.entry) want = -1;
    else if (s.pos === 0 && zs < -s.p.entry) want = 1;
    else if (s.pos !== 0 && Math.abs(zs) < s.p.exit) want = 0;
    if (want === s.pos) return null;
    s.pos = want;
    return { [s.a]: want * s.p.weight, [s.b]: -want * s.p.weight };
  },
});
