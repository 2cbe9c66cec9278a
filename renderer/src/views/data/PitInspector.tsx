import { ErrorBanner } from '../../components/ErrorBanner';
import { fmtDate, fmtNum } from '../../lib/format';
import { useMemo } from 'react';
import { inspectPit, revisionRows, setPitInput, usePitStore } from '../../stores/data-store';

/** Point-in-time inspector: a field's value as known at a date, and every version ever stored. */
export function PitInspector() {
  const { symbol, field, asOf, value, revisions, error, isLoading } = usePitStore();
  const rows = useMemo(() => revisionRows(revisions, value), [revisions, value]);
  return (
    <div className="panel" data-pit-ready={value ? 'true' : undefined}>
      <div className="panel-title">Point-in-time inspector</div>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void inspectPit();
        }}
      >
        <input
          placeholder="Symbol"
          value={symbol}
          onChange={(e) => setPitInput({ symbol: e.target.value })}
          style={{ width: 80 }}
          data-testid="pit-symbol"
        />
        <input
          placeholder="Field (eps…)"
          list="pit-fields"
          value={field}
          onChange={(e) => setPitInput({ field: e.target.value })}
          style={{ width: 150 }}
          data-testid="pit-field"
        />
        <datalist id="pit-fields">
          <option value="eps" />
          <option value="book_value_per_share" />
          <option value="shares_outstanding" />
        </datalist>
        <input
          placeholder="As of YYYY-MM-DD"
          value={asOf}
          onChange={(e) => setPitInput({ asOf: e.target.value })}
          style={{ width: 130 }}
          data-testid="pit-asof"
        />
        <button className="btn btn-primary" type="submit" disabled={isLoading} data-testid="pit-inspect">
          Inspect
        </button>
      </form>
      <ErrorBanner error={error} />
      <div className="panel-body">
        {value && (
          <div style={{ marginBottom: 6 }} data-testid="pit-value">
            <span className="muted">As of {fmtDate(value.asOf)}: </span>
            <span className="mono" style={{ fontSize: 15 }}>
              {value.value === null ? 'not known yet' : fmtNum(value.value, 4)}
            </span>
            {value.periodEnd !== null && (
              <span className="muted">
                {' '}
                (period {fmtDate(value.periodEnd)}, known {fmtDate(value.knownAt)})
              </span>
            )}
          </div>
        )}
        {revisions.length > 0 && (
          <table className="grid" data-testid="pit-revisions">
            <thead>
              <tr>
                <th>Period end</th>
                <th>Known at</th>
                <th className="num">Value</th>
                <th>Version</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr
                  key={i}
                  className={r.isUsed ? 'selected' : undefined}
                  style={r.isFuture ? { opacity: 0.5 } : undefined}
                  data-restatement={r.version > 0 ? 'true' : undefined}
                >
                  <td className="mono">{fmtDate(r.periodEnd)}</td>
                  <td className="mono">{fmtDate(r.knownAt)}</td>
                  <td className="num">{fmtNum(r.value, 4)}</td>
                  <td>
                    {r.version > 0 ? (
                      <span className="badge warn" title={`Restates ${fmtNum(r.restates, 4)} for the same period`}>
                        restatement{r.version > 1 ? ` ${r.version}` : ''} (was {fmtNum(r.restates, 4)})
                      </span>
                    ) : (
                      <span className="muted">original</span>
                    )}
                  </td>
                  <td className="muted">{r.isUsed ? '← as of' : r.isFuture ? 'not yet known' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
