import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from './fixture';

let app: App;

beforeAll(async () => {
  app = await startApp();
  await app.open();
  await app.page.click('[data-view="live"]');
  await app.page.waitForSelector('[data-view-ready="live"]');
});
afterAll(() => app?.close());

describe('Live view', () => {
  it('starts the replay feed and sees ticks, positions and an alert arrive', async () => {
    const { page } = app;
    await page.waitForSelector('[data-testid="live-strategy"] option[value="sma-cross"]', { state: 'attached' });
    await page.selectOption('[data-testid="live-strategy"]', 'sma-cross');
    await page.fill('[data-testid="live-symbols"]', 'ABAG, ACB, ACX');
    await page.click('[data-testid="live-start"]');
    await page.waitForSelector('[data-live-running="true"]');
    await page.waitForSelector('[data-testid="watchlist"] tbody tr:nth-child(3) td.num');
    // Indicator columns fill in once computed over the stored bars (RSI is in 0..100).
    await page.waitForFunction(() => { const v = Number(document.querySelector('[data-testid="watchlist"] tbody tr:first-child td:nth-child(4)')?.textContent); return v > 0 && v < 100; }, undefined, { timeout: 30_000 });
    await page.waitForSelector('[data-testid="positions"]:not([data-positions="0"])', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="alert-stream"]:not([data-alerts="0"])', { timeout: 60_000 });
    const symbols = await page.$$eval('[data-testid="watchlist"] tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
    expect(symbols).toEqual(['ABAG', 'ACB', 'ACX']);
    const pos = await page.$$eval('[data-testid="positions"] tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
    expect(pos.every((s) => ['ABAG', 'ACB', 'ACX'].includes(s ?? ''))).toBe(true);
    // The view shows what the journal holds.
    const journal = await page.evaluate(() => window.api.invoke('positions:list'));
    expect(journal.ok && journal.value.length).toBeGreaterThan(0);
    await app.screenshot('live');
  });

  it('acknowledges an alert', async () => {
    const { page } = app;
    const first = page.locator('[data-testid="alert-stream"] tr.alert-row').first();
    await first.locator('[data-testid="ack"]').click();
    await page.waitForSelector('[data-testid="alert-stream"] tr.alert-row.acked');
  });

  it('trips the kill switch only after confirmation, and shows it with a critical alert on top', async () => {
    const { page } = app;
    await page.click('[data-testid="kill-switch"]');
    await page.click('[data-testid="confirm-cancel"]');
    expect(await page.$('[data-testid="kill-tripped"]')).toBeNull();
    await page.click('[data-testid="kill-switch"]');
    await page.click('[data-testid="confirm"]');
    await page.waitForSelector('[data-testid="kill-tripped"]');
    await page.waitForSelector('[data-testid="alert-stream"] tr.alert-row[data-severity="critical"]');
    expect(await page.getAttribute('[data-testid="alert-stream"] tr.alert-row >> nth=0', 'data-severity')).toBe('critical');
    await app.screenshot('live-killed');
  });
});

describe('Live fills on the chart', () => {
  it('opens the chart on a position with the session fills as markers', async () => {
    const { page } = app;
    await page.click('[data-view="live"]');
    await page.waitForSelector('[data-testid="positions"]:not([data-positions="0"])');
    const symbol = await page.textContent('[data-testid="positions"] tbody tr:first-child td:first-child');
    await page.click('[data-testid="positions"] tbody tr:first-child [data-testid="fills-on-chart"]');
    await page.waitForSelector(`[data-view-ready="chart"][data-symbol="${symbol}"] [data-chart-ready="true"]`);
    expect(Number(await page.getAttribute('[data-chart-ready="true"]', 'data-markers'))).toBeGreaterThan(0);
    await app.screenshot('live-fills-chart');
  });
});
