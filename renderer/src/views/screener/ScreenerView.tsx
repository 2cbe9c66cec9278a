import { useEffect, useState } from 'react';
import { columnLabel, type ScreenFilter } from '../../../../core/model/desk';
import { selectSymbol, useNavStore } from '../../stores/nav-store';
import {
  deleteSavedScreen,
  loadScreens,
  openScreen,
  removeScreenColumn,
  runScreen,
  saveScreenAs,
  sendToBacktest,
  sendToWatchlist,
  setScreen,
  useScreenerStore,
} from '../../stores/screener-store';
import { COLUMN_PRESETS, loadWatchlists, useWatchlistsStore } from '../../stores/watchlists-store';
import '../desk/desk.css';

const OPS: readonly ScreenFilter['op'][] = ['>', '>=', '<', '<=', 'between', 'outside'];

/** The screener: the point-in-time universe on a date (or now), columns, filters, a rank; save it; send the result on. */
export function ScreenerView() {
  const form = useScreenerStore((s) => s.form);
  const result = useScreenerStore((s) => s.result);
  const saved = useScreenerStore((s) => s.saved);
  const isRunning = useScreenerStore((s) => s.isRunning);
  const error = useScreenerStore((s) => s.error);
  const notice = useScreenerStore((s) => s.notice);
  const lists = useWatchlistsStore((s) => s.lists);
  const selected = useNavStore((s) => s.symbol);
  const [name, setName] = useState('');
  const [target, setTarget] = useState('');
  const [newList, setNewList] = useState('');
  const [field, setField] = useState('');
  useEffect(() => {
    void loadScreens();
    void loadWatchlists();
  }, []);
  const setFilter = (i: number, patch: Partial<ScreenFilter>) =>
    setScreen({ filters: form.filters.map((f, k) => (k === i ? ({ ...f, ...patch } as ScreenFilter) : f)) });
  const addColumn = (c: (typeof COLUMN_PRESETS)[number]['column']) => setScreen({ columns: [...form.columns, c] });

  return (
    <div className="desk-view" data-testid="screener-view">
      <div className="panel">
        <div className="panel-title">
          Screen
          <span className="spacer" />
          <select
            value=""
            onChange={(e) => e.target.value && openScreen(e.target.value)}
            data-testid="screen-open"
            aria-label="Open a saved screen"
          >
            <option value="">saved screens…</option>
            {saved.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          {saved.length > 0 && (
            <select
              value=""
              onChange={(e) => e.target.value && void deleteSavedScreen(e.target.value)}
              aria-label="Delete a saved screen"
            >
              <option value="">delete…</option>
              {saved.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </div>
        <div className="panel-body desk-view" style={{ overflow: 'visible' }}>
          <div className="desk-row">
            <label title="Bars up to this date and fundamentals known by its end; empty: now">
              As of
              <input
                type="date"
                value={form.date}
                onChange={(e) => setScreen({ date: e.target.value })}
                data-testid="screen-date"
              />
            </label>
            <label title="A stored universe's name; empty: every instrument listed on the date (delisted ones included before their delisting)">
              Universe
              <input
                value={form.universe}
                onChange={(e) => setScreen({ universe: e.target.value })}
                placeholder="all listed"
                style={{ width: 110 }}
                data-testid="screen-universe"
              />
            </label>
            <label>
              Rank by
              <select
                value={form.rank ? String(form.rank.column) : ''}
                onChange={(e) =>
                  setScreen({
                    rank:
                      e.target.value === ''
                        ? null
                        : { column: Number(e.target.value), order: form.rank?.order ?? 'desc' },
                  })
                }
                data-testid="screen-rank"
              >
                <option value="">—</option>
                {form.columns.map((c, j) => (
                  <option key={j} value={j}>
                    {columnLabel(c)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Order
              <select
                value={form.rank?.order ?? 'desc'}
                onChange={(e) => form.rank && setScreen({ rank: { ...form.rank, order: e.target.value as 'desc' } })}
                data-testid="screen-order"
              >
                <option value="desc">highest first</option>
                <option value="asc">lowest first</option>
              </select>
            </label>
            <label>
              Rows
              <input
                className="num"
                value={form.limit}
                onChange={(e) => setScreen({ limit: Math.max(1, Math.min(5000, Number(e.target.value) || 1)) })}
              />
            </label>
          </div>
          <div className="desk-row">
            <span className="muted">Columns</span>
            {form.columns.map((c, j) => (
              <span key={j} className="badge" data-testid="screen-column">
                {columnLabel(c)}{' '}
                <span style={{ cursor: 'pointer' }} onClick={() => removeScreenColumn(j)} title="Remove">
                  ×
                </span>
              </span>
            ))}
            <select
              value=""
              onChange={(e) => e.target.value && addColumn(COLUMN_PRESETS[Number(e.target.value)].column)}
              data-testid="screen-add-column"
              aria-label="Add a column"
            >
              <option value="">add column…</option>
              {COLUMN_PRESETS.map((p, i) => (
                <option key={p.label} value={i}>
                  {p.label.replace(' (known now)', ' (known then)')}
                </option>
              ))}
            </select>
            <input
              value={field}
              onChange={(e) => setField(e.target.value)}
              placeholder="fundamental field"
              style={{ width: 120 }}
            />
            <button
              className="btn-ghost"
              disabled={!/^[a-z][a-z0-9_]*$/i.test(field)}
              onClick={() => (addColumn({ kind: 'fundamental', field }), setField(''))}
            >
              Add field
            </button>
          </div>
          {form.filters.map((f, i) => (
            <div key={i} className="desk-row" data-testid="screen-filter">
              <span className="muted">where</span>
              <select
                value={f.column}
                onChange={(e) => setFilter(i, { column: Number(e.target.value) })}
                data-testid="screen-filter-column"
              >
                {form.columns.map((c, j) => (
                  <option key={j} value={j}>
                    {columnLabel(c)}
                  </option>
                ))}
              </select>
              <select
                value={f.op}
                onChange={(e) => setFilter(i, { op: e.target.value as ScreenFilter['op'] })}
                data-testid="screen-filter-op"
              >
                {OPS.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
              <input
                className="num"
                value={f.value}
                onChange={(e) => setFilter(i, { value: Number(e.target.value) })}
                data-testid="screen-filter-value"
              />
              {(f.op === 'between' || f.op === 'outside') && (
                <input
                  className="num"
                  value={f.value2 ?? ''}
                  onChange={(e) => setFilter(i, { value2: Number(e.target.value) })}
                />
              )}
              <button
                className="btn-ghost"
                onClick={() => setScreen({ filters: form.filters.filter((_, k) => k !== i) })}
              >
                ✕
              </button>
            </div>
          ))}
          <div className="desk-row">
            <button
              className="btn-ghost"
              disabled={form.columns.length === 0}
              onClick={() => setScreen({ filters: [...form.filters, { column: 0, op: '>', value: 0 }] })}
              data-testid="screen-add-filter"
            >
              + filter
            </button>
            <button
              className="btn"
              disabled={isRunning || form.columns.length === 0}
              onClick={() => void runScreen()}
              data-testid="screen-run"
            >
              {isRunning ? 'Running…' : 'Run screen'}
            </button>
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="screen name"
              style={{ width: 120 }}
              data-testid="screen-name"
            />
            <button
              className="btn-ghost"
              disabled={!name.trim()}
              onClick={() => void saveScreenAs(name.trim())}
              data-testid="screen-save"
            >
              Save screen
            </button>
            {error && (
              <span className="neg" data-testid="screen-error">
                {error}
              </span>
            )}
            {notice && (
              <span className="muted" data-testid="screen-notice">
                {notice}
              </span>
            )}
          </div>
        </div>
      </div>
      {result && (
        <div className="panel" style={{ flex: 1 }}>
          <div className="panel-title">
            <span data-testid="screen-count">{result.symbols.length}</span>&nbsp;of {result.universeSize} as of{' '}
            {new Date(result.asOf).toISOString().slice(0, 10)}
            <span className="spacer" />
            <select
              value={target}
              onChange={(e) => setTarget(e.target.value)}
              data-testid="screen-target"
              aria-label="Watchlist"
            >
              <option value="">new watchlist…</option>
              {lists.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
            {target === '' && (
              <input
                value={newList}
                onChange={(e) => setNewList(e.target.value)}
                placeholder="list name"
                style={{ width: 100 }}
                data-testid="screen-new-list"
              />
            )}
            <button
              className="btn-ghost"
              disabled={result.symbols.length === 0}
              onClick={() => void sendToWatchlist(target || null, newList.trim())}
              data-testid="screen-to-watchlist"
            >
              → Watchlist
            </button>
            <button
              className="btn-ghost"
              disabled={result.symbols.length === 0}
              onClick={sendToBacktest}
              data-testid="screen-to-backtest"
              title="Put these symbols in the Backtest form"
            >
              → Backtest
            </button>
          </div>
          <div className="panel-body" style={{ padding: 0, overflow: 'auto' }}>
            <table className="grid" data-testid="screen-results" data-symbols={result.symbols.join(',')}>
              <thead>
                <tr>
                  <th>#</th>
                  <th>Symbol</th>
                  {result.labels.map((l, j) => (
                    <th key={j} className="num">
                      {l}
                    </th>
                  ))}
                  <th>Bar</th>
                </tr>
              </thead>
              <tbody>
                {result.symbols.map((s, i) => (
                  <tr
                    key={s}
                    className={s === selected ? 'selected-row' : ''}
                    onClick={() => selectSymbol(s)}
                    style={{ cursor: 'pointer' }}
                    data-testid="screen-row"
                  >
                    <td className="muted">{i + 1}</td>
                    <td className="mono">{s}</td>
                    {result.values[i].map((v, j) => (
                      <td key={j} className="num">
                        {v === null ? '—' : v.toFixed(2)}
                      </td>
                    ))}
                    <td className="muted mono">
                      {result.barTime[i] === null ? '—' : new Date(result.barTime[i]!).toISOString().slice(0, 10)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </div>
  );
}
