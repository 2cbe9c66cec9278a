import { defineStrategy, ichimokuTargets, SwingTracker, z } from '../../sdk';

/**
 * `ichimoku-targets`: Ichimoku price targets. After an up wave A (low) → B (high) → C (higher low),
 * confirmed swings only, go long when the close breaks above B, with the take-profit at the chosen
 * target (V = B + (B − C), N = C + (B − A), E = B + (B − A), NT = C + (C − A)) and the stop at C; a down
 * wave mirrors it for shorts. One trade per wave.
 */
export const ichimokuTargetsStrategy = defineStrategy({
  name: 'ichimoku-targets',
  description:
    'Ichimoku price targets: trade the break of B after an A-B-C wave, take profit at the V, N, E or NT target, stop at C',
  params: z
    .object({
      strength: z.number().int().min(1).default(3).describe('bars on each side that confirm a swing'),
      target: z.enum(['v', 'n', 'e', 'nt']).default('n'),
    })
    .strict(),
  init: (p) => ({ p, swings: new SwingTracker(p.strength), tradedWave: -1 }),
  onBar(s, bar) {
    s.swings.next(bar);
    const list = s.swings.swings;
    const t = ichimokuTargets(list);
    if (!t) return null;
    const b = list[list.length - 2];
    const c = list[list.length - 1];
    if (s.tradedWave === c.index) return null;
    const level = t[s.p.target];
    if (t.direction === 1 && c.price > list[list.length - 3].price && bar.close > b.price && level > bar.close) {
      s.tradedWave = c.index;
      return { target: 1, takeProfit: level, stopLoss: c.price };
    }
    if (t.direction === -1 && c.price < list[list.length - 3].price && bar.close < b.price && level < bar.close) {
      s.tradedWave = c.index;
      return { target: -1, takeProfit: level, stopLoss: c.price };
    }
    return null;
  },
});
