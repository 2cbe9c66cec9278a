import { histogram, rollingStats } from '../model/portfolio-stats';
import { barsRange } from '../store/queries';
import type { Store } from '../store/sqlite-bar-store';
import { monthKey } from './calendar';
import type { BacktestOutput } from './json';

/** The benchmark for the tear sheet: its symbol and closes on the run's equity bars (NaN before its first bar). */
export interface ReportBenchmark {
  readonly symbol: string;
  readonly close: readonly number[];
  /** The benchmark's last bar (`YYYY-MM-DD`) when its data ends before the run's. */
  readonly endsAt?: string;
}

/** How long a benchmark close is carried over missing bars (holidays) before the line stops. */
const STALE_MS = 7 * 86_400_000;
const formatDay = (t: number) => new Date(t).toISOString().slice(0, 10);

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}.muted{color:#6b7280}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{padding:3px 8px;border-bottom:1px solid #e5e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}.metrics{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}
.metric{border:1px solid #e5e7eb;border-radius:6px;padding:6px 10px}.metric b{display:block;font-size:16px}
.pos{color:#047857}.neg{color:#b91c1c}svg{display:block;max-width:100%;overflow:visible}.legend span{margin-right:14px}
.legend i{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:4px}`;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(x: number | null, kind: 'pct' | 'num' | 'money' = 'num'): string {
  if (x === null || !Number.isFinite(x)) return '–';
  if (kind === 'pct') return `${(x * 100).toFixed(2)}%`;
  if (kind === 'money') return x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return Math.abs(x) >= 1000 ? x.toFixed(0) : x.toFixed(3);
}

const ms = (t: string) => Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t);

/** Date-axis ticks for [t0, t1]: yearly (every k years) for long spans, else monthly (every k months); at most ~10. */
export function dateTicks(t0: number, t1: number): { time: number; label: string }[] {
  const a = new Date(t0);
  const b = new Date(t1);
  const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
  const out: { time: number; label: string }[] = [];
  if (months >= 36) {
    const step = Math.max(1, Math.ceil(months / 12 / 10));
    for (let y = a.getUTCFullYear() + 1; y <= b.getUTCFullYear(); y += step)
      out.push({ time: Date.UTC(y, 0, 1), label: String(y) });
  } else {
    const step = Math.max(1, Math.ceil(months / 10));
    const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    for (let k = 1; k <= months; k += step) {
      const y = a.getUTCFullYear() + Math.floor((a.getUTCMonth() + k) / 12);
      const m = (a.getUTCMonth() + k) % 12;
      out.push({ time: Date.UTC(y, m, 1), label: `${names[m]} ${y}` });
    }
  }
  return out.filter((t) => t.time >= t0 && t.time <= t1);
}

/**
 * An inline SVG chart of one or more series over the bars' dates (downsampled to at most ~1200 points each),
 * with a dated x axis, min/max y labels and a legend; the first series optionally filled to zero.
 */
function chartSvg(
  times: readonly number[],
  series: readonly { values: readonly number[]; color: string; label: string; dashed?: boolean }[],
  opts: { height: number; fill?: boolean; label: string; pct?: boolean; num?: boolean },
): string {
  const w = 1000;
  const h = opts.height;
  const n = times.length;
  if (n === 0) return '';
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (const v of s.values) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  if (!(lo <= hi)) return '';
  if (opts.fill) hi = Math.max(hi, 0);
  if (hi === lo) hi = lo + 1;
  const t0 = times[0];
  const t1 = times[n - 1] > t0 ? times[n - 1] : t0 + 1;
  const x = (t: number) => (((t - t0) / (t1 - t0)) * w).toFixed(1);
  const y = (v: number) => (h - ((v - lo) / (hi - lo)) * h).toFixed(1);
  const step = Math.max(1, Math.floor(n / 1200));
  const lines = series.map((s, k) => {
    const segs: string[][] = [[]];
    for (let i = 0; i < n; i += i + step < n || i === n - 1 ? step : n - 1 - i) {
      const v = s.values[i];
      if (Number.isFinite(v)) segs[segs.length - 1].push(`${x(times[i])},${y(v)}`);
      else if (segs[segs.length - 1].length > 0) segs.push([]);
      if (i === n - 1) break;
    }
    const area =
      opts.fill && k === 0 && segs[0].length > 0
        ? `<polygon points="${segs[0][0].split(',')[0]},${y(0)} ${segs[0].join(' ')} ${segs[0][segs[0].length - 1].split(',')[0]},${y(0)}" fill="${s.color}" fill-opacity="0.25"/>`
        : '';
    return `${area}${segs
      .filter((p) => p.length > 0)
      .map(
        (p) =>
          `<polyline points="${p.join(' ')}" fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''} vector-effect="non-scaling-stroke" data-series="${esc(s.label)}"/>`,
      )
      .join('')}`;
  });
  const kind = opts.pct ? 'pct' : opts.num ? 'num' : 'money';
  const ticks = dateTicks(t0, t1)
    .map(
      (t) =>
        `<line x1="${x(t.time)}" x2="${x(t.time)}" y1="0" y2="${h}" stroke="#e5e7eb" vector-effect="non-scaling-stroke"/>`,
    )
    .join('');
  const labels = dateTicks(t0, t1)
    .map(
      (t) =>
        `<span style="position:absolute;left:${((t.time - t0) / (t1 - t0)) * 100}%;transform:translateX(-50%)">${esc(t.label)}</span>`,
    )
    .join('');
  const legend = series.map((s) => `<span><i style="background:${s.color}"></i>${esc(s.label)}</span>`).join('');
  return `<div class="legend muted">${legend}<span>${fmt(hi, kind)} top · ${fmt(lo, kind)} bottom</span></div>
<svg viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img" aria-label="${esc(opts.label)}" width="100%" height="${h}">${ticks}${lines.join('')}</svg>
<div class="muted axis" style="position:relative;height:16px;font-size:11px" data-axis="dates">${labels}</div>`;
}

/** The rolling window of the tear sheet: six months of daily bars, shorter for short runs (a quarter, a month). */
export function rollingWindow(bars: number): number {
  return bars >= 504 ? 126 : bars >= 126 ? 63 : 21;
}

/**
 * A histogram as inline SVG bars with its range under it (`bins` equal bins over the finite values); empty
 * string without values.
 */
function histogramSvg(values: readonly number[], bins: number, label: string, kind: 'pct' | 'days'): string {
  const h = histogram(values, bins);
  if (h.counts.length === 0) return `<div class="muted">no ${esc(label.toLowerCase())}</div>`;
  const w = 480;
  const height = 110;
  const top = Math.max(...h.counts);
  const bw = w / h.counts.length;
  const edge = (k: number) => h.lo + ((h.hi - h.lo) * k) / h.counts.length;
  const show = (x: number) => (kind === 'pct' ? fmt(x, 'pct') : `${x.toFixed(1)} d`);
  const rects = h.counts
    .map((c, k) => {
      const bh = (c / top) * (height - 2);
      const color = kind === 'pct' ? (edge(k + 1) <= 0 ? '#b91c1c' : edge(k) >= 0 ? '#047857' : '#6b7280') : '#2563eb';
      return `<rect x="${(k * bw + 1).toFixed(1)}" y="${(height - bh).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="${color}"><title>${show(edge(k))} to ${show(edge(k + 1))}: ${c}</title></rect>`;
    })
    .join('');
  const n = h.counts.reduce((a, b) => a + b, 0);
  return `<figure style="margin:0;display:inline-block;margin-right:24px"><figcaption class="muted">${esc(label)} (${n})</figcaption>
<svg viewBox="0 0 ${w} ${height}" width="${w}" height="${height}" role="img" aria-label="${esc(label)}" data-histogram="${esc(label)}">${rects}</svg>
<div class="muted" style="display:flex;justify-content:space-between;width:${w}px;font-size:11px"><span>${show(h.lo)}</span><span>${show(h.hi)}</span></div></figure>`;
}

