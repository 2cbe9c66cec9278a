/**
 * The sma-cross kernel's native path: the optional `quantdesk-smakernel` addon (native/smakernel, built by
 * node-gyp at install like `quantdesk-mapfile`) does a whole block of symbols' SMAs, cross scans, fills and
 * equity rows in C, bit-identical to the JS kernel. Where it is not built (no compiler at install, Windows, a
 * packaged app), or with `QD_SMA_KERNEL=js`, the JS kernel runs.
 */

/** The addon's one function, declared here only (the addon's package ships no types). */
export interface SmaNative {
  /**
   * One block of symbols of the sma-cross sweep kernel (core/optimize/sma-kernel.ts): each symbol's SMAs with
   * their per-block ranges, then per tile of rows and per symbol the cross scan, the fills, the held bars and the
   * row's equity differences, written into the given arrays exactly as the JS kernel writes them (bit-identical).
   * Throws on malformed arguments or when out of memory.
   */
  runBlock(
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
}

/** Indices into the addon's config words. */
export const K_N = 0;
export const K_NALL = 1;
export const K_NB = 2;
export const K_P = 3;
export const K_NV = 4;
export const K_LONG_ONLY = 5;
export const K_AT_CLOSE = 6;
export const K_CLOSE_AT_END = 7;
export const K_WORDS = 8;
export const K_NBLK = 9;
export const K_NTILES = 10;
export const K_COUNT = 11;

/** The addon: loaded on first use; null where it is not built. */
let addon: SmaNative | null | undefined;

/** The native kernel, or null where the addon is not built. Ignores `QD_SMA_KERNEL` (see {@link smaNativeDefault}). */
export function smaNative(): SmaNative | null {
  if (addon === undefined) {
    addon = null;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      addon = require('quantdesk-smakernel') as SmaNative;
    } catch {
      // Not built: the JS kernel runs.
    }
  }
  return addon;
}

/** The native kernel when it is built and not turned off by `QD_SMA_KERNEL=js` (the bench's A/B switch). */
export function smaNativeDefault(): SmaNative | null {
  const env = typeof process !== 'undefined' ? process.env?.QD_SMA_KERNEL : undefined;
  return env === 'js' ? null : smaNative();
}
