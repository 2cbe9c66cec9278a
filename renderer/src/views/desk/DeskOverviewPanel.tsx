import { useState } from 'react';
import type { DeskOverview } from '../../../../core/contract';
import { fmtMoney, fmtPct, signClass } from '../../lib/format';
import { flatten, openBook, resumeBook, setDeskLimits, stopBook } from '../../stores/desk-store';
import { UsageBar } from './UsageBar';

const STATUS_CLASS: Record<string, string> = { running: 'ok', finished: 'warn', stopped: 'bad' };

/** The portfolio overview: desk totals, every book's figures and limit usage, exposure by sector and by book, desk limits. */
export function DeskOverviewPanel({
  overview,
  onFlatten,
}: {
  overview: DeskOverview;
  onFlatten: (book: string) => void;
}) {
  const t = overview.totals;
  return (
    <div className="desk-overview" data-testid="desk-overview" data-books={overview.books.length}>
      <div className="cards">
        {(
          [
            ['Equity', t.equity, ''],
            ['Day PnL', t.dayPnl, signClass(t.dayPnl)],
            ['Gross exposure', t.grossExposure, ''],
            ['Net exposure', t.netExposure, signClass(t.netExposure)],
            ['Capital', t.capital, 'muted'],
          ] as const
        ).map(([label, v, cls]) => (
          <div key={label} className="card">
            <div className="label">{label}</div>
            <div className={`value ${cls}`} data-testid={`desk-total-${label.toLowerCase().replace(/ /g, '-')}`}>
              {fmtMoney(v)}
            </div>
          </div>
        ))}
        <div className="card">
          <div className="label">Desk limits used</div>
          <div className="value desk-usage">
            <UsageBar value={overview.usage.grossExposure} label="desk gross" />{' '}
            <UsageBar value={overview.usage.netExposure} label="desk net" />{' '}
            <UsageBar value={overview.usage.dailyLoss} label="desk daily loss" />
          </div>
        </div>
      </div>
      <div className="panel">
        <div className="panel-title">Books</div>
        <div className="panel-body" style={{ padding: 0 }}>
          <table className="grid" data-testid="desk-books">
            <thead>
              <tr>
                <th>Book</th>
                <th>Strategy</th>
                <th>Status</th>
                <th className="num">Equity</th>
                <th className="num">Day PnL</th>
                <th className="num">Gross</th>
                <th className="num">Net</th>
                <th className="num">Drawdown</th>
                <th>Gross limit</th>
                <th>Loss limit</th>
                <th>Position limit</th>
                <th className="num">Pos</th>
                <th className="num">Orders</th>
                <th className="num" title="Risk, kill-switch, anomaly and feed alerts not yet acknowledged">
                  Alerts
                </th>
                <th>Kill</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {overview.books.map((b) => (
                <tr
                  key={b.name}
                  data-testid="desk-book-row"
                  data-book={b.name}
                  data-status={b.status}
                  data-killed={b.killSwitch.tripped ? 'true' : 'false'}
                >
                  <td>
                    <button className="btn-ghost" onClick={() => openBook(b.name)} data-testid="desk-open-book">
                      {b.name}
                    </button>
                  </td>
                  <td className="mono">
                    {b.strategy}
                    {b.broker && (
                      <span
                        className={`desk-broker ${b.broker.reconciled === false ? 'warn-text' : 'muted'}`}
                        data-testid="book-broker"
                        title={
                          b.broker.reconciled === null
                            ? 'not reconciled yet'
                            : b.broker.reconciled
                              ? 'journal and broker agree (last reconciliation)'
                              : `${b.broker.mismatches} difference(s) between the journal and the broker`
                        }
                      >
                        {' · '}
                        {b.broker.name} {b.broker.accountId ?? ''}
                        {b.broker.reconciled === null ? '' : b.broker.reconciled ? ' ✓' : ` ≠${b.broker.mismatches}`}
                      </span>
                    )}
                  </td>
                  <td>
                    <span className={`badge ${STATUS_CLASS[b.status]}`}>{b.status}</span>
                  </td>
                  <td className="num" data-testid="book-equity">
                    {fmtMoney(b.equity)}
                  </td>
                  <td className={`num ${signClass(b.dayPnl)}`}>{fmtMoney(b.dayPnl)}</td>
                  <td className="num">{fmtMoney(b.grossExposure)}</td>
                  <td className={`num ${signClass(b.netExposure)}`}>{fmtMoney(b.netExposure)}</td>
                  <td className={`num ${b.drawdown > 0 ? 'neg' : ''}`}>{fmtPct(-b.drawdown)}</td>
                  <td>
                    <UsageBar value={b.usage.grossExposure} label="gross exposure" />
                  </td>
                  <td>
                    <UsageBar value={b.usage.dailyLoss} label="daily loss" />
                  </td>
                  <td>
                    <UsageBar value={b.usage.position} label="max position" />
                  </td>
                  <td className="num">{b.openPositions}</td>
                  <td className="num">{b.workingOrders}</td>
                  <td className={`num ${b.unackedAlerts > 0 ? 'warn-text' : 'muted'}`}>{b.unackedAlerts}</td>
                  <td>
                    {b.killSwitch.tripped ? (
                      <span className="badge bad" title={b.killSwitch.reason ?? ''}>
                        tripped
                      </span>
                    ) : (
                      <span className="badge ok">armed</span>
                    )}
                  </td>
                  <td style={{ whiteSpace: 'nowrap' }}>
                    {b.status === 'running' ? (
                      <button className="btn" onClick={() => void stopBook(b.name)} data-testid="desk-stop-book">
                        Stop
                      </button>
                    ) : b.status === 'stopped' ? (
                      <button
                        className="btn"
                        onClick={() => void resumeBook(b.name)}
                        data-testid="desk-resume-book"
                        title="Restart its feed: it continues after its last journaled step"
                      >
                        Resume
                      </button>
                    ) : null}{' '}
                    <button
                      className="btn"
                      onClick={() => onFlatten(b.name)}
                      disabled={b.openPositions === 0}
                      data-testid="desk-flatten-book"
                    >
                      Flatten
                    </button>
                  </td>
                </tr>
              ))}
              {overview.books.length === 0 && (
                <tr>
                  <td colSpan={16} className="muted">
                    No books yet: add one above (a strategy on a replay, or a manual book traded from the ticket).
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </div>
      <div className="split" style={{ flex: 'none' }}>
        <ExposureTable title="Exposure by sector" rows={overview.bySector} testid="desk-by-sector" />
        <ExposureTable title="Exposure by book" rows={overview.byBook} testid="desk-by-book" />
        <DeskLimitsForm overview={overview} />
      </div>
    </div>
  );
}

function ExposureTable({ title, rows, testid }: { title: string; rows: DeskOverview['bySector']; testid: string }) {
  return (
    <div className="panel" style={{ flex: 1 }}>
      <div className="panel-title">{title}</div>
      <div className="panel-body" style={{ padding: 0 }}>
        <table className="grid" data-testid={testid}>
          <thead>
            <tr>
              <th />
              <th className="num">Gross</th>
              <th className="num">Net</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <td>{r.key}</td>
                <td className="num">{fmtMoney(r.gross)}</td>
                <td className={`num ${signClass(r.net)}`}>{fmtMoney(r.net)}</td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={3} className="muted">
                  No open positions.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Desk limits: empty = none; every value a positive number. */
function DeskLimitsForm({ overview }: { overview: DeskOverview }) {
  const l = overview.limits;
  const [texts, setTexts] = useState({
    gross: l.maxGrossExposure?.toString() ?? '',
    net: l.maxNetExposure?.toString() ?? '',
    loss: l.maxDailyLoss?.toString() ?? '',
  });
  const [err, setErr] = useState<string | null>(null);
  const save = () => {
    const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
    const v = { maxGrossExposure: num(texts.gross), maxNetExposure: num(texts.net), maxDailyLoss: num(texts.loss) };
    const bad = Object.entries(v).find(([, x]) => x !== undefined && !(Number.isFinite(x) && x > 0));
    if (bad) return setErr(`${bad[0]}: must be a positive number`);
    setErr(null);
    void setDeskLimits(Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
  };
  return (
    <div className="panel" style={{ flex: 1 }}>
      <div className="panel-title">Desk limits (across books, checked before every order)</div>
      <div className="panel-body form-grid">
        <label>
          Max gross exposure
          <input
            className="num"
            value={texts.gross}
            onChange={(e) => setTexts({ ...texts, gross: e.target.value })}
            data-testid="desk-limit-gross"
          />
        </label>
        <label>
          Max net exposure
          <input
            className="num"
            value={texts.net}
            onChange={(e) => setTexts({ ...texts, net: e.target.value })}
            data-testid="desk-limit-net"
          />
        </label>
        <label>
          Max daily loss
          <input
            className="num"
            value={texts.loss}
            onChange={(e) => setTexts({ ...texts, loss: e.target.value })}
            data-testid="desk-limit-loss"
          />
        </label>
        {err && <div className="bad">{err}</div>}
        <button className="btn" onClick={save} data-testid="desk-limits-save">
          Save desk limits
        </button>
        <div className="muted">A breach trips the desk kill switch (every book).</div>
      </div>
    </div>
  );
}
