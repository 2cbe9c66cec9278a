import { useMemo, useState } from 'react';
import { moveSelection, searchInstruments, useInstrumentsStore } from '../stores/instruments-store';
import { selectSymbol, setPaletteOpen, showView } from '../stores/nav-store';
import { addToWatchlist } from '../stores/watchlists-store';

/** Ctrl+K: search a symbol by ticker or name, arrows to move, Enter to open it on the chart, Shift+Enter or + to add it to the watchlist, Esc to close. */
export function SymbolPalette() {
  const instruments = useInstrumentsStore((s) => s.instruments);
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const results = useMemo(() => searchInstruments(instruments, query, 30), [instruments, query]);
  const pick = (symbol: string) => {
    selectSymbol(symbol);
    showView('chart');
  };
  return (
    <div className="palette-backdrop" onMouseDown={() => setPaletteOpen(false)}>
      <div className="palette" onMouseDown={(e) => e.stopPropagation()} data-testid="symbol-palette">
        <input
          autoFocus
          className="palette-input"
          placeholder="Symbol, name or sector…"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setIndex(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              setIndex((i) => moveSelection(i, e.key === 'ArrowDown' ? 1 : -1, results.length));
            } else if (e.key === 'Enter' && e.shiftKey && results[index]) {
              void addToWatchlist([results[index].symbol]);
              setPaletteOpen(false);
            } else if (e.key === 'Enter' && results[index]) {
              pick(results[index].symbol);
            } else if (e.key === 'Escape') {
              setPaletteOpen(false);
            }
          }}
        />
        <ul className="palette-list">
          {results.map((inst, i) => (
            <li
              key={inst.symbol}
              className={i === index ? 'selected' : undefined}
              onMouseEnter={() => setIndex(i)}
              onClick={() => pick(inst.symbol)}
            >
              <span className="mono sym">{inst.symbol}</span>
              <span className="name">{inst.name}</span>
              <span className="muted">{inst.sector}</span>
              <button
                className="btn-ghost"
                title="Add to the watchlist (Shift+Enter)"
                data-testid="palette-add-watchlist"
                onClick={(e) => {
                  e.stopPropagation();
                  void addToWatchlist([inst.symbol]);
                  setPaletteOpen(false);
                }}
              >
                +
              </button>
            </li>
          ))}
          {results.length === 0 && <li className="muted">No match</li>}
        </ul>
      </div>
    </div>
  );
}
