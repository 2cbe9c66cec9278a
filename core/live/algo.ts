/** A parent order's child schedule: slice `i` of `qtys[i]` units is released at `times[i]` (EpochMs). */
export interface SliceSchedule {
  readonly times: Float64Array;
  readonly qtys: Float64Array;
}

/**
 * Slices `qty` units over `durationMs` from `start` into `slices` children released at equal time
 * steps: TWAP gives equal quantities; VWAP weights them by `profile` (relative volume per slice, e.g.
 * the historical intraday curve), by default a U shape (heavier at the open and the close). A
 * whole-unit `qty` gives whole-unit children; quantities are rounded cumulatively, so they always sum
 * to `qty` exactly.
 */
export function sliceSchedule(
  kind: 'twap' | 'vwap',
  qty: number,
  start: number,
  durationMs = 600_000,
  slices = 10,
  profile?: readonly number[],
): SliceSchedule {
  const n = Math.max(1, Math.floor(slices));
  const w = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = n === 1 ? 0 : (2 * i) / (n - 1) - 1;
    w[i] = kind === 'vwap' ? (profile?.[i] ?? 1 + 1.5 * x * x) : 1;
    sum += w[i];
  }
  const times = new Float64Array(n);
  const qtys = new Float64Array(n);
  const whole = Number.isInteger(qty);
  let cumW = 0;
  let given = 0;
  for (let i = 0; i < n; i++) {
    times[i] = start + (durationMs * i) / n;
    cumW += w[i];
    const cum = (qty * cumW) / sum;
    const target = i === n - 1 ? qty : whole ? Math.round(cum) : cum;
    qtys[i] = target - given;
    given = target;
  }
  return { times, qtys };
}
