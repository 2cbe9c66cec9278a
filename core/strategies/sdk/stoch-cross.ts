import { crossedAbove, crossedBelow, defineStrategy, indicators, z } from '../../sdk';

/**
 * `stoch-cross`: long when the slow stochastic's %K crosses above %D below the oversold level, short/exit
 * when it crosses below %D above the overbought level. Written on the SDK as a user would.
 */
export const stochCross = defineStrategy({
  name: 'stoch-cross',
  description:
    'Stochastic cross: long when %K crosses above %D in oversold territory, short/exit when it crosses below in overbought',
  params: z
    .object({
      period: z.number().int().min(1).default(14).describe('%K lookback'),
      smoothK: z.number().int().min(1).default(3),
      smoothD: z.number().int().min(1).default(3),
      oversold: z.number().min(0).max(100).default(30).describe('a long cross must happen below this %K'),
      overbought: z.number().min(0).max(100).default(70).describe('a short cross must happen above this %K'),
    })
    .strict(),
  init: (p) => ({ p, st: indicators.stoch(p.period, p.smoothK, p.smoothD), k: NaN, d: NaN }),
  onBar(s, bar) {
    const v = s.st.next(bar);
    const up = crossedAbove(s.k, s.d, v.k, v.d) && v.k < s.p.oversold;
    const down = crossedBelow(s.k, s.d, v.k, v.d) && v.k > s.p.overbought;
    s.k = v.k;
    s.d = v.d;
    return up ? 1 : down ? -1 : null;
  },
});
