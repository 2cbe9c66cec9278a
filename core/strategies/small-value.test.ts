import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSpecOnStore } from '../backtest/run';
import { parseSpec } from '../backtest/spec';
import { DAY_MS, formatDate } from '../model/time';
import { openStore } from '../store/sqlite-bar-store';
import { connection } from '../store/internal';

/**
 * The design documents' example run end to end through the engine: the smallest 20% by market cap,
 * then the lowest PBR, rebalanced yearly, from `resources/examples/small-value.json` on a crafted store.
 */
describe('small-value example spec', () => {
  it('holds the cheapest small caps each year, switching only when a fact becomes known, with an audit per rebalance', () => {
    const example = JSON.parse(readFileSync(join(__dirname, '../../resources/examples/small-value.json'), 'utf8'));
    const store = openStore(':memory:');
    const T0 = Date.UTC(2021, 0, 1);
    const nDays = 800;
    const insInst = connection(store).prepare('INSERT INTO instruments (id, symbol) VALUES (?, ?)');
    const insBar = connection(store).prepare('INSERT INTO bars VALUES (?, ?, 10, 10, 10, 10, 1000)');
    const insF = connection(store).prepare('INSERT INTO fundamentals VALUES (?, ?, ?, ?, ?)');
    const book = [20, 5, 40, 10]; // the four small names' PBR: 0.5, 2, 0.25, 1
    for (let i = 0; i < 20; i++) {
      insInst.run(i + 1, `S${String(i).padStart(2, '0')}`);
      for (let d = 0; d < nDays; d++) insBar.run(i + 1, T0 + d * DAY_MS);
      insF.run(i + 1, 'shares_outstanding', T0 - 90 * DAY_MS, T0 - 30 * DAY_MS, (i + 1) * 1000);
      insF.run(i + 1, 'book_value_per_share', T0 - 90 * DAY_MS, T0 - 30 * DAY_MS, i < 4 ? book[i] : 100);
    }
    // S00's book value collapses (PBR 10), but only public on 2022-03-01: the 2022 rebalance must not know it;
    // by 2023 S03 (PBR 1) has replaced it.
    insF.run(1, 'book_value_per_share', Date.UTC(2021, 11, 31), Date.UTC(2022, 2, 1), 1);
    const parsed = parseSpec({
      ...example,
      start: '2021-01-01',
      end: formatDate(T0 + (nDays - 1) * DAY_MS),
      capital: 100_000,
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const { result } = runSpecOnStore(store, parsed.spec);
    store.close();

    expect(result.audit.map((a) => formatDate(a.date))).toEqual(['2021-01-01', '2022-01-01', '2023-01-01']);
    for (const a of result.audit) {
      expect(a.latestKnownAt).toBeLessThanOrEqual(a.date);
      expect(a.factsRead).toBeGreaterThan(0);
    }
    expect(result.audit[1].latestKnownAt).toBeLessThan(Date.UTC(2022, 2, 1));
    // bought S02 and S00 in 2021, kept both in 2022, sold S00 for S03 in 2023
    const bought = (sym: string) =>
      result.trades.some((t) => t.symbol === sym) || result.openPositions.some((p) => p.symbol === sym);
    expect(['S00', 'S02', 'S03'].every(bought)).toBe(true);
    expect(result.openPositions.map((p) => p.symbol).sort()).toEqual(['S02', 'S03']);
    // S00 left on 2023-01-01's decision, filled at the next open (earlier S00 trades are re-weighting trims)
    const lastS00Exit = Math.max(...result.trades.filter((t) => t.symbol === 'S00').map((t) => t.exitTime));
    expect(formatDate(lastS00Exit)).toBe('2023-01-02');
    const s03Entry = result.openPositions.find((p) => p.symbol === 'S03')!.entryTime;
    expect(formatDate(s03Entry)).toBe('2023-01-02');
    for (const t of result.trades) expect(['S00', 'S02', 'S03']).toContain(t.symbol);
  });
});
