import type { BacktestSpec } from '../backtest/spec';
import type { Metrics } from '../backtest/types';
import type { Panel } from '../data/panel-types';
import {
  eventKernel,
  kernelRange,
  tradableOf,
  type EventSource,
  type KernelRows,
  type SymbolData,
} from './event-kernel';
import { roundQty } from '../backtest/execution';
import { B, LOG_B, scanCrosses, smaPairWithRanges, smaWithRanges } from './sma-scan';
import * as K from './sma-native';

/**
 * Why a sweep cannot use {@link smaCrossKernel}, or null when it can: the strategy must be
 * `sma-cross` with only `fast`/`slow` swept, and sizing `fixed-qty` (positions do not depend on
 * equity, so each symbol's P&L is independent and one pass per (symbol, pair) is exact), with no
 * benchmark. Everything else (fill at next open or close, direction, commission, slippage, whole
 * units, closeAtEnd, gaps, delistings and warm-up bars) is modelled as the engine does.
 */
export function smaKernelIneligibility(base: BacktestSpec, gridKeys: readonly string[]): string | null {
  if (base.strategy !== 'sma-cross') return 'the kernel only knows sma-cross';
  if (gridKeys.some((k) => k !== 'fast' && k !== 'slow')) return 'only fast and slow may be swept';
  if (base.sizing.method !== 'fixed-qty')
    return 'sizing must be fixed-qty (equity-dependent sizing couples the symbols)';
  if (base.benchmark !== undefined) return 'no benchmark';
  if (base.exits !== undefined) return 'spec exits (stop-loss, take-profit, trailing stop) need the engine';
  return null;
}

/** Cache-blocking knobs of {@link smaCrossKernel}; results do not depend on them (tests vary them to prove it). */
export interface KernelTuning {
  /** Symbols whose SMAs are computed before the pair tiles run over them; default: up to 4, within 64 MB. */
  readonly symbolsPerBlock?: number;
  /** Fast periods × chain positions (slow periods) per tile; default 4 × 8. */
  readonly tileFasts?: number;
  readonly tileSlows?: number;
  /** Largest per-call equity store (8 bytes per pair and bar); more pairs are run in parts. Default 256 MB. */
  readonly maxCellBytes?: number;
  /**
   * Whether the native addon (`quantdesk-smakernel`) runs the blocks: true requires it (throws when not built),
   * false forces the JS kernel; default: native when built, unless `QD_SMA_KERNEL=js`. Results are the same bits.
   * An addon object runs that build instead (the tests pass the portable C path, compiled for the purpose).
   */
  readonly native?: boolean | K.SmaNative;
}

/** Tile of TILE_FASTS fast periods × TILE_SLOWS chain positions: its rows (20 KB per pair for 10 years) and SMAs stay in L2. */
const TILE_FASTS = 4;
const TILE_SLOWS = 8;

/**
 * Metrics of `sma-cross` for many (fast, slow) pairs at once over `panel`, equal (up to float
 * summation order, ~1e-12 relative) to running each pair in the engine. `pairs` is flat:
 * `[fast0, slow0, fast1, slow1, ...]`; invalid pairs (fast >= slow, or < 1) return null, as the
 * strategy's schema rejects them. Requires {@link smaKernelIneligibility} to be null for `spec`.
 *
 * Per symbol, each distinct SMA is computed once, with its per-block ranges; per pair, a scan
 * for crosses skips the blocks where the two SMAs' ranges do not overlap, and the orders fill at
 * the crosses (a few dozen per symbol). A pair's equity is a row of differences in time (cash at
 * fills, position × close change while held), kept as the difference to a neighbouring pair (the
 * previous slow period; for the first of a fast period, the previous fast period's first):
 * neighbours hold the same position on most bars, so a pair writes a few bars per cross, not
 * every bar. Work is ordered for the cache: symbols in blocks, and per block, tiles of a few fast
 * × a few slow periods, each over all the block's symbols. Memory: 8 bytes per (pair, bar), plus
 * the SMAs of a block of symbols.
 */
