import { runBarRange } from '../backtest/engine';
import type { BacktestSpec } from '../backtest/spec';
import type { Metrics } from '../backtest/types';
import type { Panel } from '../data/panel-types';
import { withIndicatorMemo } from '../indicators/memo';
import { isSandboxed } from '../sdk/guard';
import { strategyTimeoutMs, withTimeLimit } from '../sdk/sandbox';
import type { BarView, SingleStrategy, Strategy } from '../strategy/types';
import { eventKernel, tradableOf, type EventSource, type SymbolData } from './event-kernel';
import type { Params } from './sweep-spec';

/**
 * The generic sweep kernel (issue #14 item 3): any single-symbol strategy (built-in, or a user's
 * through the SDK) over many parameter combinations under `fixed-qty` sizing. Per symbol and
 * combination, the strategy is stepped over the symbol's bars exactly as the engine steps it (same
 * bars, same `BarView` fields and index, its indicator streams shared across combinations by the
 * indicator memo), and only the bars where it decides something become events, which
 * `eventKernel` fills as the engine does. What the engine does per bar for every name (the open
 * phase, marks, equity over all held names) is done per event and per held stretch instead.
 *
 * Decisions must be plain targets (a number, or null for no change): an order intent (limit, stop,
 * protective levels) throws {@link NeedsEngineError} and the sweep runs that chunk in the engine.
 * The sweep re-runs its top results in the engine and reports the engine's numbers.
 */

/**
 * The bar a strategy sees: the symbol's compacted columns at `index`. Only the fields a strategy reads
 * are loaded (ema-cross reads the close alone), where a plain object took seven stores per bar.
 */
class ColumnBar implements BarView {
  index = 0;
  o: Float64Array;
  c: Float64Array;
  constructor(
    readonly t: Float64Array,
    readonly h: Float64Array,
    readonly l: Float64Array,
    readonly v: Float64Array,
  ) {
    this.o = t;
    this.c = t;
  }
  get time(): number {
    return this.t[this.index];
  }
  get open(): number {
    return this.o[this.index];
  }
  get high(): number {
    return this.h[this.index];
  }
  get low(): number {
    return this.l[this.index];
  }
  get close(): number {
    return this.c[this.index];
  }
  get volume(): number {
    return this.v[this.index];
  }
}

/** Why a sweep cannot use the signal kernel, or null when it can. */
export function signalKernelIneligibility(base: BacktestSpec, strategy: Strategy | undefined): string | null {
  if (!strategy || strategy.kind !== 'single') return 'the signal kernel runs single-symbol strategies';
  if (base.sizing.method !== 'fixed-qty')
    return 'sizing must be fixed-qty (equity-dependent sizing couples the symbols)';
  if (base.benchmark !== undefined) return 'no benchmark';
  if (base.exits !== undefined) return 'spec exits (stop-loss, take-profit, trailing stop) need the engine';
  return null;
}

/** A decision the kernel does not model (an order intent, a missing open): the chunk runs in the engine. */
export class NeedsEngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NeedsEngineError';
  }
}

/** Per combination: its metrics, or why its parameters were refused (the engine's message). */
export type SignalKernelRow =
  { readonly ok: true; readonly metrics: Metrics } | { readonly ok: false; readonly error: string };

/**
 * Metrics of `strategy` for each of `combos` (grid parameters merged over `spec.params`) over `panel`,
 * equal up to float summation order to running each combination in the engine. A sandboxed user
 * strategy runs under `timeoutMs` per symbol (all combinations of one symbol in one limited call).
 */
