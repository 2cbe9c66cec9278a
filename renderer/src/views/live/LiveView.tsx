import { useEffect, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { fmtInt, fmtMoney, fmtNum, signClass } from '../../lib/format';
import { parseSymbols } from '../../stores/backtest-form';
import { useBrokerStore } from '../../stores/broker-store';
import { useBacktestStore } from '../../stores/backtest-store';
import {
  flattenAll,
  loadLive,
  rearmKillSwitch,
  resumeLive,
  startLive,
  stopLive,
  subscribeLive,
  tripKillSwitch,
  useLiveStore,
} from '../../stores/live-store';
import { parseValues } from '../../lib/param-form';
import { loadStrategies, useStrategiesStore } from '../../stores/strategies-store';
import { AccountSelector } from './AccountSelector';
import { RiskPanel } from './RiskPanel';
import { AlertStream } from './AlertStream';
import { ChampionChallenger } from './ChampionChallenger';
import { LiveEquityChart } from './LiveEquityChart';
import { PositionsTable } from './PositionsTable';
import { Watchlist } from './Watchlist';
import { SingleStrategyOptions } from '../../components/SingleStrategyOptions';

const FEED_CLASS: Record<string, string> = {
  open: 'ok',
  connecting: 'warn',
  reconnecting: 'warn',
  stale: 'bad',
  closed: 'bad',
};

/** Live: replay or external feed, watchlist, positions, equity, alerts, risk and the kill switch. */
export function LiveView() {
  const strategies = useStrategiesStore((s) => s.strategies);
  const btSymbols = useBacktestStore((s) => s.setup.symbols);
  const { isRunning, feed, latencyMs, ticks, account, kill, error, positions, flattened } = useLiveStore();
  const open = positions.filter((p) => p.qty !== 0);
  // With a broker connected, the cards and positions are the broker's account (the core answers and pushes them).
  const source = useBrokerStore((s) => s.status);
  const [seenSource, setSeenSource] = useState(`${source.connected}:${source.accountId}`);
  useEffect(() => {
    const key = `${source.connected}:${source.accountId}`;
    if (key === seenSource) return;
    setSeenSource(key);
    void loadLive();
  }, [source.connected, source.accountId, seenSource]);
  const [isFlattening, setFlattening] = useState(false);
  const [alsoFlatten, setAlsoFlatten] = useState(false);
  const [strategy, setStrategy] = useState('');
  const [symbols, setSymbols] = useState(btSymbols);
  const [speed, setSpeed] = useState('0');
  const [isConfirming, setConfirming] = useState(false);
  const [sessionName, setSessionName] = useState('');
  const sessions = useLiveStore((s) => s.sessions);
  const currentSession = useLiveStore((s) => s.session);
  const runningStrategy = useLiveStore((s) => s.strategy);
  const runningSymbols = useLiveStore((s) => s.symbols);
  const [resumeName, setResumeName] = useState('');
  const resumable = sessions.filter((x) => x.resumable);
  const toResume = resumable.some((x) => x.name === resumeName) ? resumeName : (resumable[0]?.name ?? '');
  useEffect(() => {
    const off = subscribeLive();
    void loadLive();
    return off;
  }, []);
  const start = () => {
    // The Backtest form's params apply when it has the same strategy selected; otherwise the strategy's defaults.
    const st = useStrategiesStore.getState();
    const params = st.selected === strategy ? parseValues(st.fields, st.paramTexts).values : {};
    const capital = Number(useBacktestStore.getState().setup.capital) || 100_000;
    void startLive(
      { strategy, symbols: parseSymbols(symbols), params, capital },
      Number(speed) || 0,
      undefined,
      sessionName,
    );
  };
  useEffect(() => {
    if (strategies.length === 0) void loadStrategies();
    else if (!strategy) setStrategy(strategies.find((s) => s.kind === 'single')?.name ?? '');
  }, [strategies, strategy]);
  // A broker's account has no day-start equity here (null, JSON's NaN): the day's PnL is then unknown, not the equity.
  const dayPnl =
    account && typeof account.dayStartEquity === 'number' && Number.isFinite(account.dayStartEquity)
      ? account.equity - account.dayStartEquity
      : Number.NaN;
  return (
    <div className="view-body live-view" data-view-ready="live" data-live-running={isRunning ? 'true' : 'false'}>
      <div className="toolbar">
        {isRunning && runningStrategy ? (
          // A running session's strategy and symbols are its own (a model session's too), not the form's.
          <span className="running-spec" data-testid="live-running-spec" title={runningSymbols.join(' ')}>
            <span className="mono">{runningStrategy}</span>
            <span className="muted">
              {' '}
              on {runningSymbols.length <= 4 ? runningSymbols.join(' ') : `${fmtInt(runningSymbols.length)} symbols`}
            </span>
          </span>
        ) : (
          <>
            <select value={strategy} onChange={(e) => setStrategy(e.target.value)} data-testid="live-strategy">
              <SingleStrategyOptions strategies={strategies} />
            </select>
            <input
              className="mono"
              placeholder="Symbols"
              value={symbols}
              onChange={(e) => setSymbols(e.target.value)}
              style={{ width: 160 }}
              data-testid="live-symbols"
            />
          </>
        )}
        <label className="muted">
          speed×{' '}
          <input
            className="num"
            value={speed}
            onChange={(e) => setSpeed(e.target.value)}
            style={{ width: 50 }}
            title="0 = as fast as possible"
          />
        </label>
        {!isRunning && (
          <input
            placeholder={`Session (default: ${strategy || 'strategy'} + time)`}
            value={sessionName}
            maxLength={64}
            onChange={(e) => setSessionName(e.target.value)}
            style={{ width: 190 }}
            title="A name for this session's journal; an existing name resumes that session"
            data-testid="live-session-name"
          />
        )}
        {!isRunning ? (
          <button
            className="btn btn-primary"
            onClick={start}
            data-testid="live-start"
            disabled={!strategy || parseSymbols(symbols).length === 0}
          >
            Start replay
          </button>
        ) : (
          <button className="btn" onClick={() => void stopLive()} data-testid="live-stop">
            Stop
          </button>
        )}
        {!isRunning && resumable.length > 0 && (
          <>
            <select
              value={toResume}
              onChange={(e) => setResumeName(e.target.value)}
              data-testid="live-resume-select"
              title="Journaled sessions, latest first"
            >
              {resumable.map((x) => (
                <option key={x.name} value={x.name}>
                  {x.name}
                  {x.killSwitch.tripped ? ' (killed)' : ''}
                </option>
              ))}
            </select>
            <button
              className="btn"
              onClick={() => void resumeLive(toResume, Number(speed) || 0)}
              disabled={!toResume}
              data-testid="live-resume"
            >
              Resume
            </button>
          </>
        )}
        {currentSession && (
          <span className="muted" data-testid="live-session">
            session <span className="mono">{currentSession}</span>
            {isRunning ? '' : ' (stopped)'}
          </span>
        )}
        <span
          className={`badge ${FEED_CLASS[feed?.state ?? ''] ?? 'warn'}`}
          data-testid="feed-status"
          data-feed-state={feed?.state ?? 'none'}
        >
          feed {feed?.state ?? 'idle'}
        </span>
        {feed?.detail && <span className="muted">{feed.detail}</span>}
        <span className="muted mono">latency {latencyMs === null ? '—' : `${fmtNum(latencyMs, 0)} ms`}</span>
        <span className="muted mono" data-testid="live-ticks" data-ticks={ticks}>
          {fmtInt(ticks)} ticks
        </span>
        <span className="spacer" />
        {kill.tripped ? (
          <>
            <span className="badge bad" data-testid="kill-tripped">
              KILLED {kill.reason ?? ''}
            </span>
            <button className="btn" onClick={() => void rearmKillSwitch()}>
              Re-arm
            </button>
          </>
        ) : (
          <button className="btn btn-danger" onClick={() => setConfirming(true)} data-testid="kill-switch">
            Kill switch
          </button>
        )}
      </div>
      <ErrorBanner error={error} onDismiss={() => useLiveStore.setState({ error: null })} />
      <AccountSelector />
      <div className="account-source" data-testid="account-source">
        {source.connected ? (
          <>
            Account and positions as <b>{source.broker}</b> reports them: {source.accountId}{' '}
            <span className={source.mode === 'live' ? 'bad' : ''}>
              ({source.mode === 'live' ? 'LIVE — REAL MONEY' : 'PAPER'})
            </span>
          </>
        ) : (
          'Account and positions of the paper session (no broker connected)'
        )}
      </div>
      <div className="cards" data-testid="account">
        {[
          ...(account?.buyingPower !== undefined ? [['Buying power', account.buyingPower, '']] : []),
          ['Equity', account?.equity, ''],
          ['Cash', account?.cash, ''],
          ['Gross exposure', account?.grossExposure, ''],
          ['Day PnL', dayPnl, signClass(dayPnl)],
          ['Unrealized', account?.unrealized, signClass(account?.unrealized)],
          ['Realized', account?.realized, signClass(account?.realized)],
        ].map(([label, v, cls]) => (
          <div key={label as string} className="card">
            <div className="label">{label as string}</div>
            <div className={`value ${cls as string}`}>{fmtMoney(v as number | undefined)}</div>
          </div>
        ))}
      </div>
      <div className="split" style={{ flex: 'none' }}>
        <div style={{ width: 400, flex: 'none' }}>
          <div className="panel">
            <div className="panel-title">Watchlist</div>
            <div className="panel-body" style={{ padding: 0, maxHeight: 220 }}>
              <Watchlist />
            </div>
          </div>
        </div>
        <div className="main-col">
          <div className="panel">
            <div className="panel-title">Equity</div>
            <LiveEquityChart />
          </div>
        </div>
      </div>
      <div className="grid-2">
        <div className="panel">
          <div className="panel-title">
            Positions
            {flattened && (
              <span className="muted" data-testid="flattened">
                {flattened.orders} closing order{flattened.orders === 1 ? '' : 's'} sent; they fill at the next price
              </span>
            )}
            <span className="spacer" />
            <button
              className="btn btn-danger"
              onClick={() => setFlattening(true)}
              disabled={!isRunning || open.length === 0}
              title={
                isRunning
                  ? 'Close every open position with a market order (asks first)'
                  : 'Positions can be flattened while a session runs'
              }
              data-testid="flatten-all"
            >
              Flatten all
            </button>
          </div>
          <div className="panel-body" style={{ padding: 0, maxHeight: 260 }}>
            <PositionsTable />
          </div>
        </div>
        <AlertStream />
      </div>
      <RiskPanel />
      <ChampionChallenger />
      {isConfirming && (
        <ConfirmDialog
          title="Trip the kill switch?"
          confirmLabel={alsoFlatten && open.length > 0 ? 'Halt and flatten' : 'Halt trading'}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void tripKillSwitch('manual kill switch from the Live view').then(() =>
              alsoFlatten && open.length > 0 ? flattenAll('kill switch from the Live view') : null,
            );
          }}
        >
          <p style={{ margin: '0 0 8px' }}>
            Every working order is cancelled and no new order is accepted until you re-arm. Open positions stay as they
            are unless you flatten them: <b>Flatten all</b> sends one market order per position (filled at the next
            price), and works while the switch is tripped.
          </p>
          <label data-testid="kill-also-flatten">
            <input
              type="checkbox"
              checked={alsoFlatten}
              disabled={open.length === 0}
              onChange={(e) => setAlsoFlatten(e.target.checked)}
            />{' '}
            Also flatten the {open.length} open position{open.length === 1 ? '' : 's'} now
          </label>
        </ConfirmDialog>
      )}
      {isFlattening && (
        <ConfirmDialog
          title={`Flatten ${open.length} position${open.length === 1 ? '' : 's'}?`}
          confirmLabel="Flatten all"
          onCancel={() => setFlattening(false)}
          onConfirm={() => {
            setFlattening(false);
            void flattenAll();
          }}
        >
          <p style={{ margin: '0 0 8px' }}>
            Working orders are cancelled, then each position is closed with a market order at the next price, journaled
            like any order:
          </p>
          <ul className="mono" style={{ margin: 0 }} data-testid="flatten-list">
            {open.map((p) => (
              <li key={p.symbol}>
                {p.qty > 0 ? 'sell' : 'buy'} {fmtInt(Math.abs(p.qty))} {p.symbol} (last {fmtNum(p.last, 2)})
              </li>
            ))}
          </ul>
        </ConfirmDialog>
      )}
    </div>
  );
}
