import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../metrics/registry';

export { METRICS_REGISTRY, poolUtilisation, tickToSignalSeconds, ticksTotal } from '../metrics/registry';
import type { Store } from '../store/sqlite-bar-store';
import { authenticate } from './auth';
import { sendText, SECURITY_HEADERS } from './static';
import { connection } from '../store/internal';

/** The QuantDesk version reported by /health. */
export const QUANTDESK_VERSION = '0.1.0';

/** Gauges read from the store at each scrape (the scheduler may be another process: the store is the truth). */
function storeGauges(registry: Registry, store: () => Store | undefined): void {
  const q = <T>(f: (s: Store) => T, fallback: T): T => {
    const s = store();
    if (!s || !connection(s).open) return fallback;
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
      this.set(q((s) => connection(s).prepare('SELECT count(*) FROM outbox WHERE delivered_at IS NULL').pluck().get() as number, 0));
    },
  });
  new Gauge({
    name: 'quantdesk_job_last_duration_seconds',
    help: 'Duration of the last finished run of each scheduled job',
    labelNames: ['job', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      const rows = q(
        (s) =>
          connection(s)
            .prepare(
              `SELECT j.name, r.status, (r.ended_at - r.started_at) / 1000.0 AS secs FROM jobs j JOIN job_runs r ON r.id =
                 (SELECT id FROM job_runs WHERE job_id = j.id AND ended_at IS NOT NULL ORDER BY id DESC LIMIT 1)`,
            )
            .all() as { name: string; status: string; secs: number }[],
        [],
      );
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
      const rows = q((s) => connection(s).prepare('SELECT j.name, r.status, count(*) AS n FROM job_runs r JOIN jobs j ON j.id = r.job_id GROUP BY 1, 2').all() as { name: string; status: string; n: number }[], []);
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
      const rows = q((s) => connection(s).prepare('SELECT check_name AS c, count(*) AS n FROM dq_findings GROUP BY 1').all() as { c: string; n: number }[], []);
      for (const r of rows) this.set({ check: r.c }, r.n);
    },
  });
}

/** What /health answers. `status` is `degraded` when a job failed in the last 24 hours or the outbox is backed up. */
export interface Health {
  readonly status: 'ok' | 'degraded';
  readonly time: string;
  readonly versions: { readonly quantdesk: string; readonly node: string; readonly sqlite: string; readonly schema: number };
  readonly store: { readonly path: string; readonly instruments: number; readonly lastImportAt: string | null };
  readonly scheduler: { readonly jobs: number; readonly running: number; readonly failed24h: number; readonly lastRuns: readonly { job: string; status: string; startedAt: string; error: string | null }[] };
  readonly feeds: { readonly newsItems: number; readonly lastNewsAt: string | null };
  readonly outbox: { readonly backlog: number; readonly oldestAt: string | null };
  readonly dataQuality: { readonly findings24h: number };
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** Reads the health summary from the store. */
export function readHealth(store: Store, now = Date.now()): Health {
  const one = <T>(sql: string, ...p: unknown[]) => connection(store).prepare(sql).pluck().get(...p) as T;
  const dayAgo = now - 86_400_000;
  const failed24h = one<number>("SELECT count(*) FROM job_runs WHERE status IN ('failed', 'abandoned') AND started_at >= ?", dayAgo);
  const backlog = one<number>('SELECT count(*) FROM outbox WHERE delivered_at IS NULL');
  const lastRuns = connection(store)
    .prepare(`SELECT j.name AS job, r.status, r.started_at AS startedAt, r.error FROM jobs j JOIN job_runs r ON r.id = (SELECT max(id) FROM job_runs WHERE job_id = j.id) ORDER BY j.name`)
    .all() as { job: string; status: string; startedAt: number; error: string | null }[];
  return {
    status: failed24h > 0 || backlog > 100 ? 'degraded' : 'ok',
    time: new Date(now).toISOString(),
    versions: { quantdesk: QUANTDESK_VERSION, node: process.versions.node, sqlite: one<string>('SELECT sqlite_version()'), schema: store.schemaVersion },
    store: { path: store.path, instruments: one<number>('SELECT count(*) FROM instruments'), lastImportAt: iso(one<number | null>('SELECT max(imported_at) FROM imports')) },
    scheduler: {
      jobs: one<number>('SELECT count(*) FROM jobs'),
      running: one<number>("SELECT count(*) FROM job_runs WHERE status = 'running'"),
      failed24h,
      lastRuns: lastRuns.map((r) => ({ ...r, startedAt: iso(r.startedAt)! })),
    },
    feeds: { newsItems: one<number>('SELECT count(*) FROM news'), lastNewsAt: iso(one<number | null>('SELECT max(known_at) FROM news')) },
    outbox: { backlog, oldestAt: iso(one<number | null>('SELECT min(next_attempt_at) FROM outbox WHERE delivered_at IS NULL')) },
    dataQuality: { findings24h: one<number>('SELECT count(*) FROM dq_findings WHERE found_at >= ?', dayAgo) },
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
      if (!s || !connection(s).open) {
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
