import { z } from 'zod';
import { SmaStream } from '../indicators/moving-averages';
import { CANDLE_PATTERN_NAMES, PatternStream } from '../indicators/patterns';
import type { SingleStrategy } from '../strategy/types';

/** Parameters of `candle-pattern`. */
export const candlePatternParams = z
  .object({
    entry: z
      .enum(CANDLE_PATTERN_NAMES)
      .default('bullish-engulfing')
      .describe('candlestick pattern that opens a trade when flat'),
    exit: z
      .enum(['none', ...CANDLE_PATTERN_NAMES])
      .default('none')
      .describe('candlestick pattern that closes an open trade (none: only holdBars)'),
    holdBars: z
      .number()
      .int()
      .min(0)
      .default(10)
      .describe('close a trade this many bars after its entry decision (0: no limit)'),
    direction: z.enum(['long', 'short']).default('long').describe('side the entry pattern opens'),
    smaPeriod: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('trend filter: enter long only above this SMA of closes, short only below (0: off)'),
  })
  .strict();

/** Parsed parameters of `candle-pattern`. */
export type CandlePatternParams = z.output<typeof candlePatternParams>;

interface State {
  entry: PatternStream;
  exit: PatternStream | null;
  sma: SmaStream | null;
  side: 1 | -1;
  holdBars: number;
  isOpen: boolean;
  /** Bars since the entry decision while a trade is open. */
  held: number;
}

/**
 * `candle-pattern`: when flat, the `entry` pattern completing on a bar opens a trade on `direction`'s side
 * (with `smaPeriod`, only when the close is on the trend's side of its SMA; none during the SMA's warm-up);
 * an open trade closes (target 0) when the `exit` pattern completes or `holdBars` bars after the entry decision.
 * Patterns are `technicalindicators`' definitions over the current bar and the few before it, streamed.
 * An entry pattern while a trade is open decides nothing (no pyramiding, no reset of the holding clock).
 */
export const candlePattern: SingleStrategy<CandlePatternParams, State> = {
  kind: 'single',
  name: 'candle-pattern',
  description:
    'Enter on a candlestick pattern (optionally with the SMA trend), exit on another pattern or after N bars',
  params: candlePatternParams,
  init: (p) => ({
    entry: new PatternStream(p.entry),
    exit: p.exit === 'none' ? null : new PatternStream(p.exit),
    sma: p.smaPeriod > 0 ? new SmaStream(p.smaPeriod) : null,
    side: p.direction === 'long' ? 1 : -1,
    holdBars: p.holdBars,
    isOpen: false,
    held: 0,
  }),
  onBar(s, bar) {
    // Every stream sees every bar, so a pattern spanning an entry or exit bar is still recognised.
    const entered = s.entry.next(bar);
    const exited = s.exit !== null && s.exit.next(bar);
    const ma = s.sma === null ? Number.NaN : s.sma.next(bar.close);
    if (s.isOpen) {
      s.held++;
      if (exited || (s.holdBars > 0 && s.held >= s.holdBars)) {
        s.isOpen = false;
        return 0;
      }
      return null;
    }
    if (!entered) return null;
    if (s.sma !== null && !(s.side > 0 ? bar.close > ma : bar.close < ma)) return null;
    s.isOpen = true;
    s.held = 0;
    return s.side;
  },
};
