import { z } from 'zod';
import { RsiStream, SmaStream } from '../indicators';
import { CANDLE_PATTERN_NAMES, PatternStream } from '../indicators/patterns';
import type { SingleStrategy } from '../strategy/types';

/** Parameters of `triple-confirmation`. */
export const tripleConfirmationParams = z
  .object({
    maPeriod: z.number().int().min(1).default(50).describe('trend: close vs its SMA'),
    rsiPeriod: z.number().int().min(2).default(14),
    rsiLevel: z.number().min(0).max(100).default(50).describe('momentum: RSI above (long) or below (short)'),
    volumePeriod: z.number().int().min(1).default(20).describe('volume above its SMA over the previous N bars'),
    pattern: z
      .enum(['none', ...CANDLE_PATTERN_NAMES])
      .default('none')
      .describe('candlestick pattern that must also complete on the signal bar (none: no pattern condition)'),
    patternSide: z.enum(['long', 'short', 'both']).default('long').describe('which signals the pattern must confirm'),
  })
  .strict();

/** Parsed parameters of `triple-confirmation`. */
export type TripleConfirmationParams = z.output<typeof tripleConfirmationParams>;

interface State {
  ma: SmaStream;
  rsi: RsiStream;
  vol: SmaStream;
  prevVolAvg: number;
  rsiLevel: number;
  /** The confirming pattern, or null when `pattern` is none (then nothing else changes). */
  pattern: PatternStream | null;
  /** Signal sides (1 long, -1 short) that need the pattern: 1, -1, or 0 for both. */
  patternSide: number;
  /** The last target decided (0 before any): a signal repeats only after the opposite one. */
  last: number;
}

/**
 * `triple-confirmation`: long when trend (close > SMA), momentum (RSI > level) and participation
 * (volume > its average over the previous `volumePeriod` bars) agree upward; short/exit when close < SMA
 * and RSI < level on above-average volume. A signal repeats only after the opposite one. The volume average excludes the
 * current bar so a spike is compared with what came before it. With `pattern`, the signals on `patternSide` also need
 * that candlestick pattern to complete on the signal bar; an unconfirmed signal decides nothing and may fire on a later
 * bar where the three conditions still agree and the pattern completes.
 */
export const tripleConfirmation: SingleStrategy<TripleConfirmationParams, State> = {
  kind: 'single',
  name: 'triple-confirmation',
  description:
    'Long when trend (close vs SMA), RSI and above-average volume agree; short/exit when they agree downward',
  params: tripleConfirmationParams,
  init: (p) => ({
    ma: new SmaStream(p.maPeriod),
    rsi: new RsiStream(p.rsiPeriod),
    vol: new SmaStream(p.volumePeriod),
    prevVolAvg: Number.NaN,
    rsiLevel: p.rsiLevel,
    pattern: p.pattern === 'none' ? null : new PatternStream(p.pattern),
    patternSide: p.patternSide === 'long' ? 1 : p.patternSide === 'short' ? -1 : 0,
    last: 0,
  }),
  onBar(s, bar) {
    const ma = s.ma.next(bar.close);
    const r = s.rsi.next(bar.close);
    const loud = bar.volume > s.prevVolAvg;
    s.prevVolAvg = s.vol.next(bar.volume);
    const zone = loud && bar.close > ma && r > s.rsiLevel ? 1 : loud && bar.close < ma && r < s.rsiLevel ? -1 : 0;
    // The pattern stream sees every bar, so a multi-candle pattern spans bars that were no signal.
    const confirmed = s.pattern === null || s.pattern.next(bar) || (s.patternSide !== 0 && s.patternSide !== zone);
    if (zone === 0 || zone === s.last || !confirmed) return null;
    s.last = zone;
    return zone;
  },
};
