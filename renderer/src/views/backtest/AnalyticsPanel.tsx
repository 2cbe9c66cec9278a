import { useEffect, useMemo, useState } from 'react';
import { TimeSeriesChart, type TimeSeries } from '../../charts/TimeSeriesChart';
import {
  alignCloses,
  equityCsv,
  excursion,
  histogram,
  holdingsOverTime,
  rollingStats,
  trackingError,
  turnoverByMonth,
} from '../../lib/analytics';
import { fmtInt, fmtNum, fmtPct } from '../../lib/format';
import type { RunModel } from '../../stores/run-model';

const SECTOR_COLORS = [
  '#2f81f7',
  '#f0a500',
  '#a371f7',
  '#26a69a',
  '#ef5350',
  '#8a93a6',
  '#d2a8ff',
  '#3fb950',
  '#ffa657',
  '#79c0ff',
];
/** At most this many traded names have their bars loaded for MAE/MFE. */
const MAX_MAE_SYMBOLS = 25;

/** Saves text as a file through a temporary object URL. */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A small bar histogram (SVG) with its range and count. */
function Histogram({
  title,
  values,
  fmt,
  testId,
}: {
  title: string;
  values: readonly number[];
  fmt: (v: number) => string;
  testId: string;
}) {
  const h = histogram(values, 20);
  const max = Math.max(1, ...h.counts);
  const W = 320;
  const H = 110;
  const bw = h.counts.length ? W / h.counts.length : W;
  return (
    <div className="panel" data-testid={testId} data-count={values.filter(Number.isFinite).length}>
      <div className="panel-title">
        {title} <span className="muted">{fmtInt(values.length)} trades</span>
      </div>
      <svg width="100%" viewBox={`0 0 ${W} ${H + 16}`} role="img" aria-label={title}>
        {h.counts.map((c, i) => {
          const x0 = h.lo + ((h.hi - h.lo) * i) / h.counts.length;
          const neg = x0 + (h.hi - h.lo) / h.counts.length / 2 < 0;
          return (
            <rect
              key={i}
              x={i * bw + 1}
              width={bw - 2}
              y={H - (c / max) * H}
              height={(c / max) * H}
              fill={neg ? 'var(--down)' : 'var(--up)'}
              opacity={0.8}
            >
              <title>{`${fmt(x0)}…: ${c}`}</title>
            </rect>
          );
        })}
        <text x={0} y={H + 13} fontSize={10} fill="var(--text-dim)">
          {fmt(h.lo)}
        </text>
        <text x={W} y={H + 13} fontSize={10} fill="var(--text-dim)" textAnchor="end">
          {fmt(h.hi)}
        </text>
      </svg>
    </div>
  );
}

/** MAE (x) against MFE (y) per trade, winners green, losers red. */
function MaeMfe({ points }: { points: readonly { mae: number; mfe: number; win: boolean }[] }) {
  const W = 320;
  const H = 160;
  const xs = points.map((p) => -p.mae);
  const ys = points.map((p) => p.mfe);
  const mx = Math.max(0.01, ...xs);
  const my = Math.max(0.01, ...ys);
  return (
    <div className="panel" data-testid="mae-mfe" data-count={points.length}>
      <div className="panel-title">
        MAE vs MFE <span className="muted">per trade, % from entry · x: worst against, y: best for</span>
      </div>
      <svg width="100%" viewBox={`-30 0 ${W + 40} ${H + 18}`} role="img" aria-label="MAE vs MFE">
        <line x1={0} y1={H} x2={W} y2={H} stroke="var(--border)" />
        <line x1={0} y1={0} x2={0} y2={H} stroke="var(--border)" />
        {points.map((p, i) => (
          <circle
            key={i}
            cx={(-p.mae / mx) * W}
            cy={H - (p.mfe / my) * H}
            r={2.5}
            fill={p.win ? 'var(--up)' : 'var(--down)'}
            opacity={0.75}
          />
        ))}
        <text x={W} y={H + 14} fontSize={10} fill="var(--text-dim)" textAnchor="end">
          MAE {fmtPct(-mx, 1)}
        </text>
        <text x={-4} y={10} fontSize={10} fill="var(--text-dim)" textAnchor="end">
          {fmtPct(my, 0)}
        </text>
      </svg>
    </div>
  );
}

