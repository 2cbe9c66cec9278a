import { useMemo, useState } from 'react';
import type { SignalExplanation } from '../../../../core/model/explanation';
import type { TradeRow as Trade } from '../../stores/run-model';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { fmtDate, fmtInt, fmtMoney, fmtPct, fmtPrice, signClass } from '../../lib/format';

const COLUMNS: readonly Column<Trade>[] = [
  { key: 'symbol', label: 'Symbol', width: 70, value: (t) => t.symbol },
  {
    key: 'side',
    label: 'Side',
    width: 50,
    value: (t) => t.side,
    className: (t) => (t.side === 'long' ? 'pos' : 'neg'),
  },
  { key: 'entryTime', label: 'Entry', width: 90, value: (t) => t.entryMs, render: (t) => fmtDate(t.entryMs) },
  {
    key: 'entryPrice',
    label: 'Entry px',
    numeric: true,
    value: (t) => t.entryPrice,
    render: (t) => fmtPrice(t.entryPrice),
  },
  { key: 'exitTime', label: 'Exit', width: 90, value: (t) => t.exitMs, render: (t) => fmtDate(t.exitMs) },
  {
    key: 'exitPrice',
    label: 'Exit px',
    numeric: true,
    value: (t) => t.exitPrice,
    render: (t) => fmtPrice(t.exitPrice),
  },
  { key: 'qty', label: 'Qty', numeric: true, value: (t) => t.qty, render: (t) => fmtInt(t.qty) },
  {
    key: 'pnl',
    label: 'PnL',
    numeric: true,
    value: (t) => t.pnl,
    render: (t) => fmtMoney(t.pnl),
    className: (t) => signClass(t.pnl),
  },
  {
    key: 'returnPct',
    label: 'Return',
    numeric: true,
    value: (t) => t.returnPct,
    render: (t) => fmtPct(t.returnPct, 2, true),
    className: (t) => signClass(t.returnPct),
  },
  { key: 'days', label: 'Days', numeric: true, width: 50, value: (t) => t.days },
  { key: 'exitReason', label: 'Exit reason', value: (t) => t.exitReason },
];

/** A feature label short enough for a cell: `rsi(period=14)` → `rsi 14`, at most `max` characters. */
export function shortFeature(label: string, max = 14): string {
  const open = label.indexOf('(');
  const short =
    open > 0 && label.endsWith(')')
      ? `${label.slice(0, open)} ${label
          .slice(open + 1, -1)
          .split(',')
          .map((p) => p.slice(p.indexOf('=') + 1))
          .join(',')}`
      : label;
  return short.length > max ? `${short.slice(0, max - 1)}…` : short;
}

const sign = (v: number) => (v >= 0 ? '+' : '−');

/** The full "why" of a trade as one line: prediction = base + each shown contribution (value). */
export function whyText(e: SignalExplanation): string {
  const parts = e.top.map(
    (c) =>
      `${c.feature} ${sign(c.contribution)}${Math.abs(c.contribution).toPrecision(3)} (value ${
        c.value === null ? 'missing' : c.value.toPrecision(4)
      })`,
  );
  return `prediction ${e.prediction.toPrecision(4)} = base ${e.base.toPrecision(4)} + ${parts.join(' + ')} + …`;
}

const WHY: Column<Trade> = {
  key: 'why',
  label: 'Why (model)',
  width: 280,
  // Sorting by the prediction puts the most convinced entries first.
  value: (t) => t.why?.prediction ?? null,
  render: (t) =>
    t.why ? (
      <span className="why" data-why={t.why.top.length} title={whyText(t.why)}>
        {t.why.top.map((c) => (
          <span key={c.feature} className={c.contribution >= 0 ? 'pos' : 'neg'}>
            {shortFeature(c.feature)}
            {sign(c.contribution)}
          </span>
        ))}
      </span>
    ) : (
      '—'
    ),
};

/**
 * The run's trades: sortable, virtualised; a click opens the Chart at the trade. A model strategy's trades add a
 * "Why" column (the top contributions behind the prediction that opened each, with their signs); the row under the
 * pointer or the keyboard focus shows them in full below the table.
 */
export function TradeList({ trades, onOpen }: { trades: readonly Trade[]; onOpen: (t: Trade) => void }) {
  const explained = useMemo(() => trades.some((t) => t.why), [trades]);
  const columns = useMemo(
    () => (explained ? [...COLUMNS.slice(0, 3), WHY, ...COLUMNS.slice(3)] : COLUMNS),
    [explained],
  );
  const [active, setActive] = useState<Trade | null>(null);
  const shown = active && trades.includes(active) ? active : null;
  return (
    <>
      <VirtualTable
        rows={trades}
        columns={columns}
        onRowClick={onOpen}
        onRowActive={explained ? setActive : undefined}
        height={240}
        testId="trade-list"
      />
      {explained && (
        <div className="trade-why" data-testid="trade-why">
          {shown?.why ? (
            <>
              <span className="mono">
                {shown.symbol} {shown.side} {fmtDate(shown.entryMs)}
              </span>{' '}
              · model <span className="mono">{shown.why.modelId}</span> · prediction{' '}
              <span className="mono">{shown.why.prediction.toPrecision(4)}</span> = base{' '}
              <span className="mono">{shown.why.base.toPrecision(4)}</span>
              {shown.why.top.map((c) => (
                <span key={c.feature} data-testid="trade-why-contribution">
                  {' '}
                  + <span className="mono">{c.feature}</span>{' '}
                  <span className={`mono ${c.contribution >= 0 ? 'pos' : 'neg'}`}>
                    {sign(c.contribution)}
                    {Math.abs(c.contribution).toPrecision(3)}
                  </span>{' '}
                  <span className="muted">(value {c.value === null ? 'missing' : c.value.toPrecision(4)})</span>
                </span>
              ))}
              <span className="muted"> + the other features</span>
            </>
          ) : shown ? (
            <span className="muted">No model prediction explains this trade.</span>
          ) : (
            <span className="muted">Point at a trade to see why the model entered it.</span>
          )}
        </div>
      )}
    </>
  );
}
