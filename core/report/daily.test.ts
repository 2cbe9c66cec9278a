import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer } from '../connectors/test-server';
import { storeNews } from '../connectors/news-store';
import { bufferIO } from '../cli/io';
import { main } from '../cli/main';
import { formatDate } from '../model/time';
import { importCsv } from '../store/import';
import { openStore } from '../store/sqlite-bar-store';
import { tempDir } from '../store/test-helpers';
import { buildDailyReport, listReports, renderDailyHtml } from './daily';
import { connection } from '../store/internal';

const d = tempDir('qd-report-');
afterEach(() => undefined);

/** Closes that make sma-cross(2,3) enter long and short several times, then long on the last day. */
const CLOSES = [10, 11, 12, 11, 10, 9, 10, 11, 12, 11, 10, 9, 10, 11, 12, 11, 10, 9, 10, 11];

async function seed(db: string): Promise<{ lastDay: string }> {
  const s = openStore(db);
  let csv = 'symbol,date,open,high,low,close,volume\n';
  const day0 = Date.UTC(2024, 0, 1);
  CLOSES.forEach((c, i) => (csv += `AAA,${formatDate(day0 + i * 86_400_000)},${c},${c},${c},${c},100\n`));
  expect((await importCsv(s, 'bars', { fileName: 'b.csv', content: csv })).ok).toBe(true);
  const lastDay = formatDate(day0 + (CLOSES.length - 1) * 86_400_000);
  const dayMs = Date.parse(lastDay);
  connection(s)
    .prepare(
      "INSERT INTO positions(session, symbol, qty, avg_cost, realized, updated_at) VALUES ('paper', 'AAA', 10, 10, 5, ?)",
    )
    .run(dayMs);
  connection(s)
    .prepare(
      "INSERT INTO alerts(id, ts, session, kind, severity, symbol, message) VALUES ('a1', ?, 'paper', 'risk', 'critical', 'AAA', 'daily loss limit hit: kill switch')",
    )
    .run(dayMs + 3_600_000);
  connection(s)
    .prepare(
      "INSERT INTO dq_findings(instrument_id, check_name, ts, severity, value, detail, found_at) VALUES (1, 'gap', ?, 'info', 1, '1 trading day missing', ?)",
    )
    .run(dayMs, dayMs + 60_000);
  connection(s)
    .prepare(
      "INSERT INTO jobs(name, cron, timezone, command, created_at) VALUES ('prices', '0 18 * * 1-5', 'America/New_York', '[\"fetch\",\"stooq\"]', 0)",
    )
    .run();
  connection(s)
    .prepare(
      "INSERT INTO job_runs(job_id, attempt, trigger, started_at, ended_at, status, error) VALUES (1, 1, 'schedule', ?, ?, 'failed', 'stooq: HTTP 503 <busy>')",
    )
    .run(dayMs + 7_200_000, dayMs + 7_300_000);
  storeNews(
    s,
    [
      {
        feed: 'f',
        guid: '',
        title: 'AAA soars on great earnings',
        link: 'https://x/1',
        summary: '',
        publishedAt: dayMs,
      },
    ],
    dayMs + 1000,
  );
  s.close();
  return { lastDay };
}

describe('daily report', () => {
  it('collects signals with past success rates, PnL, risk alerts, findings, news and failed jobs', async () => {
    const db = join(d.dir, 'r.db');
    const { lastDay } = await seed(db);
    const s = openStore(db);
    const spec = { strategy: 'sma-cross', params: { fast: 2, slow: 3 }, symbols: ['AAA'] };
    const r = buildDailyReport(s, [{ label: 'sma', spec }], {
      day: Date.parse(lastDay),
      now: Date.parse(lastDay) + 86_400_000,
    });
    expect(r.signalErrors).toEqual([]);
    expect(r.signals.map((x) => [x.symbol, x.side])).toEqual([['AAA', 'long']]);
    // The history excludes the day's own signal, so it equals the signals command ended the day before.
    expect(r.signals[0].history.count).toBeGreaterThan(0);
    expect(r.positions).toEqual([
      { session: 'paper', symbol: 'AAA', qty: 10, avgCost: 10, realized: 5, last: 11, unrealized: 10 },
    ]);
    expect(r.alerts.map((a) => a.kind)).toEqual(['risk']);
    expect(r.findings.length).toBe(1);
    expect(r.news.map((n) => n.title)).toEqual(['AAA soars on great earnings']);
    expect(r.failedJobs.map((j) => j.error)).toEqual(['stooq: HTTP 503 <busy>']);
    const html = renderDailyHtml(r);
    expect(html).toContain('stooq: HTTP 503 &lt;busy&gt;');
    expect(html).not.toMatch(/<script|<link|src=/);
    s.close();
  });

  it('quantdesk report daily writes the HTML, records it, and --send posts the summary through the outbox', async () => {
    const db = join(d.dir, 's.db');
    const { lastDay } = await seed(db);
    const bodies: string[] = [];
    const server = await startTestServer(() => ({ body: 'ok' }));
    const { createServer } = await import('node:http');
    const hook = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        bodies.push(b);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const port = (hook.address() as { port: number }).port;
    try {
      const io = bufferIO();
      const out = join(d.dir, 'reports', 'daily-{date}.html');
      const code = await main(
        [
          'report',
          'daily',
          '--db',
          db,
          '--out',
          out,
          '--date',
          lastDay,
          '--send',
          '--webhook',
          `http://127.0.0.1:${port}/hook`,
        ],
        io,
      );
      expect([code, io.stderr()]).toEqual([0, '']);
      const path = join(d.dir, 'reports', `daily-${lastDay}.html`);
      expect(readFileSync(path, 'utf8')).toContain(`QuantDesk daily report: ${lastDay}`);
      expect(io.stdout()).toContain('sent: 1 delivered, 0 failed');
      expect(bodies.length).toBe(1);
      expect(JSON.parse(bodies[0])).toMatchObject({
        kind: 'daily-report',
        message: expect.stringMatching(/^Daily report .*1 risk alerts; 1 data-quality findings; 1 failed jobs/),
      });
      const s = openStore(db);
      expect(listReports(s).map((x) => x.path)).toEqual([path]);
      s.close();
      const noTarget = bufferIO();
      expect(await main(['report', 'daily', '--db', db, '--out', out, '--send'], noTarget)).toBe(2);
      expect(noTarget.stderr()).toMatch(/--send needs a target/);
    } finally {
      await server.close();
      await new Promise((r) => hook.close(r));
    }
  });
});
