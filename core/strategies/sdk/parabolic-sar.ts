import { defineStrategy, z } from '../../sdk';

/**
 * `parabolic-sar`: Wilder's parabolic stop-and-reverse, computed bar by bar in the strategy's state
 * (acceleration `step` up to `max`). Long while the trend is up (price above the SAR), short/exit when
 * the SAR flips above price. A flip is decided at the close of the bar whose range crossed the SAR.
 */
export const parabolicSar = defineStrategy({
  name: 'parabolic-sar',
  description: 'Parabolic SAR (Wilder): long on a flip to an up trend, short/exit on a flip down',
  params: z
    .object({
      step: z.number().positive().default(0.02).describe('acceleration factor step'),
      max: z.number().positive().default(0.2).describe('maximum acceleration factor'),
    })
    .strict(),
  init: (p) => ({ p, n: 0, up: true, sar: NaN, ep: NaN, af: p.step, prevHigh: NaN, prevLow: NaN }),
  onBar(s, bar) {
    s.n++;
    if (s.n === 1) {
      s.prevHigh = bar.high;
      s.prevLow = bar.low;
      return null;
    }
    if (s.n === 2) {
      // Seed: the trend of the first two bars, SAR at the first bar's extreme.
      s.up = bar.close >= s.prevLow + (s.prevHigh - s.prevLow) / 2;
      s.sar = s.up ? Math.min(s.prevLow, bar.low) : Math.max(s.prevHigh, bar.high);
      s.ep = s.up ? bar.high : bar.low;
      s.prevHigh = bar.high;
      s.prevLow = bar.low;
      return null;
    }
    let sar = s.sar + s.af * (s.ep - s.sar);
    let flipped = false;
    if (s.up) {
      sar = Math.min(sar, s.prevLow);
      if (bar.low < sar) {
        flipped = true;
        s.up = false;
        sar = s.ep;
        s.ep = bar.low;
        s.af = s.p.step;
      } else if (bar.high > s.ep) {
        s.ep = bar.high;
        s.af = Math.min(s.p.max, s.af + s.p.step);
      }
    } else {
      sar = Math.max(sar, s.prevHigh);
      if (bar.high > sar) {
        flipped = true;
        s.up = true;
        sar = s.ep;
        s.ep = bar.high;
        s.af = s.p.step;
      } else if (bar.low < s.ep) {
        s.ep = bar.low;
        s.af = Math.min(s.p.max, s.af + s.p.step);
      }
    }
    s.sar = sar;
    s.prevHigh = bar.high;
    s.prevLow = bar.low;
    return flipped ? (s.up ? 1 : -1) : null;
  },
});