/**
 * Where the tear sheet starts: the first equity bar at or after the spec's `start`; without a start, not before the
 * first bar at which the account left its starting capital when the curve begins with a flat stretch of a year or
 * more (a run whose bars reach back before its symbols have data, e.g. to a benchmark's first bar): those years
 * would read as rows of 0.00%. Returns the index into `out.equity`.
 */
export function reportStart(out: BacktestOutput): number {
  const eq = out.equity;
  let i = 0;
  const start = out.spec.start === undefined ? Number.NaN : ms(out.spec.start);
  if (start === start) while (i < eq.length && ms(eq[i].time) < start) i++;
  // With a start in the spec, its first bar is the run's first bar, however long the strategy waits.
  if (start === start) return i;
  let j = i;
  while (j < eq.length && eq[j].equity === out.spec.capital) j++;
  if (j >= eq.length) return i;
  // Only a flat stretch of at least a year is cut (a strategy warming up for a few months keeps its 0% months),
  // and the cut keeps the bar before the first move, so the first month's return is measured from the capital.
  const flatMs = ms(eq[j].time) - ms(eq[i].time);
  return flatMs >= 365 * 86_400_000 ? Math.max(i, j - 1) : i;
}

/** Monthly returns of the equity curve from {@link reportStart}: `{year → 12 monthly returns (null where no bar)}`, plus the year's total. */
export function monthlyReturns(out: BacktestOutput): Map<number, { months: (number | null)[]; year: number }> {
  const rows = new Map<number, { months: (number | null)[]; year: number }>();
  let prevEnd = out.spec.capital;
  let yearStart = out.spec.capital;
  let curKey = Number.NaN;
  let last = out.spec.capital;
  const close = (key: number) => {
    const y = Math.floor(key / 12);
    let row = rows.get(y);
    if (!row) {
      row = { months: new Array<number | null>(12).fill(null), year: 0 };
      rows.set(y, row);
      yearStart = prevEnd;
    }
    row.months[key % 12] = last / prevEnd - 1;
    row.year = last / yearStart - 1;
    prevEnd = last;
  };
  for (let i = reportStart(out); i < out.equity.length; i++) {
    const p = out.equity[i];
    const key = monthKey(ms(p.time));
    if (key !== curKey && curKey === curKey) close(curKey);
    curKey = key;
    last = p.equity;
  }
  if (curKey === curKey) close(curKey);
  return rows;
}

