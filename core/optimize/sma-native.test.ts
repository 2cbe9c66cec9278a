import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSpec, type BacktestSpec } from '../backtest/spec';
import type { Metrics } from '../backtest/types';
import type { Panel } from '../data/panel-types';
import { Prng } from './prng';
import { smaCrossKernel } from './sma-kernel';
import * as K from './sma-native';

const DAY = 86_400_000;
const T0 = Date.UTC(2015, 0, 1);

/**
 * A panel of random walks with what the kernel must follow: late listings, early delistings, gaps, stretches of
 * equal closes (an SMA's run of equal values) and prices on a coarse tick (SMAs that tie).
 */
function panelOf(seed: number, nInst: number, nDays: number): Panel {
  const rng = new Prng(seed);
  const close = new Float64Array(nInst * nDays).fill(Number.NaN);
  const open = new Float64Array(nInst * nDays).fill(Number.NaN);
  for (let s = 0; s < nInst; s++) {
    const tick = rng.next() < 0.3 ? 0.5 : 0;
    const from = rng.next() < 0.3 ? Math.floor(rng.next() * nDays * 0.5) : 0;
    const to = rng.next() < 0.3 ? from + Math.floor(rng.next() * (nDays - from)) : nDays;
    const gapAt = rng.next() < 0.4 ? Math.floor(rng.next() * nDays) : -1;
    const gapLen = 1 + Math.floor(rng.next() * 40);
    let px = 20 + rng.next() * 100;
    let flat = 0;
    for (let i = from; i < to; i++) {
      if (i >= gapAt && i < gapAt + gapLen) continue;
      if (flat > 0) flat--;
      else if (rng.next() < 0.02) flat = 1 + Math.floor(rng.next() * 30);
      else px *= 1 + (rng.next() - 0.5) * 0.06;
      const c = tick ? Math.max(tick, Math.round(px / tick) * tick) : px;
      close[s * nDays + i] = c;
      open[s * nDays + i] = tick ? c : c * (1 + (rng.next() - 0.5) * 0.01);
    }
  }
  const symbols = Array.from({ length: nInst }, (_, s) => `S${String(s).padStart(4, '0')}`);
  return {
    symbols,
    sectors: symbols.map(() => 'x'),
    time: Float64Array.from({ length: nDays }, (_, i) => T0 + i * DAY),
    nInst,
    nDays,
    open,
    high: close,
    low: close,
    close,
    volume: new Float64Array(nInst * nDays).fill(1000),
    listedOn: new Float64Array(nInst).fill(Number.NaN),
    delistedOn: new Float64Array(nInst).fill(Number.NaN),
    adjustment: 'raw',
    fingerprint: `test:${seed}`,
  };
}

function spec(panel: Panel, extra: object): BacktestSpec {
  const p = parseSpec({
    strategy: 'sma-cross',
    symbols: panel.symbols,
    sizing: { method: 'fixed-qty', qty: 10 },
    ...extra,
  });
  if (!p.ok) throw new Error(p.errors.join('; '));
  return p.spec;
}

const iso = (i: number) => new Date(T0 + i * DAY).toISOString().slice(0, 10);

const setups: [string, (nDays: number) => object][] = [
  ['next-open, long-short, commission and slippage', () => ({ commission: { rate: 0.001, fixed: 1 }, slippageBps: 5 })],
  [
    'fill at close, long-only, fractional units, close at end',
    () => ({
      fill: 'close',
      direction: 'long-only',
      wholeUnits: false,
      sizing: { method: 'fixed-qty', qty: 2.5 },
      closeAtEnd: true,
    }),
  ],
  [
    'whole units that round to nothing',
    () => ({ sizing: { method: 'fixed-qty', qty: 0.4 }, commission: { rate: 0.0005 } }),
  ],
  [
    'a sub-range with a warm-up',
    (d) => ({ start: iso(d >> 2), end: iso(d - 30), warmup: 80, commission: { rate: 0.0005 } }),
  ],
  [
    'a warm-up longer than the history, at close, close at end',
    (d) => ({ start: iso(d >> 1), warmup: 5000, fill: 'close', closeAtEnd: true }),
  ],
  [
    'a late start, long-only, slippage',
    (d) => ({ start: iso(d - 200), warmup: 60, direction: 'long-only', slippageBps: 12 }),
  ],
];

/**
 * The (fast, slow) pairs every bit-identity test sweeps, flattened: periods that share 16-bar blocks and straddle
 * them, slows longer than some histories, and three odd pairs (fast 0, fast above slow, fast equal to slow).
 */
