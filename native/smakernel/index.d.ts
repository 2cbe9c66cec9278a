/**
 * One block of symbols of the sma-cross sweep kernel (core/optimize/sma-kernel.ts): each symbol's SMAs with their
 * per-block ranges, then per tile of rows and per symbol the cross scan, the fills, the held bars and the row's
 * equity differences, written into the given arrays exactly as the JS kernel writes them (bit-identical).
 * Throws on malformed arguments or when out of memory.
 */
export function runBlock(
  config: Int32Array,
  periods: Int32Array,
  slowOf: Int32Array,
  fastSlot: Int32Array,
  slowSlot: Int32Array,
  pred: Int32Array,
  tileRows: Int32Array,
  tileEnds: Int32Array,
  costs: Float64Array,
  cell: Float64Array,
  held: Int32Array,
  endCorr: Float64Array,
  heldToEnd: Int32Array,
  nTrades: Float64Array,
  wins: Float64Array,
  grossWin: Float64Array,
  grossLoss: Float64Array,
  traded: Float64Array,
  symbolMeta: Int32Array,
  idx: readonly Int32Array[],
  close: readonly Float64Array[],
  closeChange: readonly Float64Array[],
  open: readonly Float64Array[],
): void;
