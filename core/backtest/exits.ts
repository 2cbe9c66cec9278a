import { z } from 'zod';
import { AtrStream } from '../indicators/volatility';

/**
 * Spec-level protective exits: a stop-loss, a take-profit and a trailing stop that the engine puts on
 * every position any strategy opens, each in percent of the entry fill or in multiples of the ATR.
 *
 * ```json
 * "exits": { "stopLoss": { "pct": 5 }, "takeProfit": { "atr": 3, "period": 14 }, "trailingStop": { "pct": 8 } }
 * ```
 *
 * - `pct`: percent of the entry fill price (after slippage). A long's stop-loss sits at
 *   `entry × (1 − pct/100)`, its take-profit at `entry × (1 + pct/100)`; a short's mirror them.
 * - `atr` with `period` (default 14): `atr × ATR(period)` away from the entry fill, the ATR (TA-Lib's,
 *   Wilder smoothing) as of the last close known before the fill: bar i−1 for a `next-open` fill at
 *   bar i, bar i itself for a `close` fill. A name with fewer than `period + 1` bars by then gets no
 *   such level on that position (use `warmup` to give it history).
 * - `trailingStop`: `pct` below the best price since entry for a long (above it for a short); in ATR
 *   multiples the distance `atr × ATR / entry` is fixed as a fraction of the entry fill and then trails
 *   the best price by that fraction.
 *
 * The levels are checked by the engine's existing rules against each bar's high and low: a gap through
 * a level fills at the open, a touch fills at the level, stop and target both touched in one bar takes
 * the stop unless `intrabar` is `optimistic` (the trade is flagged `ambiguous` either way); the fixed
 * stop and the trailing stop act as one stop, the tighter of the two. A position entered at an open
 * is checked against that same bar's range. A strategy's own order intent wins for each level it names
 * (`stopLoss`, `takeProfit`, `trailingStopPct`); the spec fills the ones it leaves out. In a
 * cross-sectional run a stopped-out name stays flat until the next rebalance.
 */
const ExitLevelSchema = z
  .object({
    /** Percent of the entry fill price (5 = 5%). */
    pct: z.number().positive().optional(),
    /** Multiple of the ATR. */
    atr: z.number().positive().max(1000).optional(),
    /** ATR period in bars (with `atr` only). */
    period: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.pct === undefined) === (v.atr === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "pct" or "atr"' });
    if (v.period !== undefined && v.atr === undefined)
      ctx.addIssue({ code: 'custom', path: ['period'], message: '"period" goes with "atr"' });
  });

/** A stop or target below 100% (a long's 100% stop would sit at zero). */
const belowHundred = ExitLevelSchema.refine((v) => v.pct === undefined || v.pct < 100, {
  message: 'pct must be below 100',
  path: ['pct'],
});

export const ExitsSchema = z
  .object({
    stopLoss: belowHundred.optional(),
    takeProfit: ExitLevelSchema.refine((v) => v.pct === undefined || v.pct <= 10_000, {
      message: 'pct must be at most 10000',
      path: ['pct'],
    }).optional(),
    trailingStop: belowHundred.optional(),
  })
  .strict();

/** Spec-level exits as written (and echoed: no defaults are filled). */
export type Exits = z.output<typeof ExitsSchema>;
/** One exit level of {@link Exits}. */
export type ExitLevel = NonNullable<Exits['stopLoss']>;

/** The default ATR period. */
export const EXIT_ATR_PERIOD = 14;

/** The columns {@link SpecExits} reads: instrument-major OHLC, `s * nDays + i`. */
export interface ExitPanel {
  readonly nDays: number;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
}

/** True when `exits` sets at least one level. */
export function hasExits(exits: Exits | undefined): exits is Exits {
  return (
    exits !== undefined &&
    (exits.stopLoss !== undefined || exits.takeProfit !== undefined || exits.trailingStop !== undefined)
  );
}

