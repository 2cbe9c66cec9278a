import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertCenter } from '../core/live/alerts';
import { Journal } from '../core/store/journal';
import { openStore } from '../core/store/sqlite-bar-store';
import { startApp, type App } from './fixture';

let app: App;

beforeAll(async () => {
  app = await startApp();
  await app.open();
  await app.page.click('[data-view="live"]');
  await app.page.waitForSelector('[data-view-ready="live"]');
});
afterAll(() => app?.close());

async function runReplay(name: string): Promise<void> {
  const { page } = app;
  await page.waitForSelector('[data-testid="live-strategy"] option[value="sma-cross"]', { state: 'attached' });
  await page.selectOption('[data-testid="live-strategy"]', 'sma-cross');
  await page.fill('[data-testid="live-symbols"]', 'ABAG, ACB');
  await page.fill('[data-testid="live-session-name"]', name);
  await page.click('[data-testid="live-start"]');
  await page.waitForSelector('[data-live-running="true"]');
  await page.waitForSelector('[data-feed-state="closed"]', { timeout: 60_000 });
}

describe('Live view: named sessions and the webhook outbox', () => {
  it('names sessions, keeps a tripped kill switch per session, and resumes a session by name', async () => {
    const { page } = app;
    await runReplay('ABAG trend');
    expect(await page.textContent('[data-testid="live-session"]')).toContain('ABAG trend');
    await page.click('[data-testid="live-stop"]');
    await page.waitForSelector('[data-live-running="false"]');
    await page.click('[data-testid="kill-switch"]');
    await page.click('text=Halt trading');
    await page.waitForSelector('[data-testid="kill-tripped"]');
    await page.click('[data-view="chart"]');
    await page.click('[data-view="live"]');
    await page.waitForSelector('[data-testid="live-resume-select"]');
    // The journal holds the named session, tripped; none is called replay-<ms> or default.
    const sessions = await page.evaluate(() => window.api.invoke('live:sessions'));
    expect(sessions.ok && sessions.value.map((s) => [s.name, s.killSwitch.tripped])).toEqual([['ABAG trend', true]]);
    expect(
      await page.$$eval('[data-testid="live-resume-select"] option', (os) => os.map((o) => o.textContent)),
    ).toEqual(['ABAG trend (killed)']);
    await page.click('[data-testid="live-resume"]');
    await page.waitForSelector('[data-live-running="true"]');
    await page.waitForSelector('[data-testid="kill-tripped"]');
    expect(await page.textContent('[data-testid="live-session"]')).toContain('ABAG trend');
    await page.waitForSelector('[data-feed-state="closed"]', { timeout: 60_000 });
    await page.click('[data-testid="live-stop"]');
    await page.waitForSelector('[data-live-running="false"]');
  });

  it('shows waiting webhook deliveries and dead letters (endpoint host only) in the alerts panel', async () => {
    const { page } = app;
    // Another writer (as a crashed run would leave it): alerts owed to a webhook, most of them dead letters.
    const store = openStore(join(app.dir, 'qd.db'));
    try {
      const journal = new Journal(store);
      const center = new AlertCenter({
        session: 'ABAG trend',
        journal,
        webhooks: [{ kind: 'telegram', token: 'SECRET-TOKEN', chatId: 1, apiUrl: 'http://127.0.0.1:9' }],
      });
      for (let i = 0; i < 4; i++)
        center.raise({
          kind: 'risk-limit',
          severity: 'critical',
          symbol: ['ABAG', 'ACB', 'ACX', 'ADD'][i],
          message: `limit ${i}`,
          time: Date.now() + i,
        });
      for (const row of journal.pendingOutbox().slice(0, 3))
        journal.markDead(row.seq, Date.now(), 'HTTP 503 (attempt 8 of 8)');
    } finally {
      store.close();
    }
    await page.click('[data-view="chart"]');
    await page.click('[data-view="live"]');
    await page.waitForSelector('[data-testid="outbox-status"][data-dead="3"]');
    const text = await page.textContent('[data-testid="outbox-status"]');
    expect(text).toContain('3 failed for good (dead letters, kept until retried)');
    expect(text).toContain('127.0.0.1:9: HTTP 503 (attempt 8 of 8)');
    expect(text).not.toContain('SECRET-TOKEN');
    await app.screenshot('live-sessions-outbox');
    // Retry one: it goes back in the queue with a fresh budget (its endpoint is still down, so it waits).
    const first = await page.getAttribute('[data-testid="dead-letter"]', 'data-alert-id');
    await page.click('[data-testid="dead-letter"] [data-testid="dead-letter-retry"]');
    await page.waitForSelector('[data-testid="outbox-status"][data-dead="2"]');
    expect(
      await page.$$eval('[data-testid="dead-letter"]', (ds) => ds.map((d) => d.getAttribute('data-alert-id'))),
    ).not.toContain(first);
    expect(Number(await page.getAttribute('[data-testid="outbox-status"]', 'data-pending'))).toBe(2);
    await page.click('[data-testid="dead-letter-retry-all"]');
    await page.waitForSelector('[data-testid="outbox-status"][data-dead="0"][data-pending="4"]');
  });
});
