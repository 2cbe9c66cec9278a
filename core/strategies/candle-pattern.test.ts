import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BarColumns } from '../model/bars';
import { importCsv } from '../store/import';
import { openStore } from '../store/sqlite-bar-store';
import { candlePattern } from './candle-pattern';
import { listStrategies } from './index';
import { stepDecisions } from './step';

type Row = [open: number, high: number, low: number, close: number];

function candles(rows: readonly Row[]): BarColumns {
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]);
  return {
    time: Float64Array.from(rows, (_, i) => i * 86_400_000),
    open: col(0),
    high: col(1),
    low: col(2),
    close: col(3),
    volume: new Float64Array(rows.length).fill(1000),
  };
}

function decide(params: unknown, rows: readonly Row[]): (number | null)[] {
  return Array.from(stepDecisions(candlePattern, params, candles(rows)), (d) => (Number.isNaN(d) ? null : d));
}

// Bar 2 completes a bullish engulfing (bar 1 bearish, bar 2's body engulfs it); bar 7 completes another.
const ROWS: Row[] = [
  [11, 11.5, 10.5, 11],
  [10, 10.2, 8.8, 9],
  [8.5, 10.7, 8.4, 10.5],
  [10.5, 11, 10, 10.8],
  [10.8, 11.2, 10.6, 11],
  [11, 11.3, 10.9, 11.1],
  [11.5, 11.6, 10.3, 10.4],
  [10.2, 11.9, 10.1, 11.8],
  [11.8, 12, 11.6, 11.9],
];

describe('candle-pattern', () => {
  it('enters on the completing bar of the entry pattern and exits holdBars bars after the entry decision', () => {
    expect(decide({ entry: 'bullish-engulfing', holdBars: 3 }, ROWS)).toEqual([
      null,
      null,
      1,
      null,
      null,
      0,
      null,
      1,
      null,
    ]);
  });

  it('ignores the entry pattern while a trade is open (no limit: holdBars 0)', () => {
    expect(decide({ entry: 'bullish-engulfing', holdBars: 0 }, ROWS)).toEqual([
      null,
      null,
      1,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('exits on the exit pattern before the holding limit', () => {
    // Bar 3 is bearish, opens above bar 2's close and closes below its open: a bearish engulfing.
    const rows: Row[] = [...ROWS.slice(0, 3), [10.8, 10.9, 8.2, 8.3], [8.3, 8.6, 8.1, 8.5]];
    expect(decide({ entry: 'bullish-engulfing', exit: 'bearish-engulfing', holdBars: 10 }, rows)).toEqual([
      null,
      null,
      1,
      0,
      null,
    ]);
    expect(decide({ entry: 'bullish-engulfing', exit: 'none', holdBars: 10 }, rows)).toEqual([
      null,
      null,
      1,
      null,
      null,
    ]);
  });

  it('opens the short side with direction short', () => {
    expect(decide({ entry: 'bullish-engulfing', holdBars: 3, direction: 'short' }, ROWS)).toEqual([
      null,
      null,
      -1,
      null,
      null,
      0,
      null,
      -1,
      null,
    ]);
  });

  it('filters entries by the SMA trend, with no entry during its warm-up', () => {
    // SMA5 is NaN at bar 2; at bar 7 it is mean(10.8, 11, 11.1, 10.4, 11.8) = 11.02 < 11.8.
    expect(decide({ entry: 'bullish-engulfing', holdBars: 0, smaPeriod: 5 }, ROWS)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      1,
      null,
    ]);
    // Shorts need the close below the SMA: 10.5 > mean(9, 10.5) and 11.8 > its SMA2, so no short.
    expect(decide({ entry: 'bullish-engulfing', holdBars: 0, smaPeriod: 2, direction: 'short' }, ROWS)).toEqual(
      Array(9).fill(null),
    );
  });

  it('rejects an unknown pattern name and lists the pattern enum for forms', () => {
    expect(() => candlePattern.params.parse({ entry: 'flying-pig' })).toThrow();
    const listing = listStrategies().find((s) => s.name === 'candle-pattern')!;
    const props = listing.params.properties as Record<string, { enum?: string[]; default?: unknown }>;
    expect(props.entry.enum).toContain('morning-star');
    expect(props.entry.default).toBe('bullish-engulfing');
    expect(props.exit.enum?.[0]).toBe('none');
    expect(listing.kind).toBe('single');
  });
});

describe('candle-pattern from the real binary', () => {
  it('backtests from the store: enters at the open after the pattern, leaves holdBars later', async () => {
    const root = join(__dirname, '..', '..');
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'cli'], { cwd: root, stdio: 'pipe' });
    const dir = mkdtempSync(join(tmpdir(), 'qd-candle-'));
    try {
      const db = join(dir, 'c.db');
      const store = openStore(db);
      const day = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
      await importCsv(store, 'instruments', {
        fileName: 'i.csv',
        content: 'symbol,name,sector,currency,listed_on,delisted_on\nCNDL,,,USD,,\n',
      });
      const lines = ROWS.map((r, i) => `CNDL,${day(i)},${r.join(',')},1000`);
      await importCsv(store, 'bars', {
        fileName: 'b.csv',
        content: `symbol,date,open,high,low,close,volume\n${lines.join('\n')}\n`,
      });
      store.close();
      const spec = join(dir, 'spec.json');
      writeFileSync(
        spec,
        JSON.stringify({
          strategy: 'candle-pattern',
          params: { entry: 'bullish-engulfing', holdBars: 3 },
          symbols: ['CNDL'],
          capital: 1000,
        }),
      );
      const r = spawnSync(
        process.execPath,
        [join(root, 'bin/quantdesk.js'), 'backtest', '--spec', spec, '--db', db, '--json', '--no-save'],
        { encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as {
        trades: { entryTime: string; entryPrice: number; exitTime: string; exitPrice: number; side: string }[];
        openPositions: { entryTime: string }[];
      };
      // Decisions at bars 2 (enter) and 5 (exit) fill at the next opens: bars 3 and 6; bar 7's entry fills at bar 8.
      expect(
        out.trades.map((t) => [t.side, t.entryTime.slice(0, 10), t.entryPrice, t.exitTime.slice(0, 10), t.exitPrice]),
      ).toEqual([['long', day(3), 10.5, day(6), 11.5]]);
      expect(out.openPositions.map((p) => p.entryTime.slice(0, 10))).toEqual([day(8)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