/**
 * Turns {@link Exits} into a position's absolute levels at entry. ATR series are computed per
 * (name, period) on first use, over the name's bars with data from `first` on (missing bars carry
 * the last value), so a run pays for ATR only on names it enters.
 */
export class SpecExits {
  readonly #exits: Exits;
  readonly #panel: ExitPanel;
  readonly #first: number;
  readonly #atClose: boolean;
  readonly #tradedClose: Float64Array | null;
  readonly #atr = new Map<number, Float64Array>();

  /**
   * @param first the first panel bar the run may read (its warm-up start).
   * @param atClose whether entries fill at the decision bar's close (`fill: "close"`).
   * @param tradedClose the traded (raw) closes when `panel` holds adjusted (signal) prices: the ATR, measured on
   *   the continuous adjusted series (a split is no true range), is converted to traded units at its bar, since
   *   fills and levels are traded prices.
   */
  constructor(
    exits: Exits,
    panel: ExitPanel,
    first: number,
    atClose: boolean,
    tradedClose: Float64Array | null = null,
  ) {
    this.#exits = exits;
    this.#panel = panel;
    this.#first = first;
    this.#atClose = atClose;
    this.#tradedClose = tradedClose === panel.close ? null : tradedClose;
  }

  /**
   * Writes the levels of a position in `s` just opened at bar `i` at fill price `px` (long when `isLong`)
   * into `out` (`sl`, `tp` absolute prices; `trail` a fraction), NaN for a level the spec does not set.
   */
  levels(s: number, i: number, px: number, isLong: boolean, out: { sl: number; tp: number; trail: number }): void {
    const dir = isLong ? 1 : -1;
    const { stopLoss, takeProfit, trailingStop } = this.#exits;
    out.sl = stopLoss ? px - dir * this.#distance(stopLoss, s, i, px) : Number.NaN;
    out.tp = takeProfit ? px + dir * this.#distance(takeProfit, s, i, px) : Number.NaN;
    out.trail = trailingStop ? this.#distance(trailingStop, s, i, px) / px : Number.NaN;
    // An ATR stop wider than the price would sit at or below zero for a long: no level.
    if (isLong && !(out.sl > 0)) out.sl = Number.NaN;
    if (!(out.tp > 0)) out.tp = Number.NaN;
    if (!(out.trail > 0 && (!isLong || out.trail < 1))) out.trail = Number.NaN;
  }

  /** The level's distance from the entry price in price units (NaN without an ATR yet). */
  #distance(level: ExitLevel, s: number, i: number, px: number): number {
    if (level.pct !== undefined) return (px * level.pct) / 100;
    const at = this.#atClose ? i : i - 1;
    if (at < this.#first) return Number.NaN;
    const atr = this.atrAt(s, at, level.period ?? EXIT_ATR_PERIOD);
    const k = s * this.#panel.nDays + at;
    const toTraded = this.#tradedClose ? this.#tradedClose[k] / this.#panel.close[k] : 1;
    return (level.atr as number) * atr * (toTraded > 0 ? toTraded : 1);
  }

  /** ATR(period) of `s` as of bar `i` (the last value at or before it), NaN before it has `period + 1` bars. */
  atrAt(s: number, i: number, period: number): number {
    const key = s * 1024 + period;
    let series = this.#atr.get(key);
    if (!series) {
      series = this.#series(s, period);
      this.#atr.set(key, series);
    }
    return series[i];
  }

  #series(s: number, period: number): Float64Array {
    const { nDays, high, low, close } = this.#panel;
    const out = new Float64Array(nDays).fill(Number.NaN);
    const stream = new AtrStream(period);
    const base = s * nDays;
    let last = Number.NaN;
    for (let i = this.#first; i < nDays; i++) {
      const c = close[base + i];
      if (c === c) last = stream.step(high[base + i], low[base + i], c);
      out[i] = last;
    }
    return out;
  }
}
