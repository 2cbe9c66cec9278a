import { useEffect } from 'react';
import { showView } from '../stores/nav-store';
import { loadHealth, usePlatformStore } from '../stores/platform-store';

/** Status-bar health: ok/degraded with failed jobs, outbox backlog and new data-quality findings; opens Jobs. */
export function HealthPanel() {
  const h = usePlatformStore((s) => s.health);
  useEffect(() => {
    void loadHealth();
    const t = setInterval(() => void loadHealth(), 30_000);
    return () => clearInterval(t);
  }, []);
  if (!h) return null;
  const detail = `${h.jobs} jobs · ${h.failed24h} failed (24 h) · outbox ${h.outboxBacklog} · ${h.findings24h} data findings (24 h) · ${h.newsItems} news`;
  return (
    <button
      className={`btn-ghost ${h.status === 'ok' ? 'pos' : 'warn-text'}`}
      title={detail}
      onClick={() => showView('jobs')}
      data-testid="health-panel"
      data-health={h.status}
    >
      ● {h.status === 'ok' ? 'healthy' : 'degraded'}
      {h.failed24h > 0 && ` · ${h.failed24h} failed jobs`}
      {h.outboxBacklog > 0 && ` · outbox ${h.outboxBacklog}`}
      {h.findings24h > 0 && ` · ${h.findings24h} data findings`}
    </button>
  );
}
