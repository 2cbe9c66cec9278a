import { defineStrategy, z } from '../../sdk';

/**
 * `dual-momentum` (portfolio kind): Antonacci's dual momentum over the universe. On the first trading
 * day of each month, rank every symbol by its `lookback`-day return (relative momentum), and hold the
 * best `top` with a return above `minReturn` (absolute momentum), equally weighted; cash when none
 * qualifies. Between month starts it returns `null` (the book is kept).
 */
export const dualMomentum = defineStrategy({
  kind: 'portfolio',
  name: 'dual-momentum',
  description:
    'Dual momentum (portfolio): monthly, hold the top N symbols by trailing return if that return beats the absolute hurdle, else cash',
  params: z
    .object({
      lookback: z.number().int().min(2).default(126).describe('momentum window in trading days'),
      top: z.number().int().min(1).default(1).describe('symbols held'),
      minReturn: z.number().default(0).describe('absolute-momentum hurdle (0: beat cash)'),
    })
    .strict(),
  init: (p) => ({ p, month: -1 }),
  onBar(s, view) {
    const d = new Date(view.date);
    const month = d.getUTCFullYear() * 12 + d.getUTCMonth();
    if (month === s.month) return null;
    s.month = month;
    const scored: [string, number][] = [];
    for (const sym of view.universe) {
      const now = view.close(sym);
      const then = view.closeLag(sym, s.p.lookback);
      const r = now / then - 1;
      if (Number.isFinite(r) && r > s.p.minReturn) scored.push([sym, r]);
    }
    scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const picks = scored.slice(0, s.p.top);
    const w: Record<string, number> = {};
    for (const [sym] of picks) w[sym] = 1 / picks.length;
    return w;
  },
});