function pairGrid(): number[] {
  const pairs: number[] = [];
  for (const f of [1, 2, 3, 5, 7, 10, 16, 17, 30])
    for (const sl of [2, 4, 9, 15, 16, 17, 33, 50, 120, 399, 900]) pairs.push(f, sl);
  pairs.push(0, 5, 20, 10, 3, 3);
  return pairs;
}

/** Every metric, bit for bit (Object.is: -0 and NaN count). Returns the number of values compared. */
function expectSameBits(a: (Metrics | null)[], b: (Metrics | null)[]): number {
  expect(a.length).toBe(b.length);
  let compared = 0;
  for (let k = 0; k < a.length; k++) {
    if (a[k] === null || b[k] === null) {
      expect(a[k]).toBe(b[k]);
      continue;
    }
    const x = a[k] as unknown as Record<string, unknown>;
    const y = b[k] as unknown as Record<string, unknown>;
    expect(Object.keys(x).sort()).toEqual(Object.keys(y).sort());
    for (const key of Object.keys(x)) {
      if (!Object.is(x[key], y[key]))
        expect.fail(`pair ${k}, ${key}: native ${String(x[key])} vs JS ${String(y[key])}`);
      compared++;
    }
  }
  return compared;
}

describe('sma-cross kernel, native path (quantdesk-smakernel)', () => {
  it('is built (CI builds the addon at npm install; without it the JS kernel would run unnoticed)', () => {
    expect(K.smaNative()).not.toBeNull();
  });

  for (const [seed, nInst, nDays] of [
    [1, 7, 700],
    [2, 5, 1300],
    [3, 11, 400],
  ] as const) {
    for (const [name, extra] of setups) {
      it(`gives the JS kernel's bits for every metric of every pair: panel ${seed} (${nInst} × ${nDays}), ${name}`, () => {
        const panel = panelOf(seed, nInst, nDays);
        const s = spec(panel, extra(nDays));
        const pairs = pairGrid();
        for (const tuning of [{}, { symbolsPerBlock: 3, tileFasts: 2, tileSlows: 3 }, { maxCellBytes: 50_000 }]) {
          const js = smaCrossKernel(s, panel, pairs, { ...tuning, native: false });
          const nat = smaCrossKernel(s, panel, pairs, { ...tuning, native: true });
          expect(expectSameBits(nat, js)).toBeGreaterThan(1000);
          expect(js.some((m) => m !== null && m.trades > 0)).toBe(!name.includes('round to nothing'));
        }
      });
    }
  }

  // CI machines are x86-64, where the addon takes its SSE2 path; ARM machines (Apple silicon, Graviton) build the
  // plain-C one. This compiles that path here, with binding.gyp's flags, and holds it to the same bits.
  it.runIf(process.platform === 'linux')(
    'the portable C path (no SSE2: aarch64 and others), compiled here with -DSMAKERNEL_PORTABLE, gives the same bits',
    () => {
      const dirOf = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
      const source = dirOf('../../native/smakernel/smakernel.c');
      const gyp = JSON.parse(readFileSync(dirOf('../../native/smakernel/binding.gyp'), 'utf8')) as {
        targets: { cflags: string[] }[];
      };
      const headers = join(dirname(process.execPath), '..', 'include', 'node');
      expect(existsSync(join(headers, 'node_api.h')), `Node's headers in ${headers}`).toBe(true);
      const dir = mkdtempSync(join(tmpdir(), 'qd-smakernel-'));
      try {
        const out = join(dir, 'smakernel-portable.node');
        execFileSync('cc', [
          ...gyp.targets[0].cflags,
          '-shared',
          '-fPIC',
          '-DSMAKERNEL_PORTABLE',
          '-DNODE_GYP_MODULE_NAME=smakernel',
          `-I${headers}`,
          source,
          '-o',
          out,
        ]);
        const portable = createRequire(import.meta.url)(out) as K.SmaNative;
        let compared = 0;
        for (const [seed, nInst, nDays] of [
          [1, 7, 700],
          [3, 11, 400],
        ] as const) {
          const panel = panelOf(seed, nInst, nDays);
          for (const [, extra] of setups) {
            const s = spec(panel, extra(nDays));
            const pairs = pairGrid();
            for (const tuning of [{}, { symbolsPerBlock: 3, tileFasts: 2, tileSlows: 3 }]) {
              const js = smaCrossKernel(s, panel, pairs, { ...tuning, native: false });
              compared += expectSameBits(smaCrossKernel(s, panel, pairs, { ...tuning, native: portable }), js);
            }
          }
        }
        expect(compared).toBeGreaterThan(20_000);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('refuses arguments that disagree with its config: an error naming the mismatch, never a write outside an array', () => {
    const native = K.smaNative()!;
    // One symbol of 4 bars, one (1, 2) pair in one tile: a well-formed call, then one thing wrong at a time.
    const call = (change: (a: ReturnType<typeof args>) => void = () => {}) => {
      const a = args();
      change(a);
      native.runBlock(
        a.config,
        a.periods,
        a.slowOf,
        a.fastSlot,
        a.slowSlot,
        a.pred,
        a.tileRows,
        a.tileEnds,
        a.costs,
        a.cell,
        a.held,
        a.rowF,
        a.heldToEnd,
        a.rowF,
        a.rowF,
        a.rowF,
        a.rowF,
        a.rowF,
        a.meta,
        [a.idx],
        [a.c],
        [a.dc],
        [a.o],
      );
      return a;
    };
    const args = () => {
      const config = new Int32Array(K.K_COUNT);
      config[K.K_N] = 4;
      config[K.K_NALL] = 4;
      config[K.K_NB] = 1;
      config[K.K_P] = 2;
      config[K.K_NV] = 1;
      config[K.K_WORDS] = 1;
      config[K.K_NBLK] = 1;
      config[K.K_NTILES] = 1;
      return {
        config,
        periods: Int32Array.of(1, 2),
        slowOf: Int32Array.of(2),
        fastSlot: Int32Array.of(0),
        slowSlot: Int32Array.of(1),
        pred: Int32Array.of(-1),
        tileRows: Int32Array.of(0),
        tileEnds: Int32Array.of(1),
        costs: Float64Array.of(0, 0, 0, 1, 1, 1),
        cell: new Float64Array(4),
        held: new Int32Array(1),
        rowF: new Float64Array(1),
        heldToEnd: Int32Array.of(4),
        meta: Int32Array.of(4, 0, 0, 1),
        idx: Int32Array.of(0, 1, 2, 3),
        c: Float64Array.of(3, 1, 2, 4),
        dc: Float64Array.of(0, -2, 1, 2),
        o: Float64Array.of(3, 1, 2, 3),
      };
    };
    // The well-formed call fills: the 1-bar SMA crosses above the 2-bar one at bar 2, bought at bar 3's open (3)
    // and marked at its close (4), so bar 3's equity difference is +1 and 3 was traded.
    const good = call();
    expect([...good.cell]).toEqual([0, 0, 0, 1]);
    expect(good.rowF[0]).toBe(3);
    const bad: [string, (a: ReturnType<typeof args>) => void, RegExp][] = [
      ['cell one bar short', (a) => (a.cell = new Float64Array(3)), /shorter than the config/],
      ['held empty', (a) => (a.held = new Int32Array(0)), /shorter than the config/],
      ['a row array empty', (a) => (a.rowF = new Float64Array(0)), /row array is shorter/],
      ['nb not the config of nAll', (a) => (a.config[K.K_NB] = 2), /inconsistent config/],
      ['more bars than nAll', (a) => (a.meta[0] = 5), /bar count is out of range/],
      ['a bar index past the calendar', (a) => (a.idx[3] = 4), /past the calendar/],
      ['a close array shorter than the bars', (a) => (a.c = new Float64Array(3)), /shorter than its bars/],
      ['a tile row past the rows', (a) => (a.tileRows[0] = 1), /tile row out of range/],
      ['a tile end past the tile rows', (a) => (a.tileEnds[0] = 2), /tile ends/],
      ['a slot past the periods', (a) => (a.fastSlot[0] = 2), /slot, slow period or pred/],
      ['a pred past the rows', (a) => (a.pred[0] = 1), /slot, slow period or pred/],
      ['a period of 0', (a) => (a.periods[0] = 0), /period below 1/],
      ['65 symbols', (a) => (a.config[K.K_NBLK] = 65), /at most 64/],
    ];
    for (const [name, change, message] of bad) expect(() => call(change), name).toThrow(message);
  });

  it('QD_SMA_KERNEL=js forces the JS kernel, and native: true refuses to run without the addon only when it is missing', () => {
    const panel = panelOf(4, 3, 300);
    const s = spec(panel, {});
    const prev = process.env.QD_SMA_KERNEL;
    process.env.QD_SMA_KERNEL = 'js';
    try {
      expect(smaCrossKernel(s, panel, [3, 20, 5, 40])).toEqual(
        smaCrossKernel(s, panel, [3, 20, 5, 40], { native: true }),
      );
    } finally {
      if (prev === undefined) delete process.env.QD_SMA_KERNEL;
      else process.env.QD_SMA_KERNEL = prev;
    }
  });
});
