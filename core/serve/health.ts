import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../metrics/registry';

export { METRICS_REGISTRY, poolUtilisation, tickToSignalSeconds, ticksTotal } from '../metrics/registry';
import type { Store } from '../store/sqlite-bar-store';
import { authenticate } from './auth';
import { sendText, SECURITY_HEADERS } from './static';
import { findingCountsByCheck, jobRunCounts, lastJobDurations, outboxBacklog, readHealthFacts } from '../store/health';

/** The QuantDesk version reported by /health. */
export const QUANTDESK_VERSION = '0.1.0';

/** Gauges read from the store at each scrape (the scheduler may be another process: the store is the truth). */
function storeGauges(registry: Registry, store: () => Store | undefined): void {
  const q = <T>(f: (s: Store) => T, fallback: T): T => {
    const s = store();
    if (!s || !s.isOpen) return fallback;
    try {
      return f(s);
    } catch {
      return fallback;
    }
  };
  new Gauge({
    name: 'quantdesk_outbox_depth',
    help: 'Webhook deliveries not yet delivered',
    registers: [registry],
    collect() {
      this.set(q(outboxBacklog, 0));
    },
  });
  new Gauge({
    name: 'quantdesk_job_last_duration_seconds',
    help: 'Duration of the last finished run of each scheduled job',
    labelNames: ['job', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      const rows = q(lastJobDurations, []);
      for (const r of rows) this.set({ job: r.name, status: r.status }, r.secs);
    },
  });
  new Gauge({
    name: 'quantdesk_job_runs',
    help: 'Scheduled job runs recorded, by job and status',
    labelNames: ['job', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      const rows = q(jobRunCounts, []);
      for (const r of rows) this.set({ job: r.name, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'quantdesk_data_quality_findings',
    help: 'Data-quality findings stored, by check',
    labelNames: ['check'],
    registers: [registry],
    collect() {
      this.reset();
      const rows = q(findingCountsByCheck, []);
      for (const r of rows) this.set({ check: r.check }, r.n);
    },
  });
}

/** What /health answers. `status` is `degraded` when a job failed in the last 24 hours or the outbox is backed up. */
export interface Health {
  readonly status: 'ok' | 'degraded';
  readonly time: string;
  readonly versions: {
    readonly quantdesk: string;
    readonly node: string;
    readonly sqlite: string;
    readonly schema: number;
  };
  readonly store: { readonly path: string; readonly instruments: number; readonly lastImportAt: string | null };
  readonly scheduler: {
    readonly jobs: number;
    readonly running: number;
    readonly failed24h: number;
    readonly lastRuns: readonly { job: string; status: string; startedAt: string; error: string | null }[];
  };
  readonly feeds: { readonly newsItems: number; readonly lastNewsAt: string | null };
  readonly outbox: { readonly backlog: number; readonly oldestAt: string | null };
  readonly dataQuality: { readonly findings24h: number };
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** Reads the health summary from the store. */
export function readHealth(store: Store, now = Date.now()): Health {
  const f = readHealthFacts(store, now - 86_400_000);
  return {
    status: f.failedSince > 0 || f.backlog > 100 ? 'degraded' : 'ok',
    time: new Date(now).toISOString(),
    versions: {
      quantdesk: QUANTDESK_VERSION,
      node: process.versions.node,
      sqlite: f.sqliteVersion,
      schema: store.schemaVersion,
    },
    store: { path: store.path, instruments: f.instruments, lastImportAt: iso(f.lastImportAt) },
    scheduler: {
      jobs: f.jobs,
      running: f.running,
      failed24h: f.failedSince,
      lastRuns: f.lastRuns.map((r) => ({ ...r, startedAt: iso(r.startedAt)! })),
    },
    feeds: { newsItems: f.newsItems, lastNewsAt: iso(f.lastNewsAt) },
    outbox: { backlog: f.backlog, oldestAt: iso(f.oldestPendingAt) },
    dataQuality: { findings24h: f.findingsSince },
  };
}

let defaultsOn = false;

function bearer(req: IncomingMessage, token: string): boolean {
  const h = req.headers.authorization;
  if (!h || !h.startsWith('Bearer ')) return false;
  const a = Buffer.from(h.slice(7));
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `/health` (JSON) and `/metrics` (Prometheus text) for `quantdesk serve`, behind the same token as
 * the page: `?token=`, the page's cookie, or `Authorization: Bearer TOKEN` (what a Prometheus
 * scrape config sends). Returns false for other paths, which the server handles as before.
 */
export function createObservability(store: () => Store | undefined, token: string, port: () => number) {
  // Process metrics (memory, CPU, event-loop lag) only where they are scraped: in the serve host.
  if (!defaultsOn) collectDefaultMetrics({ register: METRICS_REGISTRY, prefix: 'quantdesk_' });
  defaultsOn = true;
  const registry = Registry.merge([METRICS_REGISTRY, new Registry()]);
  storeGauges(registry, store);
  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== '/health' && url.pathname !== '/metrics') return false;
    if (authenticate(req, url, token, port()) === null && !bearer(req, token)) {
      sendText(res, 401, 'Unauthorized: pass the token (?token= or Authorization: Bearer).');
      return true;
    }
    try {
      await answer(res, url.pathname, store());
    } catch (e) {
      sendText(res, 500, `${url.pathname}: ${(e as Error).message}`);
    }
    return true;
  };

  async function answer(res: ServerResponse, path: string, s: Store | undefined): Promise<void> {
    if (path === '/health') {
      if (!s || !s.isOpen) {
        res.writeHead(503, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(JSON.stringify({ status: 'down', reason: 'store closed' }));
        return;
      }
      const h = readHealth(s);
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(h));
      return;
    }
    const text = await registry.metrics();
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
    res.end(text);
  }
}