export function signalKernel(
  spec: BacktestSpec,
  panel: Panel,
  strategy: SingleStrategy<unknown, unknown>,
  combos: readonly Params[],
  timeoutMs = strategyTimeoutMs(),
): SignalKernelRow[] {
  const out: SignalKernelRow[] = new Array(combos.length);
  const valid: number[] = [];
  const params: unknown[] = [];
  combos.forEach((p, k) => {
    const parsed = strategy.params.safeParse({ ...spec.params, ...p });
    if (parsed.success) {
      valid.push(k);
      params.push(parsed.data);
    } else {
      out[k] = {
        ok: false,
        error: parsed.error.issues
          .map((i) => `params${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`)
          .join('; '),
      };
    }
  });
  const nv = valid.length;
  if (nv === 0) return out;
  const { nDays, time, high, low, volume } = panel;
  const longOnly = spec.direction === 'long-only';
  const atClose = spec.fill === 'close';
  const range = runBarRange(spec, time);
  const i0 = range.i0;
  const nAll = range.i1 - range.iw + 1;
  const bt = new Float64Array(nAll);
  const bh = new Float64Array(nAll);
  const bl = new Float64Array(nAll);
  const bv = new Float64Array(nAll);
  const view = new ColumnBar(bt, bh, bl, bv);
  const sandboxed = isSandboxed(strategy);
  const file = sandboxed ? strategy.file : '';
  // A user strategy steps a whole series per call inside its sandbox: one crossing per (symbol, combination).
  const stepper = sandboxed ? (strategy.stepper ?? null) : null;
  const cols = stepper !== null ? stepper.columns(nAll) : null;
  const keys = stepper !== null ? params.map((p) => stepper.paramsKey(p)) : [];
  // Math.random is one sequence per sandbox: the engine draws it across names bar by bar, this kernel name by name.
  const manyNames = tradableOf(spec, panel).length > 1;
  const userEvents = (r: number, x: SymbolData, at: Int32Array, target: Float64Array): number => {
    const k = withIndicatorMemo(panel, x.inst, nDays, () => stepper!.stepAll(keys[r], x.m, manyNames));
    if (k === -2)
      throw new NeedsEngineError(
        `strategy "${strategy.name}" draws from Math.random: over several names only the engine draws in its order`,
      );
    if (k < 0) throw new NeedsEngineError(`strategy "${strategy.name}" returned an order intent`);
    const { at: ca, target: ct } = cols!;
    for (let e = 0; e < k; e++) {
      const d = ct[e];
      at[e] = ca[e];
      target[e] = longOnly && d < 0 ? 0 : d;
    }
    return k;
  };
  const source: EventSource = {
    // A user strategy's code runs under its time limit, one symbol's combinations per limited call.
    ...(sandboxed ? { around: (block: () => void) => withTimeLimit(block, file, timeoutMs) } : {}),
    // One symbol at a time: every combination runs over it while its indicators are in the memo.
    symbolsPerBlock: 1,
    prepare(x: SymbolData): void {
      const { idx, o, m, w0 } = x;
      // A fill needs the next bar's open: the engine leaves an order pending past a missing one.
      if (!atClose)
        for (let j = w0 + 1; j < m; j++)
          if (o[j] !== o[j]) throw new NeedsEngineError(`${panel.symbols[x.inst]}: a bar with a close but no open`);
      // The symbol's compacted bars, read once here and by every combination below.
      const base = x.inst * nDays;
      for (let j = 0; j < m; j++) {
        const i = i0 + idx[j];
        bt[j] = time[i];
        bh[j] = high[base + i];
        bl[j] = low[base + i];
        bv[j] = volume[base + i];
      }
      view.o = o;
      view.c = x.c;
      if (cols !== null) {
        cols.time.set(bt.subarray(0, m));
        cols.open.set(o.subarray(0, m));
        cols.high.set(bh.subarray(0, m));
        cols.low.set(bl.subarray(0, m));
        cols.close.set(x.c.subarray(0, m));
        cols.volume.set(bv.subarray(0, m));
      }
    },
    events(r: number, x: SymbolData, _b: number, at: Int32Array, target: Float64Array): number {
      const m = x.m;
      if (stepper !== null) return userEvents(r, x, at, target);
      const p = params[r];
      const state = withIndicatorMemo(panel, x.inst, nDays, () => strategy.init(p));
      let k = 0;
      for (let j = 0; j < m; j++) {
        view.index = j;
        const d = strategy.onBar(state, view);
        if (d === null || d === undefined) continue;
        if (typeof d !== 'number') throw new NeedsEngineError(`strategy "${strategy.name}" returned an order intent`);
        if (d !== d) continue;
        at[k] = j;
        target[k++] = longOnly && d < 0 ? 0 : d;
      }
      return k;
    },
  };
  // Rows in grid order: neighbours (one parameter step apart) mostly hold the same positions, so each
  // row is kept as the difference to the previous one.
  const pred = new Int32Array(nv);
  for (let r = 0; r < nv; r++) pred[r] = r - 1;
  const tiles = [Array.from({ length: nv }, (_, r) => r)];
  const rows = eventKernel(spec, panel, { nv, pred, tiles }, source, 'signal');
  valid.forEach((k, r) => (out[k] = { ok: true, metrics: rows[r] }));
  return out;
}
