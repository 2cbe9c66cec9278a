import { useEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { PriceChart } from '../../charts/PriceChart';
import { EmptyStore } from '../../components/EmptyStore';
import { ErrorBanner } from '../../components/ErrorBanner';
import { loadBars, useBarsStore } from '../../stores/bars-store';
import { computeIndicatorsFor, drawnIndicators, indicatorLabel, loadIndicatorCatalog, removeIndicator, useIndicatorsStore } from '../../stores/indicators-store';
import { loadInstruments, useInstrumentsStore } from '../../stores/instruments-store';
import { useMarksStore } from '../../stores/marks-store';
import { setPaletteOpen, selectSymbol, useNavStore } from '../../stores/nav-store';
import { IndicatorMenu } from './IndicatorMenu';

/** Chart: candles and volume for the selected symbol, indicators from the menu, trade and signal markers. */
export function ChartView() {
  const symbol = useNavStore((s) => s.symbol);
  const focusTime = useNavStore((s) => s.focusTime);
  const theme = useNavStore((s) => s.theme);
  const instruments = useInstrumentsStore((s) => s.instruments);
  const instError = useInstrumentsStore((s) => s.error);
  const isEmpty = useInstrumentsStore((s) => s.isLoaded && s.instruments.length === 0 && !s.error);
  const { bars, isLoading, error, barsSymbol } = useBarsStore(useShallow((s) => ({ bars: s.bars, isLoading: s.isLoading, error: s.error, barsSymbol: s.symbol })));
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

  useEffect(() => {
    if (!symbol) return;
    if (barsSymbol !== symbol) void loadBars(symbol);
    if (useIndicatorsStore.getState().symbol !== symbol) void computeIndicatorsFor(symbol);
  }, [symbol, barsSymbol]);

  const drawn = useMemo(() => (bars ? drawnIndicators(active, results, bars.time) : []), [active, results, bars]);
  const inst = instruments.find((i) => i.symbol === symbol);
  const isReady = !!bars && !isLoading && barsSymbol === symbol;

  return (
    <div className="view-body" data-view-ready={isReady ? 'chart' : undefined} data-symbol={symbol ?? ''}>
      <div className="toolbar">
        <button className="btn" onClick={() => setPaletteOpen(true)} data-testid="symbol-button" title="Search symbol (Ctrl+K)">
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
        <span className="spacer" />
        {marks.length > 0 && (
          <span className="chip">
            {marks.length} markers
            <button className="btn-ghost" onClick={() => useMarksStore.setState((s) => ({ marks: s.marks.filter((m) => m.symbol !== symbol) }))}>
              ×
            </button>
          </span>
        )}
        {isLoading && <span className="muted">loading…</span>}
        {bars && <span className="muted mono">{bars.time.length} bars</span>}
      </div>
      <ErrorBanner error={error ?? indError ?? instError} />
      {isEmpty && <EmptyStore />}
      {bars && symbol ? (
        <PriceChart symbol={symbol} bars={bars} indicators={drawn} marks={marks} focusTime={focusTime} theme={theme} />
      ) : (
        !isLoading && !isEmpty && <div className="muted" style={{ padding: 16 }}>Choose a symbol (Ctrl+K).</div>
      )}
    </div>
  );
}