/**
 * Portfolio analytics of the open run: rolling Sharpe / volatility / beta, alpha, information ratio and
 * tracking error, holdings and sector exposure over time (at cost), turnover per month, MAE/MFE and the
 * distributions of trade returns and holding times; the equity as CSV.
 */
export function AnalyticsPanel({
  result,
  benchmark,
}: {
  result: RunModel;
  benchmark: { time: ArrayLike<number>; close: ArrayLike<number> } | null;
}) {
  const { time, value } = result.equity;
  const [window, setWindow] = useState(63);
  const [sectors, setSectors] = useState<Map<string, string>>(new Map());
  const [bars, setBars] = useState<Map<string, { time: Float64Array; high: Float64Array; low: Float64Array }>>(
    new Map(),
  );
  const bpy = ((result.spec as { barsPerYear?: number }).barsPerYear ?? 252) as number;

  useEffect(() => {
    let live = true;
    void window_api()
      .invoke('data:instruments')
      .then((r) => {
        if (live && r.ok) setSectors(new Map(r.value.map((i) => [i.symbol, i.sector])));
      });
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => {
    let live = true;
    const syms = [...new Set(result.trades.map((t) => t.symbol))].slice(0, MAX_MAE_SYMBOLS);
    const adj = (result.spec as { adjustment?: 'pit' | 'raw' }).adjustment ?? 'pit';
    void Promise.all(
      syms.map(async (s) => {
        const r = await window_api().invoke('data:bars', {
          symbol: s,
          from: time[0],
          to: time[time.length - 1],
          adjustment: adj,
        });
        return r.ok ? ([s, { time: r.value.time, high: r.value.high, low: r.value.low }] as const) : null;
      }),
    ).then((rows) => {
      if (live) setBars(new Map(rows.filter((x): x is NonNullable<typeof x> => x !== null)));
    });
    return () => {
      live = false;
    };
  }, [result, time]);

  const bench = useMemo(
    () => (benchmark && benchmark.time.length ? alignCloses(time, benchmark.time, benchmark.close) : null),
    [time, benchmark],
  );
  const rolling = useMemo(() => rollingStats(value, bench, window, bpy), [value, bench, window, bpy]);
  const te = useMemo(() => (bench ? trackingError(value, bench, bpy) : null), [value, bench, bpy]);
  // One chart each: Sharpe, volatility and beta live on different scales.
  const sharpeSeries = useMemo<TimeSeries[]>(
    () => [{ label: `Rolling Sharpe ${window}`, time, values: rolling.sharpe, color: '#2f81f7', width: 2 }],
    [rolling, time, window],
  );
  const volSeries = useMemo<TimeSeries[]>(
    () => [{ label: `Rolling volatility ${window}`, time, values: rolling.volatility, color: '#f0a500' }],
    [rolling, time, window],
  );
  const betaSeries = useMemo<TimeSeries[]>(
    () =>
      bench
        ? [
            {
              label: `Rolling beta ${window} vs ${result.spec.benchmark ?? ''}`,
              time,
              values: rolling.beta,
              color: '#a371f7',
            },
          ]
        : [],
    [rolling, time, window, bench, result.spec.benchmark],
  );

  const holdings = useMemo(() => {
    const hs = [
      ...result.trades.map((t) => ({
        symbol: t.symbol,
        entryMs: t.entryMs,
        exitMs: t.exitMs,
        side: t.side,
        qty: t.qty,
        entryPrice: t.entryPrice,
      })),
      ...(result.openPositions ?? []).map((p) => ({ ...p, exitMs: Infinity })),
    ];
    return holdingsOverTime(time, value, hs, (s) => sectors.get(s) ?? '');
  }, [result, time, value, sectors]);
  const holdingSeries = useMemo<TimeSeries[]>(
    () => [{ label: 'Names held', time, values: holdings.count, color: '#2f81f7', kind: 'area' }],
    [holdings, time],
  );
  const sectorSeries = useMemo<TimeSeries[]>(
    () =>
      [...holdings.sectors.entries()]
        .sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0))
        .slice(0, SECTOR_COLORS.length)
        .map(([name, col], i) => ({ label: name, time, values: col, color: SECTOR_COLORS[i] })),
    [holdings, time],
  );
  const turnover = useMemo(() => turnoverByMonth(time, value, result.trades), [time, value, result.trades]);
  const turnoverSeries = useMemo<TimeSeries[]>(
    () => [
      {
        label: 'Turnover / month',
        time: turnover.map((r) => Date.parse(`${r.month}-01T00:00:00Z`)),
        values: turnover.map((r) => r.turnover),
        color: '#26a69a',
        kind: 'area',
      },
    ],
    [turnover],
  );
  const excursions = useMemo(
    () =>
      result.trades
        .filter((t) => bars.has(t.symbol))
        .map((t) => ({ ...excursion(t, bars.get(t.symbol)!), win: t.pnl > 0 }))
        .filter((p) => Number.isFinite(p.mae)),
    [result.trades, bars],
  );
  const m = result.metrics;
  return (
    <div data-testid="analytics" data-ready={bars.size > 0 || result.trades.length === 0 ? 'true' : 'false'}>
      <div className="panel">
        <div className="panel-title">
          Risk and relative performance
          <span className="muted">rolling window</span>
          <select
            aria-label="Rolling window"
            value={window}
            onChange={(e) => setWindow(Number(e.target.value))}
            data-testid="rolling-window"
          >
            {[21, 63, 126, 252].map((w) => (
              <option key={w} value={w}>
                {w} bars
              </option>
            ))}
          </select>
          <span className="spacer" />
          <span data-testid="alpha">alpha {fmtPct(m.alpha ?? null, 2, true)}</span>
          <span data-testid="info-ratio">info ratio {fmtNum(m.informationRatio ?? null, 2)}</span>
          <span data-testid="tracking-error" data-value={te ?? ''}>
            tracking error {fmtPct(te, 2)}
          </span>
          {!bench && <span className="muted">(no benchmark: set one in the form for beta, alpha, IR, TE)</span>}
          <button
            className="btn"
            data-testid="export-equity-csv"
            onClick={() =>
              download(`${result.runId}-equity.csv`, equityCsv(time, value, bench, result.spec.capital ?? value[0]))
            }
          >
            Equity CSV
          </button>
        </div>
        <div className="grid-3">
          <TimeSeriesChart series={sharpeSeries} height={170} format={(v) => fmtNum(v, 2)} testId="rolling-sharpe" />
          <TimeSeriesChart series={volSeries} height={170} format={(v) => fmtPct(v, 0)} testId="rolling-vol" />
          {bench ? (
            <TimeSeriesChart series={betaSeries} height={170} format={(v) => fmtNum(v, 2)} testId="rolling-beta" />
          ) : (
            <div className="muted" style={{ padding: 12 }}>
              Beta needs a benchmark.
            </div>
          )}
        </div>
      </div>
      <div className="grid-2">
        <div className="panel">
          <div className="panel-title">Holdings over time</div>
          <TimeSeriesChart series={holdingSeries} height={160} format={(v) => fmtInt(v)} testId="holdings-chart" />
        </div>
        <div className="panel">
          <div className="panel-title">
            Exposure by sector <span className="muted">gross, at entry value, % of equity</span>
          </div>
          <TimeSeriesChart series={sectorSeries} height={160} format={(v) => fmtPct(v, 0)} testId="sector-chart" />
        </div>
      </div>
      <div className="panel">
        <div className="panel-title">
          Turnover per month{' '}
          <span className="muted">
            value traded / mean equity · mean{' '}
            {fmtNum(turnover.length ? turnover.reduce((s, r) => s + r.turnover, 0) / turnover.length : null, 2)}×
          </span>
        </div>
        <TimeSeriesChart series={turnoverSeries} height={140} format={(v) => fmtNum(v, 2)} testId="turnover-chart" />
      </div>
      <div className="grid-3">
        <MaeMfe points={excursions} />
        <Histogram
          title="Trade returns"
          values={result.trades.map((t) => t.returnPct)}
          fmt={(v) => fmtPct(v, 1)}
          testId="returns-hist"
        />
        <Histogram
          title="Holding time (days)"
          values={result.trades.map((t) => t.days)}
          fmt={(v) => fmtInt(v)}
          testId="days-hist"
        />
      </div>
    </div>
  );
}

function window_api() {
  return window.api;
}
