import { useEffect, useState } from 'react';
import type { ModelDuelMetricsView, ModelDuelStrategyView, ModelDuelView } from '../../../../core/contract';
import { fmtMoney, fmtNum, signClass } from '../../lib/format';
import { useLiveStore } from '../../stores/live-store';

const ROWS: { label: string; get: (m: ModelDuelMetricsView) => number | null; pct?: boolean; signed?: boolean }[] = [
  { label: 'Return (virtual book)', get: (m) => m.totalReturn, pct: true, signed: true },
  { label: 'Max drawdown', get: (m) => m.maxDrawdown, pct: true },
  { label: 'Hit rate', get: (m) => m.hitRate, pct: true },
  { label: 'Live rank IC', get: (m) => m.rankIc, signed: true },
  { label: 'Signals', get: (m) => m.signals },
  { label: 'Steps', get: (m) => m.steps },
];

/** What a version runs, in a line: `top 3 + short 3 · drop 1 · weekly`, or `threshold 0.002 · short`. */
export function strategyText(p: ModelDuelStrategyView): string {
  if (p.mode === 'threshold') return `threshold ${p.threshold}${p.short ? ' · short' : ''}`;
  return `top ${p.topK}${p.short ? ` + short ${p.topK}` : ''} · drop ${p.nDrop} · ${p.rebalance}`;
}

function cell(v: number | null, pct?: boolean): string {
  if (v === null) return '–';
  return pct ? `${fmtNum(v * 100, 2)}%` : Number.isInteger(v) ? String(v) : fmtNum(v, 4);
}

/**
 * Champion vs challenger of the running `model-signal` session (`models:duel`, polled each second while a session
 * runs): what each version runs (a challenger may hold its own top-k params), both on the same virtual book, and the
 * canary's own paper account when it trades. Renders nothing
 * when the session runs no challenger. Promoting stays an explicit, recorded action (`quantdesk models promote`).
 */
export function ChampionChallenger() {
  const isRunning = useLiveStore((s) => s.isRunning);
  const [duel, setDuel] = useState<ModelDuelView | null>(null);
  useEffect(() => {
    let live = true;
    const poll = () =>
      void window.api.invoke('models:duel').then((r) => {
        if (live && r.ok) setDuel(r.value.duel);
      });
    poll();
    const timer = isRunning ? setInterval(poll, 1_000) : null;
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [isRunning]);
  if (!duel) return null;
  return (
    <div className="panel" data-testid="champion-challenger">
      <div className="panel-title">
        Champion vs challenger ·{' '}
        {duel.mode === 'canary' ? `canary trades ${fmtNum(duel.fraction * 100, 0)}% of capital` : 'challenger shadows'}
      </div>
      <div className="panel-body" style={{ padding: 0 }}>
        <table className="grid">
          <thead>
            <tr>
              <th />
              <th title={duel.champion.modelId}>Champion {duel.champion.modelId.slice(0, 10)}</th>
              <th title={duel.challenger.modelId}>Challenger {duel.challenger.modelId.slice(0, 10)}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>Strategy</td>
              {[duel.champion, duel.challenger].map((m, i) => (
                <td key={i}>{strategyText(m.strategy)}</td>
              ))}
            </tr>
            {ROWS.map((r) => (
              <tr key={r.label}>
                <td>{r.label}</td>
                {[duel.champion, duel.challenger].map((m) => {
                  const v = r.get(m);
                  return (
                    <td key={m.modelId} className={`num ${r.signed && v !== null ? signClass(v) : ''}`}>
                      {cell(v, r.pct)}
                    </td>
                  );
                })}
              </tr>
            ))}
            {duel.canaryAccount && (
              <tr>
                <td>Canary account equity</td>
                <td className="num">–</td>
                <td className="num">{fmtMoney(duel.canaryAccount.equity)}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
