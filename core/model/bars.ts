import type { EpochMs } from './time';

/**
 * Bars as parallel columns: index `i` is the same bar in every column, `time` ascending (EpochMs).
 * The engine's hot loops read these; objects appear only at the chart adapter and in JSON output.
 */
export interface BarColumns {
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** One bar as an object, for live pushes and small payloads. */
export interface Bar {
  readonly symbol: string;
  readonly time: EpochMs;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** An instrument with its listing window; `delistedOn` is null while listed. */
export interface Instrument {
  readonly id: number;
  readonly symbol: string;
  readonly name: string;
  readonly sector: string;
  readonly currency: string;
  readonly listedOn: EpochMs | null;
  readonly delistedOn: EpochMs | null;
}

/** Allocates empty columns of length `n`. */
export function allocBarColumns(n: number): BarColumns {
  return {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}
