import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../core/connectors/test-server';
import { startApp, type App } from './fixture';

let app: App;
let feed: Awaited<ReturnType<typeof startTestServer>>;

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Markets rally on strong earnings</title><link>https://example.com/1</link><pubDate>Tue, 02 Jan 2024 14:30:00 GMT</pubDate></item>
<item><title>Bank shares slump after weak guidance</title><link>https://example.com/2</link><pubDate>Tue, 02 Jan 2024 15:30:00 GMT</pubDate></item>
</channel></rss>`;

beforeAll(async () => {
  feed = await startTestServer(() => ({ body: RSS, type: 'application/rss+xml' }));
  app = await startApp({ empty: true });
  await app.open();
  // Jobs and history as `quantdesk jobs add` and a scheduler would leave them (serve is the only other writer).
  const db = new Database(join(app.dir, 'qd.db'));
  const now = Date.now();
  const add = db.prepare('INSERT INTO jobs(name, cron, timezone, command, created_at) VALUES (?, ?, ?, ?, ?)');
  add.run(
    'news',
    '0 */2 * * *',
    'UTC',
    JSON.stringify(['fetch', 'news', '--url', `${feed.base}/rss.xml`, '--rate-ms', '0']),
    now,
  );
  add.run('krx-close', '30 16 * * 1-5', 'Asia/Seoul', JSON.stringify(['fetch', 'dart', '--symbols', '005930']), now);
  db.prepare(
    "INSERT INTO job_runs(job_id, attempt, trigger, started_at, ended_at, status, error, pid, host) VALUES (2, 1, 'schedule', ?, ?, 'failed', 'dart: set DART_API_KEY in the environment', 1, 'x')",
  ).run(now - 60_000, now - 59_000);
  db.prepare(
    "INSERT INTO reports(kind, day, path, created_at, summary) VALUES ('daily', ?, '/tmp/daily.html', ?, ?)",
  ).run(
    Date.UTC(2024, 0, 2),
    now,
    JSON.stringify({
      text: 'Daily report 2024-01-02: 2 signals — long AAA (sma, 58.0% of 31); live PnL 1,204.50; 0 risk alerts; 1 data-quality findings; 1 failed jobs.',
    }),
  );
  db.prepare("INSERT INTO instruments(symbol, name) VALUES ('ZZQ', 'Test')").run();
  db.prepare(
    "INSERT INTO dq_findings(instrument_id, check_name, ts, severity, value, detail, found_at) VALUES (1, 'split', ?, 'critical', 2, 'open 50 vs previous close 100: a 2:1 split? No split is recorded on this date', ?)",
  ).run(Date.UTC(2024, 0, 3), now);
  db.close();
});
afterAll(async () => {
  await app?.close();
  await feed?.close();
});

describe('Jobs view and health panel', () => {
  it('lists jobs, their history and reports; Run now fetches the feed; the status bar shows health', async () => {
    const { page } = app;
    await page.keyboard.press('8');
    await page.waitForSelector('[data-view-ready="jobs"]');
    expect(await page.textContent('[data-testid="jobs-table"]')).toContain('Asia/Seoul');
    expect(await page.textContent('[data-testid="reports-table"]')).toContain('Daily report 2024-01-02');
    await page.click('[data-testid="run-news"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="job-runs"] tbody tr td:nth-child(3)')?.textContent === 'ok',
    );
    const first = await page.textContent('[data-testid="job-runs"] tbody tr');
    expect(first).toContain('news');
    expect(first).toContain('manual');
    await page.waitForSelector('[data-testid="health-panel"][data-health="degraded"]');
    expect(await page.textContent('[data-testid="health-panel"]')).toContain('1 failed jobs');
    await app.screenshot('jobs-view');
  });

  it('the API keys panel says whether each connector key is set, never a value; serve reads them from its environment', async () => {
    const { page } = app;
    await page.keyboard.press('8');
    await page.waitForSelector('[data-testid="api-keys"]');
    expect(await page.textContent('[data-testid="api-key-alphavantage"]')).toBe(
      process.env.ALPHAVANTAGE_API_KEY ? 'set' : 'not set',
    );
    const text = (await page.textContent('[data-testid="api-keys"]')) ?? '';
    expect(text).toContain('DART_API_KEY');
    // `quantdesk serve` cannot store keys: no input, a hint to use the environment instead.
    expect(await page.$('[data-testid="api-key-input-alphavantage"]')).toBeNull();
    expect(text).toContain('set ALPHAVANTAGE_API_KEY in the environment of this host');
    await app.screenshot('api-keys-panel');
  });

  it('the Data view lists data-quality findings', async () => {
    const { page } = app;
    await page.keyboard.press('5');
    await page.waitForSelector('[data-quality-ready="true"] [data-testid="quality-findings"]');
    const text = (await page.textContent('[data-testid="quality-findings"]')) ?? '';
    expect(text).toContain('ZZQ');
    expect(text).toContain('2:1 split');
    await app.screenshot('data-quality-panel');
  });
});
