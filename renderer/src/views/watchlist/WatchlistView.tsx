import { useEffect, useMemo, useRef, useState } from 'react';
import { columnLabel } from '../../../../core/model/desk';
import { selectSymbol, setPaletteOpen, useNavStore } from '../../stores/nav-store';
import {
  addColumn,
  addToWatchlist,
  COLUMN_PRESETS,
  createWatchlist,
  deleteActiveWatchlist,
  loadWatchlists,
  moveInWatchlist,
  refreshTable,
  removeColumn,
  removeFromWatchlist,
  showWatchlist,
  useWatchlistsStore,
} from '../../stores/watchlists-store';
import '../desk/desk.css';

/** Formats a column value: prices and % with 2 decimals, volumes compact. */
function fmt(kind: string, v: number | null): string {
  if (v === null) return '—';
  if (kind === 'volume')
    return Math.abs(v) >= 1e6
      ? `${(v / 1e6).toFixed(2)}M`
      : Math.abs(v) >= 1e3
        ? `${(v / 1e3).toFixed(1)}K`
        : v.toFixed(0);
  return v.toFixed(2);
}

const SIGNED = new Set(['change', 'sma-distance', 'return']);

/** Watchlists: named lists with picked columns, sortable, flashing on change; the chart follows the selected row. */
export function WatchlistView() {
  const lists = useWatchlistsStore((s) => s.lists);
  const active = useWatchlistsStore((s) => s.active);
  const table = useWatchlistsStore((s) => s.table);
  const error = useWatchlistsStore((s) => s.error);
  const selected = useNavStore((s) => s.symbol);
  const list = lists.find((l) => l.id === active);
  const [sort, setSort] = useState<{ col: number; dir: 1 | -1 } | null>(null);
  const [symbolText, setSymbolText] = useState('');
  const [newName, setNewName] = useState('');
  const [field, setField] = useState('');
  // The previous values per symbol and column: a changed cell flashes up or down.
  const prev = useRef(new Map<string, (number | null)[]>());
  const [flash, setFlash] = useState<{ gen: number; cells: Map<string, 'up' | 'down'> }>({ gen: 0, cells: new Map() });

  useEffect(() => {
    void loadWatchlists();
    const timer = setInterval(() => void refreshTable(), 3_000);
    // Live prices move the list sooner (at most once a second).
    let last = 0;
    const off = window.api.on('live:ticked', () => {
      const now = Date.now();
      if (now - last < 1_000) return;
      last = now;
      void refreshTable();
    });
    return () => {
      clearInterval(timer);
      off();
    };
  }, []);

  useEffect(() => {
    if (!table) return;
    const cells = new Map<string, 'up' | 'down'>();
    table.symbols.forEach((s, i) => {
      const before = prev.current.get(s);
      table.values[i].forEach((v, j) => {
        const b = before?.[j];
        if (before && b !== undefined && b !== null && v !== null && v !== b)
          cells.set(`${s}:${j}`, v > b ? 'up' : 'down');
      });
      prev.current.set(s, [...table.values[i]]);
    });
    if (cells.size) setFlash((f) => ({ gen: f.gen + 1, cells }));
  }, [table]);

  const rows = useMemo(() => {
    if (!table) return [];
    const idx = table.symbols.map((_, i) => i);
    if (!sort) return idx;
    return idx.sort((a, b) => {
      const x = table.values[a][sort.col];
      const y = table.values[b][sort.col];
      if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
      return sort.dir * (x - y);
    });
  }, [table, sort]);

  const columns = list?.columns ?? [];
  const onSort = (j: number) =>
    setSort((s) => (s?.col === j ? (s.dir === -1 ? { col: j, dir: 1 } : null) : { col: j, dir: -1 }));
  const addSymbol = () => {
    const syms = symbolText
      .split(/[,\s]+/)
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean);
    if (syms.length) void addToWatchlist(syms).then(() => setSymbolText(''));
  };

  return (
    <div className="desk-view" data-testid="watchlist-view">
      <div className="desk-row">
        <select
          value={active ?? ''}
          onChange={(e) => showWatchlist(e.target.value)}
          data-testid="watchlist-select"
          aria-label="Watchlist"
        >
          {lists.length === 0 && <option value="">no lists</option>}
          {lists.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name} ({l.symbols.length})
            </option>
          ))}
        </select>
        <input
          value={newName}
          onChange={(e) => setNewName(e.target.value)}
          placeholder="new list name"
          style={{ width: 120 }}
          data-testid="watchlist-new-name"
        />
        <button
          className="btn-ghost"
          disabled={!newName.trim()}
          onClick={() => void createWatchlist(newName.trim()).then(() => setNewName(''))}
          data-testid="watchlist-create"
        >
          New list
        </button>
        {list && (
          <button className="btn-ghost" onClick={() => void deleteActiveWatchlist()} data-testid="watchlist-delete">
            Delete list
          </button>
        )}
        <span className="spacer" />
        <input
          value={symbolText}
          onChange={(e) => setSymbolText(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && addSymbol()}
          placeholder="add symbols…"
          style={{ width: 120 }}
          data-testid="watchlist-add-input"
        />
        <button className="btn-ghost" onClick={addSymbol} data-testid="watchlist-add">
          Add
        </button>
        <button className="btn-ghost" onClick={() => setPaletteOpen(true)} title="Ctrl+K, then + on a symbol">
          From palette…
        </button>
      </div>
      {list && (
        <div className="desk-row">
          <span className="muted">Columns</span>
          <select
            value=""
            onChange={(e) => e.target.value && void addColumn(COLUMN_PRESETS[Number(e.target.value)].column)}
            data-testid="watchlist-add-column"
            aria-label="Add a column"
          >
            <option value="">add column…</option>
            {COLUMN_PRESETS.map((p, i) => (
              <option key={p.label} value={i}>
                {p.label}
              </option>
            ))}
          </select>
          <input
            value={field}
            onChange={(e) => setField(e.target.value)}
            placeholder="fundamental field"
            style={{ width: 130 }}
            data-testid="watchlist-field"
          />
          <button
            className="btn-ghost"
            disabled={!/^[a-z][a-z0-9_]*$/i.test(field)}
            onClick={() => void addColumn({ kind: 'fundamental', field }).then(() => setField(''))}
          >
            Add field
          </button>
        </div>
      )}
      {error && (
        <div className="neg" data-testid="watchlist-error">
          {error}
        </div>
      )}
      {list ? (
        <table
          className="grid"
          data-testid="watchlist-table"
          data-symbols={list.symbols.join(',')}
          data-flash-gen={flash.gen}
        >
          <thead>
            <tr>
              <th>Symbol</th>
              {columns.map((c, j) => (
                <th key={j} className="num sortable" onClick={() => onSort(j)} data-testid="watchlist-col" data-col={j}>
                  {columnLabel(c)}
                  {sort?.col === j ? (sort.dir === -1 ? ' ▼' : ' ▲') : ''}
                  <span
                    className="muted"
                    title="Remove column"
                    style={{ marginLeft: 4, cursor: 'pointer' }}
                    onClick={(e) => {
                      e.stopPropagation();
                      void removeColumn(j);
                    }}
                  >
                    ×
                  </span>
                </th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {table &&
              rows.map((i) => {
                const s = table.symbols[i];
                return (
                  <tr
                    key={s}
                    className={s === selected ? 'selected-row' : ''}
                    onClick={() => selectSymbol(s)}
                    data-testid="watchlist-row"
                    data-symbol={s}
                    style={{ cursor: 'pointer' }}
                  >
                    <td className="mono">{s}</td>
                    {table.values[i].map((v, j) => {
                      const kind = columns[j]?.kind ?? '';
                      const f = flash.cells.get(`${s}:${j}`);
                      const sign = SIGNED.has(kind) && v !== null ? (v > 0 ? 'pos' : v < 0 ? 'neg' : '') : '';
                      return (
                        <td
                          key={`${j}-${f ? flash.gen : 0}`}
                          className={`num ${sign} ${f ? `flash-${f}` : ''}`}
                          data-col={j}
                        >
                          {fmt(kind, v)}
                        </td>
                      );
                    })}
                    <td onClick={(e) => e.stopPropagation()} style={{ whiteSpace: 'nowrap' }}>
                      <button
                        className="btn-ghost"
                        disabled={sort !== null}
                        onClick={() => void moveInWatchlist(s, -1)}
                        title="Move up"
                        data-testid="watchlist-up"
                      >
                        ↑
                      </button>
                      <button
                        className="btn-ghost"
                        disabled={sort !== null}
                        onClick={() => void moveInWatchlist(s, 1)}
                        title="Move down"
                        data-testid="watchlist-down"
                      >
                        ↓
                      </button>
                      <button
                        className="btn-ghost"
                        onClick={() => void removeFromWatchlist(s)}
                        title="Remove"
                        data-testid="watchlist-remove"
                      >
                        ✕
                      </button>
                    </td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      ) : (
        <div className="muted">
          No watchlist yet: name one and press “New list”, or add a symbol (a list is created).
        </div>
      )}
    </div>
  );
}
