import { describe, expect, it } from 'vitest';
import { openStore } from '../store/sqlite-bar-store';
import { importCsv } from '../store/import';
import type { BacktestOutput } from './json';
import { monthlyReturns, renderReport, reportBenchmark, reportStart, rollingWindow } from './report';
import { parseSpec } from './spec';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Business days from `from` to `to`, equity flat at 100,000 before `moveFrom`, then +0.1% a day. */
function output(from: string, to: string, moveFrom: string, spec: Record<string, unknown> = {}): BacktestOutput {
  const parsed = parseSpec({ strategy: 'sma-cross', symbols: ['AAA'], ...spec });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const equity: { time: string; equity: number }[] = [];
  let e = 100_000;
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    const wd = new Date(t).getUTCDay();
    if (wd === 0 || wd === 6) continue;
    if (day(t) >= moveFrom) e *= 1.001;
    equity.push({ time: day(t), equity: e });
  }
  const metrics = {
    finalEquity: e,
    totalReturn: e / 1e5 - 1,
    cagr: 0.1,
    volatility: 0.1,
    sharpe: 1,
    sortino: 1,
    calmar: 1,
    maxDrawdown: 0,
    maxDrawdownDuration: 0,
    var95: -0.01,
    cvar95: -0.02,
    winRate: null,
    profitFactor: null,
    trades: 0,
    exposure: 1,
    turnover: 0,
    alpha: 0.01,
    beta: 0.5,
    informationRatio: 0.7,
  };
  return { spec: parsed.spec, metrics, trades: [], openPositions: [], equity, runId: 'r1' };
}

