import { useEffect, useState } from 'react';
import type { ArgOf } from '../../../../core/contract';
import { fmtInt, fmtMoney, fmtPrice } from '../../lib/format';
import { checkOrder, submitOrder, useDeskStore } from '../../stores/desk-store';

type OrderType = 'market' | 'limit' | 'stop' | 'twap' | 'vwap';

/**
 * The order ticket: book, symbol, side, quantity, type (market, limit, stop, TWAP, VWAP); the pre-trade checks
 * (kill switch, book limits, desk limits) are asked from the host on every change and shown before Send.
 */
export function OrderTicket({ book, symbols }: { book: string; symbols: readonly string[] }) {
  const books = useDeskStore((s) => s.overview?.books.map((b) => b.name).join('\n') ?? '');
  const preview = useDeskStore((s) => s.preview);
  const [t, setT] = useState({
    book,
    symbol: symbols[0] ?? '',
    side: 'buy' as 'buy' | 'sell',
    qty: '10',
    type: 'market' as OrderType,
    price: '',
    durationMin: '10',
    slices: '5',
  });
  const [sent, setSent] = useState<string | null>(null);
  useEffect(() => setT((x) => ({ ...x, book })), [book]);
  const order = (): ArgOf<'desk:order-submit'> | null => {
    const qty = Number(t.qty);
    if (!t.symbol || !(qty > 0)) return null;
    const priced = t.type === 'limit' || t.type === 'stop';
    const price = Number(t.price);
    if (priced && !(price > 0)) return null;
    const algo = t.type === 'twap' || t.type === 'vwap';
    return {
      book: t.book,
      symbol: t.symbol.trim().toUpperCase(),
      side: t.side,
      qty,
      type: t.type,
      ...(priced ? { price } : {}),
      ...(algo
        ? {
            durationMs: Math.max(1, Number(t.durationMin) || 10) * 60_000,
            slices: Math.max(1, Math.floor(Number(t.slices) || 5)),
          }
        : {}),
    };
  };
  const o = order();
  const key = JSON.stringify(o);
  // Keyed on the order's JSON (a new object every render): the checks are asked again only when the order changes.
  useEffect(() => {
    const current = key === 'null' ? null : (JSON.parse(key) as ArgOf<'desk:order-check'>);
    if (current) void checkOrder(current);
    else useDeskStore.setState({ preview: null });
  }, [key]);
  const blocked = !o || !preview || preview.checks.some((c) => !c.ok);
  const send = async () => {
    if (!o) return;
    const r = await submitOrder(o);
    setSent(r ? `${r.id}: ${r.status}${r.reason ? ` (${r.reason})` : ''}` : null);
    void checkOrder(o);
  };
  const set = (k: keyof typeof t) => (e: { target: { value: string } }) => setT({ ...t, [k]: e.target.value });
  return (
    <div className="panel desk-ticket" data-testid="order-ticket">
      <div className="panel-title">Order ticket</div>
      <div className="panel-body form-grid">
        <label>
          Book
          <select value={t.book} onChange={set('book')} data-testid="ticket-book">
            {books
              .split('\n')
              .filter(Boolean)
              .map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
          </select>
        </label>
        <label>
          Symbol
          <input
            className="mono"
            value={t.symbol}
            onChange={set('symbol')}
            list="ticket-symbols"
            data-testid="ticket-symbol"
          />
          <datalist id="ticket-symbols">
            {symbols.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </label>
        <div className="ticket-sides">
          <button
            className={`btn ${t.side === 'buy' ? 'btn-primary' : ''}`}
            onClick={() => setT({ ...t, side: 'buy' })}
            data-testid="ticket-buy"
          >
            Buy
          </button>
          <button
            className={`btn ${t.side === 'sell' ? 'btn-danger' : ''}`}
            onClick={() => setT({ ...t, side: 'sell' })}
            data-testid="ticket-sell"
          >
            Sell
          </button>
        </div>
        <label>
          Quantity
          <input className="num" value={t.qty} onChange={set('qty')} data-testid="ticket-qty" />
        </label>
        <label>
          Type
          <select value={t.type} onChange={set('type')} data-testid="ticket-type">
            <option value="market">market</option>
            <option value="limit">limit</option>
            <option value="stop">stop</option>
            <option value="twap">TWAP</option>
            <option value="vwap">VWAP</option>
          </select>
        </label>
        {(t.type === 'limit' || t.type === 'stop') && (
          <label>
            {t.type === 'limit' ? 'Limit price' : 'Stop price'}
            <input className="num" value={t.price} onChange={set('price')} data-testid="ticket-price" />
          </label>
        )}
        {(t.type === 'twap' || t.type === 'vwap') && (
          <>
            <label>
              Over (minutes)
              <input
                className="num"
                value={t.durationMin}
                onChange={set('durationMin')}
                data-testid="ticket-duration"
              />
            </label>
            <label>
              Slices
              <input className="num" value={t.slices} onChange={set('slices')} data-testid="ticket-slices" />
            </label>
          </>
        )}
        <div className="ticket-checks" data-testid="ticket-checks" data-ok={preview && !blocked ? 'true' : 'false'}>
          {preview ? (
            <>
              <div className="muted">
                ref {preview.reference === null ? '—' : fmtPrice(preview.reference)} · notional{' '}
                {fmtMoney(preview.notional)} · position {fmtInt(preview.positionBefore)} →{' '}
                {fmtInt(preview.positionAfter)}
              </div>
              {preview.checks.map((c) => (
                <div
                  key={c.layer}
                  className={c.ok ? 'pos' : 'neg'}
                  data-testid={`ticket-check-${c.layer}`}
                  data-ok={c.ok ? 'true' : 'false'}
                >
                  {c.ok ? '✓' : '✗'} {c.layer}: {c.message}
                </div>
              ))}
            </>
          ) : (
            <div className="muted">Enter a symbol and a quantity (and a price for limit and stop orders).</div>
          )}
        </div>
        <button
          className={`btn ${t.side === 'buy' ? 'btn-primary' : 'btn-danger'}`}
          onClick={() => void send()}
          disabled={!o}
          data-testid="ticket-send"
          title={blocked ? 'A check fails: the order will be rejected (and journaled as rejected)' : ''}
        >
          {t.side === 'buy' ? 'Buy' : 'Sell'} {t.qty} {t.symbol} {t.type}
        </button>
        {sent && (
          <div className="mono" data-testid="ticket-result">
            {sent}
          </div>
        )}
      </div>
    </div>
  );
}
