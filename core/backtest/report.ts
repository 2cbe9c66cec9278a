import { monthKey } from './calendar';
import type { BacktestOutput } from './json';

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}.muted{color:#6b7280}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{padding:3px 8px;border-bottom:1px solid #e5e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}.metrics{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}
.metric{border:1px solid #e5e7eb;border-radius:6px;padding:6px 10px}.metric b{display:block;font-size:16px}
.pos{color:#047857}.neg{color:#b91c1c}svg{display:block;max-width:100%}`;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(x: number | null, kind: 'pct' | 'num' | 'money' = 'num'): string {
  if (x === null || !Number.isFinite(x)) return '–';
  if (kind === 'pct') return `${(x * 100).toFixed(2)}%`;
  if (kind === 'money') return x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return Math.abs(x) >= 1000 ? x.toFixed(0) : x.toFixed(3);
}

/** An inline SVG line chart of `values` (downsampled to at most ~1200 points), optionally filled to zero. */
function lineSvg(values: readonly number[], opts: { height: number; color: string; fill?: boolean; label: string }): string {
  const w = 1000;
  const h = opts.height;
  const n = values.length;
  if (n === 0) return '';
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (opts.fill) hi = Math.max(hi, 0);
  if (hi === lo) hi = lo + 1;
  const step = Math.max(1, Math.floor(n / 1200));
  const pts: string[] = [];
  for (let i = 0; i < n; i += step) pts.push(`${((i / Math.max(1, n - 1)) * w).toFixed(1)},${(h - ((values[i] - lo) / (hi - lo)) * h).toFixed(1)}`);
  pts.push(`${w},${(h - ((values[n - 1] - lo) / (hi - lo)) * h).toFixed(1)}`);
  const zeroY = (h - ((0 - lo) / (hi - lo)) * h).toFixed(1);
  const area = opts.fill ? `<polygon points="0,${zeroY} ${pts.join(' ')} ${w},${zeroY}" fill="${opts.color}" fill-opacity="0.25"/>` : '';
  return `<svg viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img" aria-label="${esc(opts.label)}" width="100%" height="${h}">${area}<polyline points="${pts.join(' ')}" fill="none" stroke="${opts.color}" stroke-width="1.5" vector-effect="non-scaling-stroke"/></svg>
<div class="muted">${esc(opts.label)}: ${fmt(lo, opts.fill ? 'pct' : 'money')} … ${fmt(hi, opts.fill ? 'pct' : 'money')}</div>`;
}

/** Monthly returns of the equity curve: `{year → 12 monthly returns (null where no bar)}`, plus the year's total. */
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
  for (const p of out.equity) {
    const key = monthKey(Date.parse(p.time.length === 10 ? `${p.time}T00:00:00Z` : p.time));
    if (key !== curKey && curKey === curKey) close(curKey);
    curKey = key;
    last = p.equity;
  }
  if (curKey === curKey) close(curKey);
  return rows;
}

/** One self-contained HTML tear sheet (inline CSS and SVG, no external URL): metrics, equity, drawdown, monthly returns, trades. */
export function renderReport(out: BacktestOutput): string {
  const m = out.metrics;
  const eq = out.equity.map((p) => p.equity);
  const dd: number[] = [];
  let peak = -Infinity;
  for (const v of eq) {
    peak = Math.max(peak, v);
    dd.push(v / peak - 1);
  }
  const cards: [string, string][] = [
    ['Final equity', fmt(m.finalEquity, 'money')], ['Total return', fmt(m.totalReturn, 'pct')], ['CAGR', fmt(m.cagr, 'pct')],
    ['Volatility', fmt(m.volatility, 'pct')], ['Sharpe', fmt(m.sharpe)], ['Sortino', fmt(m.sortino)], ['Calmar', fmt(m.calmar)],
    ['Max drawdown', fmt(m.maxDrawdown, 'pct')], ['Max DD duration (bars)', String(m.maxDrawdownDuration)], ['VaR 95', fmt(m.var95, 'pct')],
    ['CVaR 95', fmt(m.cvar95, 'pct')], ['Win rate', fmt(m.winRate, 'pct')], ['Profit factor', fmt(m.profitFactor)], ['Trades', String(m.trades)],
    ['Exposure', fmt(m.exposure, 'pct')], ['Turnover', fmt(m.turnover)], ['Alpha', fmt(m.alpha, 'pct')], ['Beta', fmt(m.beta)],
  ];
  const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const cls = (x: number | null) => (x === null ? '' : x >= 0 ? 'pos' : 'neg');
  const monthly = [...monthlyReturns(out)]
    .map(([y, r]) => `<tr><td>${y}</td>${r.months.map((x) => `<td class="${cls(x)}">${x === null ? '' : fmt(x, 'pct')}</td>`).join('')}<td class="${cls(r.year)}"><b>${fmt(r.year, 'pct')}</b></td></tr>`)
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
<h2>Metrics</h2>
<div class="metrics">${cards.map(([k, v]) => `<div class="metric">${esc(k)}<b>${v}</b></div>`).join('')}</div>
<h2>Equity</h2>
${lineSvg(eq, { height: 220, color: '#2563eb', label: 'Equity' })}
<h2>Drawdown</h2>
${lineSvg(dd, { height: 120, color: '#b91c1c', fill: true, label: 'Drawdown' })}
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
