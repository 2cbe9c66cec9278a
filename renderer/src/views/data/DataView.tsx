import { useEffect } from 'react';
import { EmptyStore } from '../../components/EmptyStore';
import { ErrorBanner } from '../../components/ErrorBanner';
import { fmtInt } from '../../lib/format';
import { loadInstruments, useInstrumentsStore } from '../../stores/instruments-store';
import { selectSymbol, showView } from '../../stores/nav-store';
import { CoverageTable } from './CoverageTable';
import { ImportPanel } from './ImportPanel';
import { PitInspector } from './PitInspector';
import { QualityPanel } from './QualityPanel';

/** Data: coverage per symbol, CSV import, point-in-time inspector. */
export function DataView() {
  const instruments = useInstrumentsStore((s) => s.instruments);
  const isLoaded = useInstrumentsStore((s) => s.isLoaded);
  const error = useInstrumentsStore((s) => s.error);
  useEffect(() => {
    void loadInstruments();
  }, []);
  const bars = instruments.reduce((n, i) => n + i.bars, 0);
  const gaps = instruments.filter((i) => i.gaps > 0).length;
  return (
    <div className="view-body" data-view-ready={isLoaded ? 'data' : undefined}>
      <div className="toolbar">
        <b>Data</b>
        <span className="muted mono" data-testid="coverage-summary">
          {fmtInt(instruments.length)} instruments · {fmtInt(bars)} bars · {gaps} with gaps
        </span>
        <span className="spacer" />
        <button className="btn" onClick={() => void loadInstruments()}>
          Refresh
        </button>
      </div>
      <ErrorBanner error={error} />
      {isLoaded && instruments.length === 0 && !error && <EmptyStore />}
      <div className="split">
        <div className="main-col">
          <div className="panel" style={{ flex: 1 }}>
            <div className="panel-title">Coverage</div>
            <CoverageTable
              rows={instruments}
              onOpen={(s) => {
                selectSymbol(s);
                showView('chart');
              }}
            />
          </div>
        </div>
        <div style={{ width: 520, flex: 'none', overflow: 'auto' }}>
          <ImportPanel />
          <PitInspector />
          <QualityPanel />
        </div>
      </div>
    </div>
  );
}