describe('HTML tear sheet (issue 11)', () => {
  it('starts the monthly table at the run\u2019s first bar: no years of 0.00% from bars that reach back before it', () => {
    // A curve that begins in 2005 (e.g. at a benchmark's first bar) but first moves in March 2016.
    const out = output('2005-01-03', '2017-06-30', '2016-03-01');
    const years = [...monthlyReturns(out).keys()];
    expect(years).toEqual([2016, 2017]);
    const feb = monthlyReturns(out).get(2016)!.months;
    // The first row holds the month before the first move (from the capital) and nothing earlier.
    expect(feb.slice(0, 1)).toEqual([null]);
    expect(feb[1]).toBe(0);
    expect(feb[2]).toBeGreaterThan(0.02);
    const html = renderReport(out);
    expect(html).not.toMatch(/<tr><td>2005<\/td>/);
    expect(html).toMatch(/<tr><td>2016<\/td>/);
  });

  it('keeps a short warm-up\u2019s flat months, and starts at the spec\u2019s start when bars precede it', () => {
    expect([...monthlyReturns(output('2016-01-04', '2016-12-30', '2016-04-01')).keys()]).toEqual([2016]);
    expect(monthlyReturns(output('2016-01-04', '2016-12-30', '2016-04-01')).get(2016)!.months[0]).toBe(0);
    const started = output('2014-01-02', '2016-12-30', '2014-01-02', { start: '2016-01-04' });
    expect(started.equity[reportStart(started)].time).toBe('2016-01-04');
    expect([...monthlyReturns(started).keys()]).toEqual([2016]);
    // With a start, a strategy that waits over a year keeps its flat months: the start is the run's first bar.
    const waits = output('2014-01-02', '2017-12-29', '2017-03-01', { start: '2015-01-02' });
    expect([...monthlyReturns(waits).keys()]).toEqual([2015, 2016, 2017]);
  });

  it('draws the benchmark, rebased to the capital, on dated axes; shows the information ratio', async () => {
    const store = openStore(':memory:');
    const rows = ['symbol,date,open,high,low,close,volume'];
    for (const p of output('2016-01-04', '2018-12-31', '2016-01-04').equity)
      rows.push(`SPX,${p.time},10,30,5,${(20 + Number(p.time.slice(5, 7)) / 10).toFixed(2)},0`);
    await importCsv(store, 'bars', { fileName: 'spx.csv', content: rows.join('\n') + '\n' });
    const out = output('2016-01-04', '2018-12-31', '2016-01-04', { benchmark: 'SPX' });
    const bench = reportBenchmark(store, out)!;
    expect(bench.symbol).toBe('SPX');
    expect(bench.close).toHaveLength(out.equity.length);
    expect(bench.close[0]).toBe(20.1);
    const html = renderReport(out, bench);
    expect(html).toMatch(/<h2>Equity and SPX<\/h2>/);
    expect(html).toMatch(/data-series="SPX \(rebased to the starting capital\)"/);
    // Past the benchmark's last bar there is no line (not a flat one), and the legend says where it ends.
    expect(bench.endsAt).toBeUndefined();
    const out2 = output('2016-01-04', '2019-12-31', '2016-01-04', { benchmark: 'SPX' });
    const b2 = reportBenchmark(store, out2)!;
    expect(b2.endsAt).toBe('2018-12-31');
    expect(b2.close.filter((v) => Number.isNaN(v))).toHaveLength(
      out2.equity.filter((p) => p.time > '2019-01-07').length,
    );
    expect(renderReport(out2, b2)).toMatch(/SPX \(rebased to the starting capital; its data ends 2018-12-31\)/);
    expect(html).toMatch(/data-series="Equity"/);
    // Dated axes: under three years, every few months; longer spans, years.
    const labels = (h: string) =>
      [...h.matchAll(/data-axis="dates">(.*?)<\/div>/g)].map((m) => [...m[1].matchAll(/>([^<]+)</g)].map((x) => x[1]));
    const [equityAxis, ddAxis] = labels(html);
    expect(equityAxis).toEqual([
      'Feb 2016',
      'Jun 2016',
      'Oct 2016',
      'Feb 2017',
      'Jun 2017',
      'Oct 2017',
      'Feb 2018',
      'Jun 2018',
      'Oct 2018',
    ]);
    expect(ddAxis).toEqual(equityAxis);
    expect(labels(renderReport(output('2005-01-03', '2017-06-30', '2005-01-03')))[0]).toEqual([
      '2006',
      '2008',
      '2010',
      '2012',
      '2014',
      '2016',
    ]);
    expect(html).toMatch(/Information ratio<b>0\.700<\/b>/);
    // Without a benchmark in the spec there is none to draw.
    expect(reportBenchmark(store, output('2016-01-04', '2016-03-31', '2016-01-04'))).toBeNull();
    store.close();
  });

  it('draws rolling Sharpe, volatility and beta, and the distributions of trade returns and holding times (issue 17)', () => {
    // Returns alternating +1% / -0.5% from the first bar: every even window holds equal halves, so the rolling
    // volatility is one number, by hand: sample sd = sqrt(k/(k-1)) × 0.75% with k = 126, times sqrt(252).
    const base = output('2016-01-04', '2018-12-31', '2016-01-04');
    let e = 100_000;
    const equity = base.equity.map((p, i) => ({ time: p.time, equity: i === 0 ? e : (e *= i % 2 ? 1.01 : 0.995) }));
    const trade = (entryTime: string, exitTime: string, returnPct: number) =>
      ({
        symbol: 'AAA',
        side: 'long',
        qty: 1,
        entryTime,
        entryPrice: 10,
        exitTime,
        exitPrice: 10 * (1 + returnPct),
        pnl: 10 * returnPct,
        commission: 0,
        returnPct,
        ambiguous: false,
        exitReason: 'signal',
      }) as const;
    const out: BacktestOutput = {
      ...base,
      equity,
      trades: [
        trade('2016-02-01', '2016-02-11', 0.1),
        trade('2016-03-01', '2016-03-03', -0.05),
        trade('2016-04-01', '2016-04-21', 0.02),
      ],
    };
    expect(rollingWindow(equity.length)).toBe(126);
    expect(rollingWindow(200)).toBe(63);
    expect(rollingWindow(50)).toBe(21);
    const html = renderReport(out);
    expect(html).toMatch(/<h2>Rolling statistics \(126 bars\)<\/h2>/);
    expect(html).toMatch(/data-series="Rolling Sharpe \(126 bars\)"/);
    expect(html).toMatch(/data-series="Rolling volatility \(126 bars\)"/);
    const vol = Math.sqrt(126 / 125) * 0.0075 * Math.sqrt(252);
    // Both ends of the volatility chart's range are that number: a flat line.
    expect(html).toContain(`${(vol * 100).toFixed(2)}% top · ${(vol * 100).toFixed(2)}% bottom`);
    // The line starts at the first full window: its first point is at bar 126 of the dated axis, not at 0.
    const firstX = Number(/<polyline points="([\d.]+),[^"]*" fill="none" stroke="#d97706"/.exec(html)![1]);
    expect(firstX / 1000).toBeCloseTo(126 / (equity.length - 1), 1);
    // Without a benchmark, no beta, and it says why.
    expect(html).toContain('No rolling beta: the run has no benchmark.');
    // Distributions: 3 trades, holding 10, 2 and 20 days.
    expect(html).toMatch(/Trade returns \(3\)<\/figcaption>/);
    expect(html).toMatch(/Holding time \(days\) \(3\)<\/figcaption>/);
    expect(html).toContain('<span>2.0 d</span><span>20.0 d</span>');
    expect(html).toContain('<span>-5.00%</span><span>10.00%</span>');
  });
});
