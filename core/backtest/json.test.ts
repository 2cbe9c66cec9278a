import { describe, expect, it } from 'vitest';
import { formatTime } from '../model/time';
import { fastFormatTime, tradesCsv } from './json';

describe('output formatting', () => {
  it('formats every day of four centuries like formatTime, and intraday instants as ISO', () => {
    for (let t = Date.UTC(1900, 0, 1); t <= Date.UTC(2300, 0, 1); t += 86_400_000 * 13)
      expect(fastFormatTime(t)).toBe(formatTime(t));
    for (const t of [Date.UTC(2000, 1, 29), Date.UTC(2100, 1, 28), Date.UTC(2024, 11, 31), Date.UTC(1970, 0, 1)])
      expect(fastFormatTime(t)).toBe(formatTime(t));
    expect(fastFormatTime(Date.UTC(2021, 5, 1, 14, 30))).toBe('2021-06-01T14:30:00.000Z');
  });

  it('writes trades as CSV with a header', () => {
    const csv = tradesCsv([
      {
        symbol: 'A',
        side: 'long',
        qty: 3,
        entryTime: '2020-01-02',
        entryPrice: 10,
        exitTime: '2020-01-05',
        exitPrice: 11.5,
        pnl: 4.5,
        commission: 0,
        returnPct: 0.15,
        ambiguous: false,
        exitReason: 'signal',
      },
    ]);
    expect(csv).toBe(
      'symbol,side,qty,entryTime,entryPrice,exitTime,exitPrice,pnl,commission,returnPct,ambiguous,exitReason\nA,long,3,2020-01-02,10,2020-01-05,11.5,4.5,0,0.15,false,signal\n',
    );
  });
});
