/**
 * The look-ahead proof for any strategy, built-in or user: a decision at bar T may depend on bars
 * 0..T (and facts known by T) only. So stepping a series cut after T, and a series whose bars after T
 * are replaced by noise, must both reproduce the full series' decisions up to T exactly; and two runs
 * must be identical (a strategy that keeps module-level state between runs fails here: that is how
 * one would smuggle a later bar into an earlier decision). `quantdesk strategies check` prints this.
 */
import type { Panel } from '../data/panel-types';
import type { BarColumns } from '../model/bars';
import { formatTime } from '../model/time';
import type { PitFacts } from '../strategies/pit-facts';
import { portfolioAsCrossSectional } from '../strategies/portfolio';
import { runRebalances } from '../strategies/rebalance';
import { stepDecisions } from '../strategies/step';
import type { CrossSectionalStrategy, SingleStrategy, Strategy } from '../strategy/types';
import { isSandboxed } from './guard';
import { withTimeLimit } from './sandbox';

/** The first decision that changed, if any. */
export interface LookAheadViolation {
  readonly test: 'truncated' | 'perturbed' | 'determinism';
  readonly symbol: string;
  /** The cut: bars after it were dropped or perturbed. */
  readonly cut: string;
  /** The bar whose decision changed (at or before the cut). */
  readonly bar: number;
  readonly time: string;
  readonly expected: string;
  readonly got: string;
}

/** What {@link checkStrategy} reports. */
export interface LookAheadReport {
  readonly strategy: string;
  readonly kind: Strategy['kind'];
  readonly ok: boolean;
  readonly deterministic: boolean;
  /** Cuts tried per series. */
  readonly cuts: number;
  /** Decisions (non-null) seen before the last cut: a proof over no decisions proves nothing. */
  readonly decisions: number;
  /** Cuts after which perturbing the future changed some later decision (evidence the perturbation bites). */
  readonly changedAfter: number;
  readonly violation: LookAheadViolation | null;
}

/** mulberry32 in [0, 1): the perturbations are deterministic, so a report reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CUT_FRACTIONS = [0.1, 0.25, 0.45, 0.7, 0.9];

/** Bars after `t` replaced by noise of the same scale (deterministic for `seed`). */
export function perturbBarsAfter(bars: BarColumns, t: number, seed: number): BarColumns {
  const r = rng(seed);
  const copy = (a: Float64Array) => Float64Array.from(a);
  const out = {
    time: copy(bars.time),
    open: copy(bars.open),
    high: copy(bars.high),
    low: copy(bars.low),
    close: copy(bars.close),
    volume: copy(bars.volume),
  };
  for (let i = t + 1; i < out.close.length; i++) {
    const k = 1 + (r() - 0.5) * 0.4;
    out.open[i] *= k;
    out.close[i] *= 2 - k;
    out.high[i] = Math.max(out.open[i], out.close[i]) * (1 + r() * 0.05);
    out.low[i] = Math.min(out.open[i], out.close[i]) * (1 - r() * 0.05);
    out.volume[i] = Math.floor(r() * 10000);
  }
  return out;
}

function guard<T>(s: Strategy, f: () => T): T {
  return isSandboxed(s) ? withTimeLimit(f, s.file) : f();
}

const fmt = (v: number) => (Number.isNaN(v) ? 'keep' : String(v));

/** Runs the proof for a single-symbol strategy over each series. */
export function checkSingle(
  strategy: SingleStrategy,
  params: unknown,
  series: readonly { symbol: string; bars: BarColumns }[],
): LookAheadReport {
  let decisions = 0;
  let changedAfter = 0;
  let cuts = 0;
  let violation: LookAheadViolation | null = null;
  let deterministic = true;
  const step = (bars: BarColumns, count?: number) =>
    guard(strategy, () => stepDecisions(strategy, params, bars, count));
  outer: for (const [k, { symbol, bars }] of series.entries()) {
    const n = bars.close.length;
    const full = step(bars);
    const again = step(bars);
    for (let i = 0; i < n; i++) {
      if (!Object.is(full[i], again[i])) {
        deterministic = false;
        violation = {
          test: 'determinism',
          symbol,
          cut: formatTime(bars.time[n - 1]),
          bar: i,
          time: formatTime(bars.time[i]),
          expected: fmt(full[i]),
          got: fmt(again[i]),
        };
        break outer;
      }
    }
    const marks = CUT_FRACTIONS.map((f) => Math.floor(f * (n - 1))).filter((t) => t > 0 && t < n - 1);
    for (const t of marks) {
      cuts++;
      const truncated = step(bars, t + 1);
      const noisyBars = perturbBarsAfter(bars, t, 1000 * (k + 1) + t);
      const noisy = step(noisyBars);
      for (const [test, got] of [
        ['truncated', truncated],
        ['perturbed', noisy],
      ] as const) {
        for (let i = 0; i <= t; i++) {
          if (!Object.is(full[i], got[i])) {
            violation = {
              test,
              symbol,
              cut: formatTime(bars.time[t]),
              bar: i,
              time: formatTime(bars.time[i]),
              expected: fmt(full[i]),
              got: fmt(got[i]),
            };
            break outer;
          }
        }
      }
      for (let i = t + 1; i < n; i++) {
        if (!Object.is(full[i], noisy[i])) {
          changedAfter++;
          break;
        }
      }
    }
    const last = marks[marks.length - 1] ?? n - 1;
    for (let i = 0; i <= last; i++) if (!Number.isNaN(full[i])) decisions++;
  }
  return {
    strategy: strategy.name,
    kind: 'single',
    ok: violation === null,
    deterministic,
    cuts,
    decisions,
    changedAfter,
    violation,
  };
}

