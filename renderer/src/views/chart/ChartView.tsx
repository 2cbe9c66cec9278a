import { useEffect, useMemo, useRef, useState } from 'react';
import { parseDate } from '../../../../core/model/time';
import { aggregateBars, TIMEFRAME_LABELS, timeframesFor, type Timeframe } from '../../lib/chart-view';
import { alignCloses } from '../../lib/analytics';
import { persistIndicators, setChartPrefs, useChartPrefs } from '../../stores/chart-prefs';
import {
  chartClicked,
  clearDrawings,
  deleteDrawing,
  DRAWING_NAMES,
  moveDrawing,
  selectDrawing,
  setDrawMode,
  updateDrawing,
  useDrawingsStore,
  type DrawMode,
} from '../../stores/drawings-store';
import { useShallow } from 'zustand/react/shallow';
import { PriceChart } from '../../charts/PriceChart';
import { EmptyStore } from '../../components/EmptyStore';
import { ErrorBanner } from '../../components/ErrorBanner';
import { loadBars, useBarsStore } from '../../stores/bars-store';
import {
  computeIndicatorsFor,
  drawnIndicators,
  indicatorLabel,
  loadIndicatorCatalog,
  removeIndicator,
  useIndicatorsStore,
} from '../../stores/indicators-store';
import { loadInstruments, useInstrumentsStore } from '../../stores/instruments-store';
import { useMarksStore } from '../../stores/marks-store';
import { jumpToChart, setPaletteOpen, selectSymbol, useNavStore } from '../../stores/nav-store';
import { IndicatorMenu } from './IndicatorMenu';

