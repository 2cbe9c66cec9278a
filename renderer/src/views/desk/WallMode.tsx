import { useEffect, useState } from 'react';
import type { DeskOverview } from '../../../../core/contract';
import { fmtMoney, fmtPct, signClass } from '../../lib/format';

/** Seconds each book stays on the wall before the next one. */
export const WALL_CYCLE_MS = 8_000;

/**
 * The read-only wall screen: desk totals in large type and one book at a time, cycling every few seconds;
 * no inputs (Esc leaves it). Everything shown comes from the pushed overview.
 */
export function WallMode({ overview, onExit }: { overview: DeskOverview; onExit: () => void }) {
  const [i, setI] = useState(0);
  const n = overview.books.length;
  useEffect(() => {
    const t = setInterval(() => setI((x) => x + 1), WALL_CYCLE_MS);
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onExit();
    window.addEventListener('keydown', onKey);
    return () => {
      clearInterval(t);
      window.removeEventListener('keydown', onKey);
    };
  }, [onExit]);
  const b = n > 0 ? overview.books[i % n] : null;
  const t = overview.totals;
  const usages = b
    ? [b.usage.grossExposure, b.usage.dailyLoss, b.usage.position].filter((x): x is number => x !== null)
    : [];
  const used = usages.length > 0 ? Math.max(...usages) : null;
  return (
    <div className="wall" data-testid="wall" data-book={b?.name ?? ''}>
      <div className="wall-row">
        <WallFigure label="Desk equity" value={fmtMoney(t.equity)} />
        <WallFigure label="Day PnL" value={fmtMoney(t.dayPnl)} cls={signClass(t.dayPnl)} />
        <WallFigure label="Gross" value={fmtMoney(t.grossExposure)} />
        <WallFigure label="Net" value={fmtMoney(t.netExposure)} cls={signClass(t.netExposure)} />
        <WallFigure
          label="Desk"
          value={overview.killSwitch.tripped ? 'HALTED' : 'ARMED'}
          cls={overview.killSwitch.tripped ? 'neg' : 'pos'}
        />
      </div>
      {b ? (
        <div className="wall-book" key={b.name}>
          <div className="wall-book-title">
            {b.name}{' '}
            <span className="muted">
              · {b.strategy} · {b.status}
            </span>
            {b.killSwitch.tripped && <span className="neg"> · KILL SWITCH</span>}
            <span className="muted wall-page">
              {(i % n) + 1} / {n}
            </span>
          </div>
          <div className="wall-row">
            <WallFigure label="Equity" value={fmtMoney(b.equity)} />
            <WallFigure label="Day PnL" value={fmtMoney(b.dayPnl)} cls={signClass(b.dayPnl)} />
            <WallFigure label="Drawdown" value={fmtPct(-b.drawdown)} cls={b.drawdown > 0 ? 'neg' : ''} />
            <WallFigure label="Gross" value={fmtMoney(b.grossExposure)} />
            <WallFigure label="Positions" value={String(b.openPositions)} />
            <WallFigure
              label="Most used limit"
              value={used === null ? '—' : fmtPct(used, 0)}
              cls={used !== null && used >= 1 ? 'neg' : used !== null && used >= 0.8 ? 'warn-text' : ''}
            />
          </div>
        </div>
      ) : (
        <div className="wall-book muted">No books.</div>
      )}
      <div className="wall-strip">
        {overview.books.map((x, k) => (
          <span key={x.name} className={`wall-chip ${k === i % n ? 'active' : ''}`}>
            {x.name} <span className={signClass(x.dayPnl)}>{fmtMoney(x.dayPnl)}</span>
          </span>
        ))}
      </div>
      <div className="muted wall-hint">Wall mode · read-only · Esc to leave</div>
    </div>
  );
}

function WallFigure({ label, value, cls = '' }: { label: string; value: string; cls?: string }) {
  return (
    <div className="wall-figure">
      <div className="wall-label">{label}</div>
      <div className={`wall-value ${cls}`}>{value}</div>
    </div>
  );
}
