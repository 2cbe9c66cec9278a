import { useState } from 'react';
import type { DeskBookDetail, DeskOrder } from '../../../../core/contract';
import { fmtDate, fmtInt, fmtMoney, fmtPct, fmtPrice, signClass } from '../../lib/format';
import { ackBookAlert, cancelOrder, replaceOrder } from '../../stores/desk-store';
import { OrderTicket } from './OrderTicket';
import { UsageBar } from './UsageBar';

const WORKING = new Set(['new', 'partially-filled']);

/** A book's drill-down: its figures, positions, orders (cancel / replace the working ones), signals, alerts, and the ticket. */
export function BookDetail({ detail, onFlatten }: { detail: DeskBookDetail; onFlatten: (book: string) => void }) {
  const v = detail.view;
  // A broker book's rows are the broker's; beside them, what the book's journal expects (once the broker was read).
  const journalCol = detail.positions.some((p) => p.bookQty !== undefined);
  const symbols = [
    ...new Set([...((detail.config.symbols as string[] | undefined) ?? []), ...detail.positions.map((p) => p.symbol)]),
  ];
  return (
    <div
      className="desk-book"
      data-testid="desk-book"
      data-book={v.name}
      data-positions={detail.positions.filter((p) => p.qty !== 0).length}
      data-killed={v.killSwitch.tripped ? 'true' : 'false'}
    >
      <div className="cards">
        {(
          [
            ['Equity', fmtMoney(v.equity), ''],
            ['Day PnL', fmtMoney(v.dayPnl), signClass(v.dayPnl)],
            ['Cash', fmtMoney(v.cash), ''],
            ['Gross', fmtMoney(v.grossExposure), ''],
            ['Net', fmtMoney(v.netExposure), signClass(v.netExposure)],
            ['Drawdown', fmtPct(-v.drawdown), v.drawdown > 0 ? 'neg' : ''],
          ] as const
        ).map(([label, text, cls]) => (
          <div key={label} className="card">
            <div className="label">{label}</div>
            <div className={`value ${cls}`}>{text}</div>
          </div>
        ))}
        <div className="card">
          <div className="label">Limits used</div>
          <div className="usage-list">
            <span>gross</span> <UsageBar value={v.usage.grossExposure} label="gross" />
            <span>loss</span> <UsageBar value={v.usage.dailyLoss} label="daily loss" />
            <span>position</span> <UsageBar value={v.usage.position} label="position" />
          </div>
        </div>
        <div className="card">
          <div className="label">Status</div>
          <div className="value">
            {v.status} · {v.strategy}{' '}
            {v.killSwitch.tripped && (
              <span className="badge bad" data-testid="book-kill-tripped" title={v.killSwitch.reason ?? ''}>
                kill switch tripped
              </span>
            )}
          </div>
        </div>
      </div>
      <div className="split">
        <div className="main-col" style={{ flex: 2, minWidth: 0 }}>
          <div className="panel">
            <div className="panel-title">
              Positions
              <span className="spacer" />
              <button
                className="btn"
                onClick={() => onFlatten(v.name)}
                disabled={v.openPositions === 0}
                data-testid="book-flatten"
              >
                Flatten book
              </button>
            </div>
            <div className="panel-body" style={{ padding: 0, maxHeight: 260 }}>
              <table className="grid" data-testid="book-positions">
                <thead>
                  <tr>
                    <th>Symbol</th>
                    <th>Sector</th>
                    <th className="num">Qty</th>
                    <th className="num">Avg cost</th>
                    <th className="num">Last</th>
                    <th className="num">Value</th>
                    <th className="num">Unrealized</th>
                    <th className="num">Realized</th>
                    {detail.view.broker && (
                      <th
                        className="num"
                        title={
                          journalCol
                            ? `Qty, cost and value are what ${detail.view.broker.name} reports; this is what the book's own orders filled`
                            : `What ${detail.view.broker.name} reports for the account`
                        }
                      >
                        {journalCol ? 'Journal' : 'At broker'}
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {detail.positions.map((p) => (
                    <tr key={p.symbol} data-testid="book-position" data-symbol={p.symbol} data-qty={p.qty}>
                      <td className="mono">{p.symbol}</td>
                      <td>{p.sector}</td>
                      <td className={`num ${signClass(p.qty)}`}>{fmtInt(p.qty)}</td>
                      <td className="num">{fmtPrice(p.avgCost)}</td>
                      <td className="num">{p.last > 0 ? fmtPrice(p.last) : '—'}</td>
                      <td className="num">{fmtMoney(p.marketValue)}</td>
                      <td className={`num ${signClass(p.unrealized)}`}>{fmtMoney(p.unrealized)}</td>
                      <td className={`num ${signClass(p.realized)}`}>{fmtMoney(p.realized)}</td>
                      {detail.view.broker && (
                        <td
                          className={`num ${(journalCol ? (p.bookQty ?? 0) : (p.brokerQty ?? 0)) !== p.qty ? 'warn-text' : ''}`}
                          data-testid="book-position-broker"
                        >
                          {fmtInt(journalCol ? (p.bookQty ?? 0) : (p.brokerQty ?? 0))}
                        </td>
                      )}
                    </tr>
                  ))}
                  {detail.positions.length === 0 && (
                    <tr>
                      <td colSpan={8} className="muted">
                        Flat.
                      </td>
                    </tr>
                  )}
                </tbody>
              </table>
            </div>
          </div>
          <OrdersTable book={v.name} orders={detail.orders} />
          <div className="split" style={{ flex: 'none' }}>
            <div className="panel" style={{ flex: 1 }}>
              <div className="panel-title">Signals</div>
              <div className="panel-body" style={{ padding: 0, maxHeight: 200 }}>
                <table className="grid" data-testid="book-signals">
                  <tbody>
                    {detail.signals.slice(0, 50).map((s, i) => (
                      <tr key={i}>
                        <td>{fmtDate(s.time)}</td>
                        <td className="mono">{s.symbol}</td>
                        <td className={s.side === 'buy' ? 'pos' : 'neg'}>{s.side}</td>
                        <td className="num">{fmtPrice(s.price)}</td>
                        <td className="muted">{s.reason}</td>
                      </tr>
                    ))}
                    {detail.signals.length === 0 && (
                      <tr>
                        <td className="muted">No signals.</td>
                      </tr>
                    )}
                  </tbody>
                </table>
              </div>
            </div>
            <div className="panel" style={{ flex: 1 }}>
              <div className="panel-title">Alerts</div>
              <div className="panel-body" style={{ padding: 0, maxHeight: 200 }}>
                <table className="grid" data-testid="book-alerts">
                  <tbody>
                    {detail.alerts
                      .filter((a) => a.kind !== 'signal')
                      .slice(0, 50)
                      .map((a) => (
                        <tr key={a.id} data-testid="book-alert" data-kind={a.kind}>
                          <td
                            className={
                              a.severity === 'critical' ? 'neg' : a.severity === 'warning' ? 'warn-text' : 'muted'
                            }
                          >
                            {a.severity}
                          </td>
                          <td className="mono">{a.kind}</td>
                          <td>{a.message}</td>
                          <td>
                            {a.acknowledgedAt === null ? (
                              <button className="btn-ghost" onClick={() => void ackBookAlert(v.name, a.id)}>
                                Ack
                              </button>
                            ) : (
                              <span className="muted">ack</span>
                            )}
                          </td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            </div>
          </div>
        </div>
        <div className="side-col" style={{ flex: 1, minWidth: 280 }}>
          <OrderTicket book={v.name} symbols={symbols} />
        </div>
      </div>
    </div>
  );
}

function OrdersTable({ book, orders }: { book: string; orders: readonly DeskOrder[] }) {
  const [editing, setEditing] = useState<{ id: string; qty: string; price: string } | null>(null);
  return (
    <div className="panel">
      <div className="panel-title">Orders</div>
      <div className="panel-body" style={{ padding: 0, maxHeight: 240 }}>
        <table className="grid" data-testid="book-orders">
          <thead>
            <tr>
              <th>Id</th>
              <th>Symbol</th>
              <th>Side</th>
              <th>Type</th>
              <th className="num">Qty</th>
              <th className="num">Price</th>
              <th className="num">Filled</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {orders.slice(0, 100).map((o) => (
              <tr key={o.id} data-testid="book-order" data-status={o.status} data-id={o.id}>
                <td className="mono muted">{o.id.slice(o.id.lastIndexOf(':') + 1)}</td>
                <td className="mono">{o.symbol}</td>
                <td className={o.side === 'buy' ? 'pos' : 'neg'}>{o.side}</td>
                <td>{o.type}</td>
                <td className="num">
                  {editing?.id === o.id ? (
                    <input
                      className="num"
                      style={{ width: 60 }}
                      value={editing.qty}
                      onChange={(e) => setEditing({ ...editing, qty: e.target.value })}
                      data-testid="replace-qty"
                    />
                  ) : (
                    fmtInt(o.qty)
                  )}
                </td>
                <td className="num">
                  {editing?.id === o.id && (o.type === 'limit' || o.type === 'stop') ? (
                    <input
                      className="num"
                      style={{ width: 70 }}
                      value={editing.price}
                      onChange={(e) => setEditing({ ...editing, price: e.target.value })}
                      data-testid="replace-price"
                    />
                  ) : (
                    fmtPrice(o.limitPrice ?? o.stopPrice)
                  )}
                </td>
                <td className="num">{fmtInt(o.filledQty)}</td>
                <td title={o.reason ?? ''}>
                  <span className={o.status === 'rejected' ? 'neg' : o.status === 'filled' ? 'pos' : ''}>
                    {o.status}
                  </span>
                  {o.reason && <span className="muted"> · {o.reason}</span>}
                </td>
                <td style={{ whiteSpace: 'nowrap' }}>
                  {WORKING.has(o.status) && o.parentId === null && editing?.id !== o.id && (
                    <>
                      <button
                        className="btn-ghost"
                        onClick={() => void cancelOrder(book, o.id)}
                        data-testid="order-cancel"
                      >
                        Cancel
                      </button>
                      {o.status === 'new' && (
                        <button
                          className="btn-ghost"
                          onClick={() =>
                            setEditing({
                              id: o.id,
                              qty: String(o.qty),
                              price: String(o.limitPrice ?? o.stopPrice ?? ''),
                            })
                          }
                          data-testid="order-replace"
                        >
                          Replace
                        </button>
                      )}
                    </>
                  )}
                  {editing?.id === o.id && (
                    <>
                      <button
                        className="btn-ghost"
                        onClick={() => {
                          const qty = Number(editing.qty);
                          const price = Number(editing.price);
                          void replaceOrder(book, o.id, {
                            ...(qty > 0 ? { qty } : {}),
                            ...(price > 0 ? { price } : {}),
                          });
                          setEditing(null);
                        }}
                        data-testid="replace-send"
                      >
                        Send
                      </button>
                      <button className="btn-ghost" onClick={() => setEditing(null)}>
                        Keep
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
            {orders.length === 0 && (
              <tr>
                <td colSpan={9} className="muted">
                  No orders.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
