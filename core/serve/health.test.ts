import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/sqlite-bar-store';
import { tickToSignalSeconds } from './health';
import { startServer, type RunningServer } from './server';
import { connection } from '../store/internal';

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-health-'));
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html>');
  const db = join(dir, 'q.db');
  const s = openStore(db);
  connection(s)
    .prepare(
      "INSERT INTO jobs(name, cron, timezone, command, created_at) VALUES ('prices', '0 18 * * 1-5', 'America/New_York', '[]', 0)",
    )
    .run();
  const now = Date.now();
  connection(s)
    .prepare(
      "INSERT INTO job_runs(job_id, attempt, trigger, started_at, ended_at, status, error) VALUES (1, 1, 'schedule', ?, ?, 'failed', 'HTTP 503')",
    )
    .run(now - 5000, now - 2500);
  connection(s)
    .prepare("INSERT INTO outbox(alert_id, target, body, next_attempt_at) VALUES ('a', '{}', '{}', ?)")
    .run(now);
  s.close();
  server = await startServer({ dbPath: db, staticDir: join(dir, 'static'), token: 'tok123' });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('/health and /metrics', () => {
  it('need the token (query or bearer)', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/health`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer nope00' } })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer tok123' } })).status).toBe(200);
  });

  it('/health reports store, scheduler, feeds, outbox and versions, degraded after a failed job', async () => {
    const r = await fetch(`http://127.0.0.1:${server.port}/health?token=tok123`);
    expect(r.headers.get('content-type')).toBe('application/json');
    const h = (await r.json()) as { versions: { schema: number } };
    expect(h).toMatchObject({
      status: 'degraded',
      versions: { quantdesk: '0.1.0', node: process.versions.node },
      scheduler: {
        jobs: 1,
        running: 0,
        failed24h: 1,
        lastRuns: [{ job: 'prices', status: 'failed', error: 'HTTP 503' }],
      },
      outbox: { backlog: 1 },
      feeds: { newsItems: 0, lastNewsAt: null },
    });
    expect(h.versions.schema).toBeGreaterThan(3);
  });

  it('/metrics is Prometheus text with job durations, outbox depth and the tick-to-signal histogram', async () => {
    tickToSignalSeconds.observe(0.003);
    const r = await fetch(`http://127.0.0.1:${server.port}/metrics?token=tok123`);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    expect(text).toContain('quantdesk_outbox_depth 1');
    expect(text).toContain('quantdesk_job_last_duration_seconds{job="prices",status="failed"} 2.5');
    expect(text).toContain('quantdesk_job_runs{job="prices",status="failed"} 1');
    expect(text).toMatch(/quantdesk_tick_to_signal_seconds_bucket\{le="0.005"\} [1-9]/);
    expect(text).toContain('# TYPE quantdesk_process_resident_memory_bytes gauge');
  });
});
