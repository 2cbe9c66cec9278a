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

/** The run's trades: sortable, virtualised; a click opens the Chart at the trade. */
export function TradeList({ trades, onOpen }: { trades: readonly Trade[]; onOpen: (t: Trade) => void }) {
  return <VirtualTable rows={trades} columns={COLUMNS} onRowClick={onOpen} height={240} testId="trade-list" />;
}