/**
 * The run's benchmark closes on its equity bars (the last close at or before each bar; NaN before the
 * benchmark's first bar), read raw from the store; null without a benchmark or when it is not stored.
 */
export function reportBenchmark(store: Store, out: BacktestOutput): ReportBenchmark | null {
  const symbol = out.spec.benchmark;
  if (symbol === undefined || out.equity.length === 0) return null;
  const times = out.equity.map((p) => ms(p.time));
  const r = barsRange(store, symbol, { from: times[0] - 14 * 86_400_000, to: times[times.length - 1] });
  if (!r.ok) return null;
  const close: number[] = [];
  let k = -1;
  const bt = r.value.time;
  for (const t of times) {
    while (k + 1 < bt.length && bt[k + 1] <= t) k++;
    // A holiday gap is carried; past the benchmark's last bar (or a gap of weeks) there is no line, not a flat one.
    close.push(k >= 0 && t - bt[k] <= STALE_MS ? r.value.close[k] : Number.NaN);
  }
  const last = bt.length > 0 ? bt[bt.length - 1] : Number.NaN;
  return { symbol, close, ...(last < times[times.length - 1] ? { endsAt: formatDay(last) } : {}) };
}

/**
 * One self-contained HTML tear sheet (inline CSS and SVG, no external URL): metrics, equity with the benchmark
 * (rebased to the starting capital at the first bar both have) on a dated axis, drawdown, rolling Sharpe, volatility
 * and beta ({@link rollingWindow}), the distributions of trade returns and holding times, monthly returns from the
 * run's first bar ({@link reportStart}), trades.
 */