/** Chart: candles and volume for the selected symbol, indicators from the menu, trade and signal markers. */
export function ChartView() {
  const symbol = useNavStore((s) => s.symbol);
  const focusTime = useNavStore((s) => s.focusTime);
  const theme = useNavStore((s) => s.theme);
  const instruments = useInstrumentsStore((s) => s.instruments);
  const instError = useInstrumentsStore((s) => s.error);
  const isEmpty = useInstrumentsStore((s) => s.isLoaded && s.instruments.length === 0 && !s.error);
  const { bars, isLoading, error, barsSymbol, barsAdj } = useBarsStore(
    useShallow((s) => ({
      bars: s.bars,
      isLoading: s.isLoading,
      error: s.error,
      barsSymbol: s.symbol,
      barsAdj: s.adjustment ?? 'raw',
    })),
  );
  const { logScale, timeframe: tfPref, adjustment, compare } = useChartPrefs();
  const [compareText, setCompareText] = useState('');
  const drawMode = useDrawingsStore((s) => s.mode);
  const pending = useDrawingsStore((s) => s.pending);
  const drawings = useDrawingsStore((s) => (symbol ? s.bySymbol[symbol] : undefined));
  const selected = useDrawingsStore((s) => s.selected);
  const selectedDrawing = drawings && selected !== null && selected < drawings.length ? selected : null;
  // A selection belongs to one symbol's drawings.
  useEffect(() => selectDrawing(null), [symbol]);
  // Delete (or Backspace) removes the selected drawing, Esc deselects it; never while typing in a field.
  useEffect(() => {
    if (selectedDrawing === null || !symbol) return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable))
        return;
      if (e.key === 'Delete' || e.key === 'Backspace') {
        e.preventDefault();
        deleteDrawing(symbol, selectedDrawing);
      } else if (e.key === 'Escape') selectDrawing(null);
      else if (e.key.startsWith('Arrow') && drawings && times.current) {
        // Arrows move the selected drawing: ←/→ one bar, ↑/↓ 0.5% of its price.
        e.preventDefault();
        const d = drawings[selectedDrawing];
        const t = times.current;
        const ref = d.kind === 'hline' ? d.price : d.a.price;
        const dPrice = e.key === 'ArrowUp' ? ref * 0.005 : e.key === 'ArrowDown' ? -ref * 0.005 : 0;
        const shift = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
        const at = (ms: number) => {
          let i = 0;
          while (i < t.length - 1 && t[i] < ms) i++;
          return t[Math.max(0, Math.min(t.length - 1, i + shift))];
        };
        updateDrawing(symbol, selectedDrawing, moveDrawing(d, dPrice, shift ? at : (ms) => ms));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selectedDrawing, symbol, drawings]);
  // Esc leaves the drawing mode.
  useEffect(() => {
    if (!drawMode) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setDrawMode(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawMode]);
  const [compareBars, setCompareBars] = useState<{ symbol: string; time: Float64Array; close: Float64Array }[]>([]);
  useEffect(() => {
    let live = true;
    void Promise.all(
      compare.map(async (sym) => {
        const r = await window.api.invoke(
          'data:bars',
          adjustment === 'raw' ? { symbol: sym } : { symbol: sym, adjustment },
        );
        return r.ok ? { symbol: sym, time: r.value.time, close: r.value.close } : null;
      }),
    ).then((rows) => {
      if (live) setCompareBars(rows.filter((x): x is NonNullable<typeof x> => x !== null));
    });
    return () => {
      live = false;
    };
  }, [compare, adjustment]);
  const [goTo, setGoTo] = useState('');
  const [goErr, setGoErr] = useState<string | null>(null);
  const { active, results, indError, catalogSize } = useIndicatorsStore(
    useShallow((s) => ({ active: s.active, results: s.results, indError: s.error, catalogSize: s.catalog.length })),
  );
  // Shallow-compared: a live signal for another symbol leaves this chart's markers untouched.
  const marks = useMarksStore(useShallow((s) => s.marks.filter((m) => m.symbol === symbol)));

  useEffect(() => {
    if (instruments.length === 0) void loadInstruments();
    if (catalogSize === 0) void loadIndicatorCatalog();
  }, [instruments.length, catalogSize]);

  useEffect(() => {
    if (!symbol && instruments.length > 0) selectSymbol(instruments[0].symbol);
  }, [symbol, instruments]);

  // Indicators of the last session come back, and every change is kept.
  useEffect(() => (catalogSize > 0 ? persistIndicators() : undefined), [catalogSize]);

  useEffect(() => {
    if (!symbol) return;
    if (barsSymbol !== symbol || barsAdj !== adjustment) void loadBars(symbol, adjustment);
    if (useIndicatorsStore.getState().symbol !== symbol) void computeIndicatorsFor(symbol);
  }, [symbol, barsSymbol, barsAdj, adjustment]);

  // Timeframes the stored bars allow (intraday ones only when the store holds intraday bars for the symbol).
  const timeframes = useMemo(() => (bars ? timeframesFor(bars.time) : (['D', 'W', 'M'] as Timeframe[])), [bars]);
  const timeframe: Timeframe = timeframes.includes(tfPref) ? tfPref : 'D';
  const shown = useMemo(() => (bars ? aggregateBars(bars, timeframe) : null), [bars, timeframe]);
  const isStoredTf = !!bars && shown === bars;
  // The shown bars' times, for moving a selected drawing by one bar with the arrow keys.
  const times = useRef<ArrayLike<number> | null>(null);
  times.current = shown?.time ?? null;
  // Compared closes on the chart's own bar times (the last close within 7 days, else a gap), so both share one time axis.
  const compareShown = useMemo(
    () =>
      shown
        ? compareBars.map((c) => {
            const a = aggregateBars(
              { time: c.time, open: c.close, high: c.close, low: c.close, close: c.close, volume: c.close },
              timeframe,
            );
            return {
              symbol: c.symbol,
              time: shown.time,
              close: alignCloses(shown.time, a.time, a.close, timeframe === 'W' ? 14 : timeframe === 'M' ? 40 : 7),
            };
          })
        : [],
    [compareBars, timeframe, shown],
  );
  // Indicators are computed on the stored bars: drawn on the stored timeframe only.
  const drawn = useMemo(
    () => (bars && isStoredTf ? drawnIndicators(active, results, bars.time) : []),
    [active, results, bars, isStoredTf],
  );
  const inst = instruments.find((i) => i.symbol === symbol);
  const isReady = !!bars && !isLoading && barsSymbol === symbol && barsAdj === adjustment;

  return (
    <div className="view-body" data-view-ready={isReady ? 'chart' : undefined} data-symbol={symbol ?? ''}>
      <div className="toolbar">
        <button
          className="btn"
          onClick={() => setPaletteOpen(true)}
          data-testid="symbol-button"
          title="Search symbol (Ctrl+K)"
        >
          <span className="mono" style={{ color: 'var(--accent)', fontWeight: 700 }}>
            {symbol ?? 'Symbol'}
          </span>{' '}
          <span className="muted">⌕ Ctrl+K</span>
        </button>
        {inst && (
          <span className="muted">
            {inst.name} · {inst.sector} · {inst.currency}
          </span>
        )}
        <IndicatorMenu />
        {active.map((a) => (
          <span key={a.id} className="chip" data-active-indicator={a.name}>
            {indicatorLabel(a)}
            <button className="btn-ghost" onClick={() => removeIndicator(a.id)} aria-label={`Remove ${a.name}`}>
              ×
            </button>
          </span>
        ))}
        {compare.map((c) => (
          <span key={c} className="chip" data-compare-symbol={c}>
            vs {c}
            <button
              className="btn-ghost"
              aria-label={`Stop comparing ${c}`}
              onClick={() => setChartPrefs({ compare: compare.filter((x) => x !== c) })}
            >
              ×
            </button>
          </span>
        ))}
        <form
          style={{ display: 'inline-flex' }}
          onSubmit={(e) => {
            e.preventDefault();
            const sym = compareText.trim().toUpperCase();
            if (sym && !compare.includes(sym) && sym !== symbol && compare.length < 6)
              setChartPrefs({ compare: [...compare, sym] });
            setCompareText('');
          }}
        >
          <input
            aria-label="Compare with symbol"
            placeholder="compare +"
            className="mono"
            style={{ width: 90 }}
            value={compareText}
            list="compare-symbols"
            onChange={(e) => setCompareText(e.target.value)}
            data-testid="compare-symbol"
          />
          <datalist id="compare-symbols">
            {instruments.slice(0, 500).map((i) => (
              <option key={i.symbol} value={i.symbol} />
            ))}
          </datalist>
        </form>
        <select
          aria-label="Draw"
          value={drawMode ?? ''}
          onChange={(e) => setDrawMode((e.target.value || null) as DrawMode)}
          data-testid="draw-mode"
          title="Drawings are saved per symbol"
        >
          <option value="">Draw…</option>
          <option value="hline">Horizontal line</option>
          <option value="trend">Trend line</option>
          <option value="rect">Rectangle</option>
          <option value="fib">Fibonacci retracement</option>
        </select>
        {drawMode && (
          <span className="muted" data-testid="draw-hint">
            {drawMode === 'hline' || !pending ? 'click on the chart' : 'click the second point'} (Esc cancels)
          </span>
        )}
        {drawings && drawings.length > 0 && (
          <>
            <select
              aria-label="Drawing"
              value={selectedDrawing ?? ''}
              onChange={(e) => selectDrawing(e.target.value === '' ? null : Number(e.target.value))}
              data-testid="drawing-select"
              title="Select a drawing (or click it on the chart): drag it to move it, drag a handle to edit a point, Delete removes it"
            >
              <option value="">
                {drawings.length} drawing{drawings.length > 1 ? 's' : ''}…
              </option>
              {drawings.map((d, i) => (
                <option key={i} value={i}>
                  {i + 1}. {DRAWING_NAMES[d.kind]}
                </option>
              ))}
            </select>
            {selectedDrawing !== null && drawings[selectedDrawing].kind === 'hline' && (
              <input
                aria-label="Horizontal line price"
                className="num"
                style={{ width: 80 }}
                key={`${symbol}-${selectedDrawing}-${(drawings[selectedDrawing] as { price: number }).price}`}
                defaultValue={(drawings[selectedDrawing] as { price: number }).price.toFixed(2)}
                onKeyDown={(e) => {
                  const v = Number((e.target as HTMLInputElement).value);
                  if (e.key === 'Enter' && Number.isFinite(v) && v > 0 && symbol)
                    updateDrawing(symbol, selectedDrawing, { kind: 'hline', price: v });
                }}
                data-testid="drawing-price"
              />
            )}
            {selectedDrawing !== null && (
              <button
                className="btn-ghost"
                onClick={() => symbol && deleteDrawing(symbol, selectedDrawing)}
                data-testid="delete-drawing"
              >
                delete
              </button>
            )}
            <button className="btn-ghost" onClick={() => symbol && clearDrawings(symbol)} data-testid="clear-drawings">
              clear all
            </button>
          </>
        )}
        <span className="spacer" />
        <select
          aria-label="Timeframe"
          value={timeframe}
          onChange={(e) => setChartPrefs({ timeframe: e.target.value as Timeframe })}
          data-testid="timeframe"
          title="Timeframes from the stored bars: intraday ones when intraday bars are stored; longer ones aggregated (UTC days, Monday weeks)"
        >
          {timeframes.map((t) => (
            <option key={t} value={t}>
              {TIMEFRAME_LABELS[t]}
            </option>
          ))}
        </select>
        <select
          aria-label="Prices"
          value={adjustment}
          onChange={(e) => setChartPrefs({ adjustment: e.target.value as 'raw' | 'pit' })}
          data-testid="price-adjustment"
          title="raw: prices as traded; adjusted: splits and dividends applied as known at each date"
        >
          <option value="raw">Raw prices</option>
          <option value="pit">Adjusted prices</option>
        </select>
        <label className="muted" style={{ display: 'inline-flex', alignItems: 'center', gap: 3 }}>
          <input
            type="checkbox"
            checked={logScale}
            onChange={(e) => setChartPrefs({ logScale: e.target.checked })}
            data-testid="log-scale"
          />{' '}
          Log
        </label>
        <form
          style={{ display: 'inline-flex', gap: 3 }}
          onSubmit={(e) => {
            e.preventDefault();
            const ms = parseDate(goTo.trim());
            if (ms === null || !symbol) setGoErr('YYYY-MM-DD');
            else {
              setGoErr(null);
              jumpToChart(symbol, ms);
            }
          }}
        >
          <input
            aria-label="Go to date"
            placeholder="go to YYYY-MM-DD"
            className="num"
            style={{ width: 130 }}
            value={goTo}
            aria-invalid={goErr ? 'true' : 'false'}
            onChange={(e) => setGoTo(e.target.value)}
            data-testid="go-to-date"
          />
        </form>
        {marks.length > 0 && (
          <span className="chip">
            {marks.length} markers
            <button
              className="btn-ghost"
              onClick={() => useMarksStore.setState((s) => ({ marks: s.marks.filter((m) => m.symbol !== symbol) }))}
            >
              ×
            </button>
          </span>
        )}
        {isLoading && <span className="muted">loading…</span>}
        {shown && (
          <span className="muted mono" data-testid="chart-shows">
            {shown.time.length} {TIMEFRAME_LABELS[timeframe].toLowerCase()} bars{isStoredTf ? '' : ' (aggregated)'} ·{' '}
            {barsAdj === 'pit' ? 'adjusted' : 'raw'} prices
            {!isStoredTf && active.length > 0
              ? ` · indicators on the stored ${TIMEFRAME_LABELS[timeframes[0]].toLowerCase()} bars only`
              : ''}
            {compare.length > 0
              ? ` · rebased to 100 at the first visible bar${logScale ? ', log scale' : ''}`
              : logScale
                ? ' · log scale'
                : ''}
          </span>
        )}
      </div>
      <ErrorBanner error={error ?? indError ?? instError} />
      {isEmpty && <EmptyStore />}
      {bars && symbol ? (
        <PriceChart
          symbol={symbol}
          bars={shown ?? bars}
          indicators={drawn}
          marks={isStoredTf ? marks : []}
          focusTime={focusTime}
          theme={theme}
          logScale={logScale}
          compare={compareShown}
          drawings={drawings}
          selectedDrawing={selectedDrawing}
          isDrawing={!!drawMode}
          onPick={(p) => symbol && chartClicked(symbol, p)}
          onSelectDrawing={selectDrawing}
          onChangeDrawing={(i, d) => symbol && updateDrawing(symbol, i, d)}
        />
      ) : (
        !isLoading &&
        !isEmpty && (
          <div className="muted" style={{ padding: 16 }}>
            Choose a symbol (Ctrl+K).
          </div>
        )
      )}
    </div>
  );
}