export function smaCrossKernel(
  spec: BacktestSpec,
  panel: Panel,
  pairs: readonly number[],
  tuning: KernelTuning = {},
): (Metrics | null)[] {
  const nPairs = pairs.length / 2;
  // The kernel fills and marks at the panel's prices and knows nothing of splits and dividends: a panel
  // with corporate actions up to the run's end runs in the engine (see `kernelNeedsEngine`).
  const { i0, i1, iw } = kernelRange(spec, panel, 'sma-cross');
  const n = i1 - i0 + 1;
  const nAll = i1 - iw + 1;
  const maxCellBytes = tuning.maxCellBytes ?? 256 << 20;
  if (nPairs > 1 && nPairs * n * 8 > maxCellBytes) {
    // Bounded memory whatever the grid and the bar count: halves, each with its own SMAs.
    const half = 2 * Math.floor(nPairs / 2);
    return [
      ...smaCrossKernel(spec, panel, pairs.slice(0, half), tuning),
      ...smaCrossKernel(spec, panel, pairs.slice(half), tuning),
    ];
  }
  const longOnly = spec.direction === 'long-only';
  const nTradable = tradableOf(spec, panel).length;

  // Valid pairs ranked in (fast, slow) order. Row r holds pair r's curve minus pair pred[r]'s (-1:
  // minus nothing): the previous slow of the same fast, or for a fast's first, the previous fast's first.
  const order: number[] = [];
  const periods = new Set<number>();
  for (let k = 0; k < nPairs; k++) {
    const f = pairs[2 * k];
    const s = pairs[2 * k + 1];
    if (Number.isInteger(f) && Number.isInteger(s) && f >= 1 && s >= 2 && f < s) {
      order.push(k);
      periods.add(f);
      periods.add(s);
    }
  }
  order.sort((a, b) => pairs[2 * a] - pairs[2 * b] || pairs[2 * a + 1] - pairs[2 * b + 1]);
  const nv = order.length;
  const plist = [...periods].sort((a, b) => a - b);
  const slotOf = new Map(plist.map((p, i) => [p, i]));
  const slowOf = new Int32Array(nv);
  const fastSlot = new Int32Array(nv);
  const slowSlot = new Int32Array(nv);
  const pred = new Int32Array(nv);
  const chainPos = new Int32Array(nv);
  const chainNo = new Int32Array(nv);
  let lastHead = -1;
  let chains = 0;
  for (let r = 0; r < nv; r++) {
    const f = pairs[2 * order[r]];
    slowOf[r] = pairs[2 * order[r] + 1];
    fastSlot[r] = slotOf.get(f)!;
    slowSlot[r] = slotOf.get(slowOf[r])!;
    if (r > 0 && fastSlot[r - 1] === fastSlot[r]) {
      pred[r] = r - 1;
      chainPos[r] = chainPos[r - 1] + 1;
      chainNo[r] = chainNo[r - 1];
    } else {
      pred[r] = lastHead;
      lastHead = r;
      chainNo[r] = chains++;
    }
  }
  // Tiles in an order where every pair comes after its pred: by slow window, then fast group.
  const tiles: number[][] = [];
  const tileOf = new Map<number, number[]>();
  const tileFasts = tuning.tileFasts ?? TILE_FASTS;
  const tileSlows = tuning.tileSlows ?? TILE_SLOWS;
  for (let r = 0; r < nv; r++) {
    const key = Math.floor(chainPos[r] / tileSlows) * chains + Math.floor(chainNo[r] / tileFasts);
    let t = tileOf.get(key);
    if (!t) tileOf.set(key, (t = []));
    t.push(r);
  }
  for (const key of [...tileOf.keys()].sort((a, b) => a - b)) tiles.push(tileOf.get(key)!);

  const nb = (nAll + B - 1) >> LOG_B;
  const P = plist.length;
  const native = nativeFor(tuning.native);
  if (tuning.native && !native) throw new Error('sma-cross kernel: the native addon quantdesk-smakernel is not built');
  // Symbols per block: their SMAs take about P × n × 8 bytes each; at most 64 MB in all (measured: 2 to 16 perform alike
  // in JS). The native path runs one symbol per block: its tiles are fast enough that a block's SMAs must stay in L2
  // (measured with two processes at once: 4 symbols per block cost ~1.4× the CPU of 1).
  const SB = Math.min(
    nTradable,
    native ? 64 : Infinity, // the addon takes at most 64 symbols per call
    tuning.symbolsPerBlock ??
      (native ? 1 : Math.max(1, Math.min(4, Math.floor((64 << 20) / Math.max(1, P * (nAll + 2 * nb) * 8))))),
  );
  // The native path keeps its SMAs in C.
  const smas = Array.from({ length: native ? 0 : Math.max(1, SB) }, () => ({
    sma: plist.map(() => new Float64Array(nAll)),
    bmin: plist.map(() => new Float64Array(nb)),
    bmax: plist.map(() => new Float64Array(nb)),
  }));
  const crossDir = new Int8Array(nAll);
  const source: EventSource = {
    symbolsPerBlock: SB,
    prepare(x: SymbolData, b: number): void {
      const { sma, bmin, bmax } = smas[b];
      const { c, m } = x;
      // Periods longer than the symbol's bars never get a value and are never scanned.
      let i = 0;
      for (; i + 1 < P && plist[i + 1] <= m; i += 2)
        smaPairWithRanges(c, m, plist[i], sma[i], bmin[i], bmax[i], plist[i + 1], sma[i + 1], bmin[i + 1], bmax[i + 1]);
      if (i < P && plist[i] <= m) smaWithRanges(c, m, plist[i], sma[i], bmin[i], bmax[i]);
    },
    events(r: number, x: SymbolData, b: number, at: Int32Array, target: Float64Array): number {
      // Fewer bars than the slow period: never a cross, the position stays flat.
      if (slowOf[r] > x.m) return 0;
      const { sma, bmin, bmax } = smas[b];
      const fs = fastSlot[r];
      const ss = slowSlot[r];
      const nc = scanCrosses(
        sma[fs],
        sma[ss],
        bmin[fs],
        bmax[fs],
        bmin[ss],
        bmax[ss],
        slowOf[r] - 1,
        x.m,
        at,
        crossDir,
      );
      for (let e = 0; e < nc; e++) target[e] = longOnly && crossDir[e] < 0 ? 0 : crossDir[e];
      return nc;
    },
  };
  const src = native
    ? nativeSource(native, spec, n, nAll, nb, plist, { nv, slowOf, fastSlot, slowSlot, pred }, tiles, SB)
    : source;
  const rows = nv === 0 ? [] : eventKernel(spec, panel, { nv, pred, tiles }, src, 'sma-cross');
  const out: (Metrics | null)[] = new Array(nPairs).fill(null);
  for (let r = 0; r < nv; r++) out[order[r]] = rows[r];
  return out;
}