export function renderReport(full: BacktestOutput, benchmark: ReportBenchmark | null = null): string {
  const from = reportStart(full);
  const out: BacktestOutput = from === 0 ? full : { ...full, equity: full.equity.slice(from) };
  const m = out.metrics;
  const eq = out.equity.map((p) => p.equity);
  const times = out.equity.map((p) => ms(p.time));
  const bclose = benchmark ? benchmark.close.slice(from) : [];
  const b0 = bclose.find((v) => Number.isFinite(v));
  const bench =
    b0 === undefined ? null : bclose.map((v) => (Number.isFinite(v) ? (out.spec.capital * v) / b0 : Number.NaN));
  const dd: number[] = [];
  let peak = -Infinity;
  for (const v of eq) {
    peak = Math.max(peak, v);
    dd.push(v / peak - 1);
  }
  const cards: [string, string][] = [
    ['Final equity', fmt(m.finalEquity, 'money')],
    ['Total return', fmt(m.totalReturn, 'pct')],
    ['CAGR', fmt(m.cagr, 'pct')],
    ['Volatility', fmt(m.volatility, 'pct')],
    ['Sharpe', fmt(m.sharpe)],
    ['Sortino', fmt(m.sortino)],
    ['Calmar', fmt(m.calmar)],
    ['Max drawdown', fmt(m.maxDrawdown, 'pct')],
    ['Max DD duration (bars)', String(m.maxDrawdownDuration)],
    ['VaR 95', fmt(m.var95, 'pct')],
    ['CVaR 95', fmt(m.cvar95, 'pct')],
    ['Win rate', fmt(m.winRate, 'pct')],
    ['Profit factor', fmt(m.profitFactor)],
    ['Trades', String(m.trades)],
    ['Exposure', fmt(m.exposure, 'pct')],
    ['Turnover', fmt(m.turnover)],
    ['Alpha', fmt(m.alpha, 'pct')],
    ['Beta', fmt(m.beta)],
    ['Information ratio', fmt(m.informationRatio ?? null)],
  ];
  // Rolling statistics (as the Backtest view's analytics panel computes them) and the trades' distributions.
  const win = rollingWindow(eq.length);
  const rolling = rollingStats(eq, bench, win, out.spec.barsPerYear);
  const rollTitle = `${win} bars`;
  const DAY = 86_400_000;
  const tradeReturns = out.trades.map((t) => t.returnPct);
  const holdDays = out.trades.map((t) => (ms(t.exitTime) - ms(t.entryTime)) / DAY);
  const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const cls = (x: number | null) => (x === null ? '' : x >= 0 ? 'pos' : 'neg');
  const monthly = [...monthlyReturns(out)]
    .map(
      ([y, r]) =>
        `<tr><td>${y}</td>${r.months.map((x) => `<td class="${cls(x)}">${x === null ? '' : fmt(x, 'pct')}</td>`).join('')}<td class="${cls(r.year)}"><b>${fmt(r.year, 'pct')}</b></td></tr>`,
    )
    .join('\n');
  const trades = out.trades
    .map(
      (t) =>
        `<tr><td>${esc(t.symbol)}</td><td>${t.side}</td><td>${Number.isInteger(t.qty) ? String(t.qty) : t.qty.toFixed(4)}</td><td>${t.entryTime}</td><td>${fmt(t.entryPrice, 'money')}</td><td>${t.exitTime}</td><td>${fmt(t.exitPrice, 'money')}</td><td class="${cls(t.pnl)}">${fmt(t.pnl, 'money')}</td><td>${fmt(t.returnPct, 'pct')}</td><td>${esc(t.exitReason)}${t.ambiguous ? ' (ambiguous)' : ''}</td></tr>`,
    )
    .join('\n');
  const s = out.spec;
  const what = s.symbols ? s.symbols.join(', ') : `universe ${s.universe}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>QuantDesk backtest ${esc(out.runId)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(s.strategy)} on ${esc(what)}</h1>
<div class="muted">Run ${esc(out.runId)} · ${esc(out.equity[0]?.time ?? '')} to ${esc(out.equity[out.equity.length - 1]?.time ?? '')} · fill ${s.fill} · commission ${s.commission.rate} + ${s.commission.fixed} · slippage ${s.slippageBps} bps · ${s.direction} · sizing ${s.sizing.method}</div>
${from > 0 ? `<div class="muted" data-report-start="${esc(out.equity[0]?.time ?? '')}">Charts and monthly returns from ${esc(out.equity[0]?.time ?? '')}, the run's first bar: the ${from} bars before it lie before the spec's start or only hold the starting capital. Metrics are the run's.</div>` : ''}
<h2>Metrics</h2>
<div class="metrics">${cards.map(([k, v]) => `<div class="metric">${esc(k)}<b>${v}</b></div>`).join('')}</div>
<h2>Equity${bench ? ` and ${esc(benchmark!.symbol)}` : ''}</h2>
${chartSvg(times, [{ values: eq, color: '#2563eb', label: 'Equity' }, ...(bench ? [{ values: bench, color: '#6b7280', label: `${benchmark!.symbol} (rebased to the starting capital${benchmark!.endsAt ? `; its data ends ${benchmark!.endsAt}` : ''})`, dashed: true }] : [])], { height: 220, label: 'Equity' })}
<h2>Drawdown</h2>
${chartSvg(times, [{ values: dd, color: '#b91c1c', label: 'Drawdown' }], { height: 120, fill: true, pct: true, label: 'Drawdown' })}
<h2>Rolling statistics (${esc(rollTitle)})</h2>
<div class="muted">Over a moving window of ${win} bars, annualised with ${out.spec.barsPerYear} bars a year, risk-free rate 0${bench ? `; beta against ${esc(benchmark!.symbol)}` : ''}.</div>
${chartSvg(times, [{ values: Array.from(rolling.sharpe), color: '#7c3aed', label: `Rolling Sharpe (${rollTitle})` }], { height: 120, num: true, label: 'Rolling Sharpe' })}
${chartSvg(times, [{ values: Array.from(rolling.volatility), color: '#d97706', label: `Rolling volatility (${rollTitle})` }], { height: 120, pct: true, label: 'Rolling volatility' })}
${bench ? chartSvg(times, [{ values: Array.from(rolling.beta), color: '#0891b2', label: `Rolling beta to ${benchmark!.symbol} (${rollTitle})` }], { height: 120, num: true, label: 'Rolling beta' }) : '<div class="muted">No rolling beta: the run has no benchmark.</div>'}
<h2>Distributions</h2>
${histogramSvg(tradeReturns, 20, 'Trade returns', 'pct')}${histogramSvg(holdDays, 20, 'Holding time (days)', 'days')}
<h2>Monthly returns</h2>
<table><thead><tr><th>Year</th>${monthNames.map((n) => `<th>${n}</th>`).join('')}<th>Year</th></tr></thead><tbody>
${monthly}
</tbody></table>
<h2>Trades (${out.trades.length})</h2>
<table><thead><tr><th>Symbol</th><th>Side</th><th>Qty</th><th>Entry</th><th>Price</th><th>Exit</th><th>Price</th><th>P&amp;L</th><th>Return</th><th>Exit reason</th></tr></thead><tbody>
${trades}
</tbody></table>
<h2>Spec</h2>
<pre>${esc(JSON.stringify(s, null, 2))}</pre>
</body></html>
`;
}