/** The panel with every close (and open/high/low/volume) after day `t` scaled by noise. */
function perturbPanelAfter(panel: Panel, t: number, seed: number): Panel {
  const r = rng(seed);
  const scale = (a: Float64Array) => {
    const out = Float64Array.from(a);
    for (let s = 0; s < panel.nInst; s++)
      for (let d = t + 1; d < panel.nDays; d++) out[s * panel.nDays + d] *= 0.5 + r();
    return out;
  };
  return {
    ...panel,
    open: scale(panel.open),
    high: scale(panel.high),
    low: scale(panel.low),
    close: scale(panel.close),
    volume: scale(panel.volume),
  };
}

/** The panel cut after day `t`. */
function truncatePanel(panel: Panel, t: number): Panel {
  const keep = t + 1;
  const cut = (a: Float64Array) =>
    Float64Array.from({ length: panel.nInst * keep }, (_, j) => a[Math.floor(j / keep) * panel.nDays + (j % keep)]);
  return {
    ...panel,
    nDays: keep,
    time: panel.time.slice(0, keep),
    open: cut(panel.open),
    high: cut(panel.high),
    low: cut(panel.low),
    close: cut(panel.close),
    volume: cut(panel.volume),
  };
}

/** Runs the proof for a cross-sectional or portfolio strategy over a panel and its PIT facts. */
export function checkCrossSectional(
  strategy: Strategy,
  params: unknown,
  panel: Panel,
  facts: PitFacts,
): LookAheadReport {
  const run = (p: Panel) =>
    guard(strategy, () => {
      const parsed = strategy.params.parse(params ?? {});
      const cs =
        strategy.kind === 'portfolio'
          ? portfolioAsCrossSectional(strategy, parsed)
          : (strategy as CrossSectionalStrategy);
      return runRebalances(cs, parsed, p, facts).map((r) => ({
        day: r.day,
        date: r.date,
        w: JSON.stringify([...r.weights]),
      }));
    });
  const full = run(panel);
  const again = run(panel);
  let violation: LookAheadViolation | null = null;
  let changedAfter = 0;
  let cuts = 0;
  const at = (i: number) => formatTime(full[i].date);
  for (let i = 0; i < full.length && !violation; i++) {
    if (full[i].w !== again[i]?.w)
      violation = {
        test: 'determinism',
        symbol: '*',
        cut: at(full.length - 1),
        bar: full[i].day,
        time: at(i),
        expected: full[i].w,
        got: again[i]?.w ?? 'none',
      };
  }
  const deterministic = violation === null;
  const marks = CUT_FRACTIONS.map((f) => Math.floor(f * (full.length - 1))).filter((c) => c > 0 && c < full.length - 1);
  for (const c of marks) {
    if (violation) break;
    cuts++;
    const t = full[c].day;
    const truncated = run(truncatePanel(panel, t));
    const noisy = run(perturbPanelAfter(panel, t, 7000 + c));
    for (const [test, got] of [
      ['truncated', truncated],
      ['perturbed', noisy],
    ] as const) {
      for (let i = 0; i <= c && !violation; i++) {
        if (got[i]?.w !== full[i].w)
          violation = {
            test,
            symbol: '*',
            cut: at(c),
            bar: full[i].day,
            time: at(i),
            expected: full[i].w,
            got: got[i]?.w ?? 'none',
          };
      }
    }
    for (let i = c + 1; i < full.length; i++) {
      if (noisy[i]?.w !== full[i].w) {
        changedAfter++;
        break;
      }
    }
  }
  const decisions = full.filter((r) => r.w !== '[]').length;
  return {
    strategy: strategy.name,
    kind: strategy.kind,
    ok: violation === null,
    deterministic,
    cuts,
    decisions,
    changedAfter,
    violation,
  };
}

/** Text for a report: one line verdict, and the first changed decision. */
export function describeReport(r: LookAheadReport): string {
  if (r.ok) {
    return `${r.strategy}: no look-ahead found (${r.cuts} cuts, ${r.decisions} decisions before the last cut, the future changed later decisions after ${r.changedAfter} cuts); two runs identical\n`;
  }
  const v = r.violation!;
  if (v.test === 'determinism')
    return `${r.strategy}: not deterministic: a second run on the same bars decided differently at bar ${v.bar} (${v.time}${v.symbol !== '*' ? `, ${v.symbol}` : ''}): ${v.expected} then ${v.got}\n`;
  return `${r.strategy}: LOOK-AHEAD: with the bars after ${v.cut} ${v.test}, the decision at bar ${v.bar} (${v.time}${v.symbol !== '*' ? `, ${v.symbol}` : ''}) changed from ${v.expected} to ${v.got}\n`;
}