/** The addon that {@link KernelTuning.native} asks for, or null for the JS kernel. */
function nativeFor(choice: KernelTuning['native']): K.SmaNative | null {
  if (typeof choice === 'object') return choice;
  if (choice === undefined) return K.smaNativeDefault();
  return choice ? K.smaNative() : null;
}

/**
 * The source whose blocks run in the native addon: it computes the SMAs itself, so `prepare` does nothing, and
 * `runBlock` hands it the block's compacted bars and the rows to accumulate into.
 */
function nativeSource(
  native: K.SmaNative,
  spec: BacktestSpec,
  n: number,
  nAll: number,
  nb: number,
  plist: readonly number[],
  r: { nv: number; slowOf: Int32Array; fastSlot: Int32Array; slowSlot: Int32Array; pred: Int32Array },
  tiles: readonly (readonly number[])[],
  SB: number,
): EventSource {
  if (spec.sizing.method !== 'fixed-qty') throw new Error('sma-cross kernel: sizing must be fixed-qty');
  const bps = spec.slippageBps;
  const costs = Float64Array.of(
    spec.commission.rate,
    spec.commission.fixed,
    bps,
    1 + bps / 10_000,
    1 - bps / 10_000,
    roundQty(spec.sizing.qty, spec.wholeUnits),
  );
  const config = new Int32Array(K.K_COUNT);
  config[K.K_N] = n;
  config[K.K_NALL] = nAll;
  config[K.K_NB] = nb;
  config[K.K_P] = plist.length;
  config[K.K_NV] = r.nv;
  config[K.K_LONG_ONLY] = spec.direction === 'long-only' ? 1 : 0;
  config[K.K_AT_CLOSE] = spec.fill === 'close' ? 1 : 0;
  config[K.K_CLOSE_AT_END] = spec.closeAtEnd ? 1 : 0;
  config[K.K_NTILES] = tiles.length;
  const periods = Int32Array.from(plist);
  const tileRows = new Int32Array(r.nv);
  const tileEnds = new Int32Array(tiles.length);
  let k = 0;
  tiles.forEach((t, i) => {
    for (const row of t) tileRows[k++] = row;
    tileEnds[i] = k;
  });
  const meta = new Int32Array(4 * SB);
  return {
    symbolsPerBlock: SB,
    prepare(): void {},
    events(): number {
      throw new Error('sma-cross kernel: the native source runs whole blocks');
    },
    runBlock(blk: readonly SymbolData[], nBlk: number, rows: KernelRows): void {
      config[K.K_WORDS] = rows.words;
      config[K.K_NBLK] = nBlk;
      for (let b = 0; b < nBlk; b++) {
        const x = blk[b];
        meta[4 * b] = x.m;
        meta[4 * b + 1] = x.w0;
        meta[4 * b + 2] = x.lastIsDelisting ? 1 : 0;
        meta[4 * b + 3] = x.contiguous ? 1 : 0;
      }
      native.runBlock(
        config,
        periods,
        r.slowOf,
        r.fastSlot,
        r.slowSlot,
        r.pred,
        tileRows,
        tileEnds,
        costs,
        rows.cell,
        rows.held,
        rows.endCorr,
        rows.heldToEnd,
        rows.nTrades,
        rows.wins,
        rows.grossWin,
        rows.grossLoss,
        rows.traded,
        meta,
        blk.map((x) => x.idx),
        blk.map((x) => x.c),
        blk.map((x) => x.dc),
        blk.map((x) => x.o),
      );
    },
  };
}
