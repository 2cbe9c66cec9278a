import type { Panel, PanelActions } from '../data/panel-types';

/**
 * The panel restricted to the days on which at least one of `tradable` has a bar: the run's own
 * calendar. A benchmark (or any other name that is not traded) held in the same panel must not add
 * days to the run (an index listed years before the strategy's symbol would otherwise stretch the
 * run back to its first bar); returns `panel` itself when it adds none (the common case, no copy).
 * Corporate actions on dropped days move to the next kept day.
 */
export function strategyDaysPanel(panel: Panel, tradable: readonly number[]): Panel {
  const { nDays, close } = panel;
  const keep = new Uint8Array(nDays);
  let kept = 0;
  for (const s of tradable) {
    const base = s * nDays;
    for (let i = 0; i < nDays; i++) {
      if (keep[i] === 0 && close[base + i] === close[base + i]) {
        keep[i] = 1;
        kept++;
      }
    }
    if (kept === nDays) return panel;
  }
  const days: number[] = [];
  for (let i = 0; i < nDays; i++) if (keep[i]) days.push(i);
  const m = days.length;
  const pick = (col: Float64Array): Float64Array => {
    const out = new Float64Array(panel.nInst * m);
    for (let s = 0; s < panel.nInst; s++) {
      const from = s * nDays;
      const to = s * m;
      for (let j = 0; j < m; j++) out[to + j] = col[from + days[j]];
    }
    return out;
  };
  const time = Float64Array.from(days, (i) => panel.time[i]);
  const out: Panel = {
    symbols: panel.symbols,
    sectors: panel.sectors,
    time,
    nInst: panel.nInst,
    nDays: m,
    open: pick(panel.open),
    high: pick(panel.high),
    low: pick(panel.low),
    close: pick(panel.close),
    volume: pick(panel.volume),
    listedOn: panel.listedOn,
    delistedOn: panel.delistedOn,
    adjustment: panel.adjustment,
    fingerprint: panel.fingerprint,
    ...(panel.priceFactor ? { priceFactor: pick(panel.priceFactor) } : {}),
    ...(panel.raw
      ? {
          raw: {
            open: pick(panel.raw.open),
            high: pick(panel.raw.high),
            low: pick(panel.raw.low),
            close: pick(panel.raw.close),
          },
        }
      : {}),
    ...(panel.actions ? { actions: remapActions(panel.actions, days) } : {}),
  };
  return out;
}

/** Actions at old day indexes moved to the first kept day on or after them; those after the last kept day dropped. */
function remapActions(a: PanelActions, days: readonly number[]): PanelActions {
  const inst: number[] = [];
  const bar: number[] = [];
  const kind: number[] = [];
  const value: number[] = [];
  let j = 0;
  for (let k = 0; k < a.bar.length; k++) {
    while (j < days.length && days[j] < a.bar[k]) j++;
    if (j === days.length) break;
    inst.push(a.inst[k]);
    bar.push(j);
    kind.push(a.kind[k]);
    value.push(a.value[k]);
  }
  return {
    inst: Int32Array.from(inst),
    bar: Int32Array.from(bar),
    kind: Uint8Array.from(kind),
    value: Float64Array.from(value),
  };
}

/**
 * The benchmark's closes over the run's bars [i0, i1] of `panel`, a missing bar carrying the last
 * close before it (a zero benchmark return that day); NaN until the benchmark's first bar.
 */
export function alignedBenchmark(panel: Panel, b: number, i0: number, i1: number): Float64Array {
  const { nDays, close } = panel;
  const base = b * nDays;
  let last = Number.NaN;
  for (let i = i0 - 1; i >= 0; i--) {
    if (close[base + i] === close[base + i]) {
      last = close[base + i];
      break;
    }
  }
  const out = new Float64Array(i1 - i0 + 1);
  for (let i = i0; i <= i1; i++) {
    const c = close[base + i];
    if (c === c) last = c;
    out[i - i0] = last;
  }
  return out;
}
