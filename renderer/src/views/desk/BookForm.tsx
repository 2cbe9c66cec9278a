import { useEffect, useState } from 'react';
import { parseSymbols } from '../../stores/backtest-form';
import { startBook } from '../../stores/desk-store';
import { loadStrategies, useStrategiesStore } from '../../stores/strategies-store';
import { SingleStrategyOptions } from '../../components/SingleStrategyOptions';

/** Adds a book: a strategy (or manual), symbols (empty = every stored symbol), replay speed and range, capital, book limits, params. */
export function BookForm({ onDone }: { onDone: () => void }) {
  const strategies = useStrategiesStore((s) => s.strategies);
  useEffect(() => {
    if (strategies.length === 0) void loadStrategies();
  }, [strategies.length]);
  const [f, setF] = useState({
    name: '',
    strategy: 'manual',
    symbols: '',
    universe: '',
    speed: '0',
    from: '',
    to: '',
    capital: '100000',
    maxPosition: '',
    maxGross: '',
    maxLoss: '',
    params: '{}',
    account: 'paper',
    accountId: '',
    baseUrl: '',
    live: 'no',
    confirm: '',
  });
  const [err, setErr] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = async () => {
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(f.params || '{}') as Record<string, unknown>;
    } catch {
      return setErr('params: not JSON (e.g. {"fast": 10, "slow": 30})');
    }
    const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
    const maxPosition = num(f.maxPosition);
    const risk =
      maxPosition !== undefined || num(f.maxGross) !== undefined || num(f.maxLoss) !== undefined
        ? {
            symbols: (maxPosition !== undefined ? { '*': { maxPosition } } : {}) as Record<
              string,
              { maxPosition?: number }
            >,
            ...(num(f.maxGross) !== undefined ? { maxGrossExposure: num(f.maxGross) } : {}),
            ...(num(f.maxLoss) !== undefined ? { maxDailyLoss: num(f.maxLoss) } : {}),
            // A book limit rejects the order and warns; the desk limits are the ones that halt everything.
            hard: ['maxDailyLoss' as const],
          }
        : undefined;
    const symbols = parseSymbols(f.symbols);
    setErr(null);
    const okay = await startBook({
      name: f.name.trim(),
      strategy: f.strategy,
      params,
      ...(symbols.length > 0 ? { symbols } : f.universe.trim() ? { universe: f.universe.trim() } : {}),
      feed: 'replay',
      speed: Number(f.speed) || 0,
      ...(f.from ? { from: f.from } : {}),
      ...(f.to ? { to: f.to } : {}),
      capital: Number(f.capital),
      ...(risk ? { risk } : {}),
      ...(f.account === 'alpaca' || f.account === 'kis'
        ? {
            account: {
              broker: f.account,
              ...(f.accountId.trim() ? { account: f.accountId.trim() } : {}),
              ...(f.baseUrl.trim() ? { baseUrl: f.baseUrl.trim() } : {}),
              ...(f.live === 'yes' ? { live: true } : {}),
            },
            ...(f.live === 'yes' && f.confirm.trim() ? { confirm: f.confirm.trim() } : {}),
          }
        : {}),
    });
    if (okay) onDone();
  };
  return (
    <div className="panel desk-book-form" data-testid="desk-book-form">
      <div className="panel-title">New book</div>
      <div className="panel-body form-grid">
        <label>
          Name
          <input value={f.name} onChange={set('name')} data-testid="book-name" />
        </label>
        <label>
          Strategy
          <select value={f.strategy} onChange={set('strategy')} data-testid="book-strategy">
            <option value="manual">manual (ticket only)</option>
            <SingleStrategyOptions strategies={strategies} />
          </select>
        </label>
        <label>
          Symbols
          <input
            className="mono"
            value={f.symbols}
            onChange={set('symbols')}
            placeholder="empty = the universe"
            data-testid="book-symbols"
          />
        </label>
        <label title="Without symbols: all (every stored symbol) or a named point-in-time universe, each member traded only while a member as known that day">
          Universe
          <input
            className="mono"
            value={f.universe}
            onChange={set('universe')}
            placeholder="all or a name"
            disabled={f.symbols.trim() !== ''}
            data-testid="book-universe"
          />
        </label>
        <label>
          Params (JSON)
          <input className="mono" value={f.params} onChange={set('params')} data-testid="book-params" />
        </label>
        <label>
          Replay speed (steps/s, 0 = full)
          <input className="num" value={f.speed} onChange={set('speed')} data-testid="book-speed" />
        </label>
        <label>
          From
          <input type="date" value={f.from} onChange={set('from')} data-testid="book-from" />
        </label>
        <label>
          To
          <input type="date" value={f.to} onChange={set('to')} data-testid="book-to" />
        </label>
        <label>
          Capital
          <input className="num" value={f.capital} onChange={set('capital')} data-testid="book-capital" />
        </label>
        <label>
          Max position (units)
          <input className="num" value={f.maxPosition} onChange={set('maxPosition')} data-testid="book-max-position" />
        </label>
        <label>
          Max gross exposure
          <input className="num" value={f.maxGross} onChange={set('maxGross')} data-testid="book-max-gross" />
        </label>
        <label>
          Max daily loss
          <input className="num" value={f.maxLoss} onChange={set('maxLoss')} data-testid="book-max-loss" />
        </label>
        <label title="A broker account's keys come from the host (environment or the app's key store), never from this page">
          Account
          <select value={f.account} onChange={set('account')} data-testid="book-account">
            <option value="paper">paper (built-in model)</option>
            <option value="alpaca">Alpaca</option>
            <option value="kis">KIS (모의투자)</option>
          </select>
        </label>
        {f.account !== 'paper' && (
          <>
            <label>
              Account id (optional)
              <input className="mono" value={f.accountId} onChange={set('accountId')} data-testid="book-account-id" />
            </label>
            <label>
              Endpoint (optional)
              <input
                className="mono"
                value={f.baseUrl}
                onChange={set('baseUrl')}
                placeholder={f.live === 'yes' ? 'default live' : 'default paper'}
                data-testid="book-base-url"
              />
            </label>
            <label title="Real money: the book starts only armed with the phrase naming the broker's account id">
              Money
              <select value={f.live} onChange={set('live')} data-testid="book-live">
                <option value="no">paper</option>
                <option value="yes">REAL money</option>
              </select>
            </label>
            {f.live === 'yes' && (
              <label>
                Arm: type LIVE &lt;account id&gt;
                <input
                  className="mono"
                  value={f.confirm}
                  onChange={set('confirm')}
                  placeholder={`LIVE ${f.accountId.trim() || '<account id>'}`}
                  data-testid="book-confirm"
                />
              </label>
            )}
          </>
        )}
        {err && <div className="bad">{err}</div>}
        <div style={{ display: 'flex', gap: 8 }}>
          <button
            className="btn btn-primary"
            onClick={() => void submit()}
            disabled={!f.name.trim()}
            data-testid="book-start"
          >
            Start book
          </button>
          <button className="btn" onClick={onDone}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
