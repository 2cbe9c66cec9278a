import { useEffect } from 'react';
import { loadFindings, usePlatformStore } from '../../stores/platform-store';

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Data-quality findings (gaps, stale prices, outliers, suspected splits, volume), newest first. */
export function QualityPanel() {
  const findings = usePlatformStore((s) => s.findings);
  useEffect(() => {
    void loadFindings();
  }, []);
  return (
    <div className="panel" data-quality-ready={findings ? 'true' : undefined}>
      <div className="panel-title">Data quality {findings && findings.length > 0 ? `(${findings.length})` : ''}</div>
      {findings && findings.length === 0 && (
        <p className="muted panel-body">No findings: every import and fetch is checked.</p>
      )}
      {findings && findings.length > 0 && (
        <table className="grid" data-testid="quality-findings">
          <thead>
            <tr>
              <th>Symbol</th>
              <th>Check</th>
              <th>Date</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f, i) => (
              <tr key={i}>
                <td className="mono">{f.symbol}</td>
                <td className={f.severity === 'critical' ? 'neg' : f.severity === 'warning' ? 'warn-text' : 'muted'}>
                  {f.check}
                </td>
                <td className="mono">{day(f.ts)}</td>
                <td style={{ whiteSpace: 'normal' }}>{f.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
