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
    await page.waitForFunction(
      () => {
        const v = Number(
          document.querySelector('[data-testid="watchlist"] tbody tr:first-child td:nth-child(4)')?.textContent,
        );
        return v > 0 && v < 100;
      },
      undefined,
      { timeout: 30_000 },
    );
    await page.waitForSelector('[data-testid="positions"]:not([data-positions="0"])', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="alert-stream"]:not([data-alerts="0"])', { timeout: 60_000 });
    // Strategy entries and exits arrive as alerts of kind `signal`.
    await page.waitForSelector('[data-testid="alert-stream"] tr.alert-row[data-kind="signal"]', { timeout: 60_000 });
    expect(
      await page.getAttribute(
        '[data-testid="alert-stream"] tr.alert-row[data-kind="signal"] >> nth=0',
        'data-severity',
      ),
    ).toBe('info');
    await page.waitForSelector('[data-feed-state="closed"]', { timeout: 60_000 });
    const symbols = await page.$$eval('[data-testid="watchlist"] tbody tr td:first-child', (tds) =>
      tds.map((t) => t.textContent),
    );
    expect(symbols).toEqual(['ABAG', 'ACB', 'ACX']);
    const pos = await page.$$eval('[data-testid="positions"] tbody tr td:first-child', (tds) =>
      tds.map((t) => t.textContent),
    );
    expect(pos.every((s) => ['ABAG', 'ACB', 'ACX'].includes(s ?? ''))).toBe(true);
    // The view shows what the journal holds.
    const journal = await page.evaluate(() => window.api.invoke('positions:list'));
    expect(journal.ok && journal.value.length).toBeGreaterThan(0);
    await app.screenshot('live');
  });

  it('filters the stream to signals, then to anomalies & risk, then back to all', async () => {
    const { page } = app;
    const kinds = () =>
      page.$$eval('[data-testid="alert-stream"] tr.alert-row', (rows) => rows.map((r) => r.getAttribute('data-kind')));
    const all = await kinds();
    await page.click('[data-testid="alert-filter-signals"]');
    await page.waitForSelector('[data-testid="alert-stream"][data-filter="signals"]');
    const signals = await kinds();
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((k) => k === 'signal')).toBe(true);
    await page.click('[data-testid="alert-filter-other"]');
    await page.waitForSelector('[data-testid="alert-stream"][data-filter="other"]');
    const other = await kinds();
    expect(other.includes('signal')).toBe(false);
    expect(signals.length + other.length).toBe(all.length);
    await page.click('[data-testid="alert-filter-signals"]');
    await page.waitForSelector('[data-testid="alert-stream"][data-filter="signals"]');
    await app.screenshot('live-signal-alerts');
  });

  it('acknowledges a signal alert, in the view and in the journal', async () => {
    const { page } = app;
    const first = page.locator('[data-testid="alert-stream"] tr.alert-row[data-kind="signal"]').first();
    await first.locator('[data-testid="ack"]').click();
    await page.waitForSelector('[data-testid="alert-stream"] tr.alert-row.acked[data-kind="signal"]');
    const journal = await page.evaluate(() => window.api.invoke('alerts:list', { limit: 5000, category: 'signal' }));
    expect(journal.ok && journal.value.filter((a) => a.acknowledgedAt !== null).length).toBe(1);
    await page.click('[data-testid="alert-filter-all"]');
    await page.waitForSelector('[data-testid="alert-stream"][data-filter="all"]');
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
    expect(await page.getAttribute('[data-testid="alert-stream"] tr.alert-row >> nth=0', 'data-severity')).toBe(
      'critical',
    );
    await app.screenshot('live-killed');
  });
});

describe('Live signals on the chart', () => {
  it('draws the pushed signals of a symbol as markers when the chart is opened on it', async () => {
    const { page } = app;
    // A symbol with signals, read from the stream; the chart is opened by hand (no signals:list involved).
    const symbol = (await page.textContent(
      '[data-testid="alert-stream"] tr.alert-row[data-kind="signal"] >> nth=0 >> td:nth-child(3)',
    ))!.trim();
    const listed = await page.evaluate((s) => window.api.invoke('signals:list', { symbol: s, limit: 5000 }), symbol);
    expect(listed.ok && listed.value.length).toBeGreaterThan(0);
    await page.click('[data-view="chart"]');
    await page.keyboard.press('Control+k');
    await page.fill('[data-testid="symbol-palette"] input', symbol);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`[data-view-ready="chart"][data-symbol="${symbol}"] [data-chart-ready="true"]`);
    // Every journaled signal of the symbol arrived by signal:fired and is a marker.
    expect(Number(await page.getAttribute('[data-chart-ready="true"]', 'data-markers'))).toBe(
      listed.ok ? listed.value.length : -1,
    );
  });

  it('opens the chart on a position with its journaled signals as markers', async () => {
    const { page } = app;
    await page.click('[data-view="live"]');
    await page.waitForSelector('[data-testid="positions"]:not([data-positions="0"])');
    const symbol = (await page.textContent('[data-testid="positions"] tbody tr:first-child td:first-child'))!;
    await page.click('[data-testid="positions"] tbody tr:first-child [data-testid="signals-on-chart"]');
    await page.waitForSelector(
      `[data-view-ready="chart"][data-symbol="${symbol}"] [data-chart-ready="true"]:not([data-markers="0"])`,
    );
    const listed = await page.evaluate((s) => window.api.invoke('signals:list', { symbol: s, limit: 5000 }), symbol);
    expect(Number(await page.getAttribute('[data-chart-ready="true"]', 'data-markers'))).toBe(
      listed.ok ? listed.value.length : -1,
    );
    await app.screenshot('live-signals-chart');
  });
});

describe('Live positions, day change and Flatten all (issue 11)', () => {
  const num = (s: string | null) => Number((s ?? '').replace(/[^0-9.+-]/g, ''));

  it('reprices positions from the ticks: Last equals the watchlist, the rows sum to the account card; the change is the day\u2019s', async () => {
    const { page } = app;
    await page.click('[data-view="live"]');
    await page.waitForSelector('[data-testid="positions"]:not([data-positions="0"])');
    expect(await page.textContent('[data-testid="watchlist"] thead')).toMatch(/Day chg/);
    const watch = Object.fromEntries(
      await page.$$eval('[data-testid="watchlist"] tbody tr', (rows) =>
        rows.map((r) => [r.children[0].textContent, r.children[1].textContent]),
      ),
    );
    const rows = await page.$$eval('[data-testid="positions"] tbody tr', (rs) =>
      rs.map((r) => Array.from(r.children, (c) => c.textContent)),
    );
    for (const r of rows) expect(r[3]).toBe(watch[r[0]!]);
    const unrealized = await page.textContent('[data-testid="account"] .card:nth-child(5) .value');
    const sum = rows.reduce((a, r) => a + num(r[4]), 0);
    expect(Math.abs(sum - num(unrealized))).toBeLessThan(0.02 * rows.length + 0.01);
    // The day's change: last against the previous bar's close, as the journal's bars give it.
    const first = rows[0][0]!;
    const chg = await page.textContent(
      `[data-testid="watchlist"] tbody tr:has(td:first-child:text-is("${first}")) td:nth-child(3)`,
    );
    const last = num(watch[first]!);
    let matched = false;
    for (const adjustment of ['raw', 'pit'] as const) {
      const bars = await page.evaluate(([s, a]) => window.api.invoke('data:bars', { symbol: s, adjustment: a }), [
        first,
        adjustment,
      ] as const);
      const c = bars.ok ? bars.value.close : [];
      const k = c.findLastIndex((x) => Math.abs(x - last) < 0.005);
      if (k > 0) {
        expect(num(chg)).toBeCloseTo((c[k] / c[k - 1] - 1) * 100, 1);
        matched = true;
        break;
      }
    }
    expect(matched).toBe(true);
    await page.locator('[data-testid="positions"]').scrollIntoViewIfNeeded();
    await app.screenshot('live-positions-repriced');
  });

  it('the kill switch dialog tells the truth, and Flatten all closes every position through the order path after confirmation', async () => {
    const { page } = app;
    // The switch was tripped above: Flatten all still works (reduce-only orders are accepted while halted).
    await page.waitForSelector('[data-testid="kill-tripped"]');
    const open = (
      await page.$$eval('[data-testid="positions"] tbody tr', (rs) =>
        rs.map((r) => [r.children[0].textContent, r.children[1].textContent]),
      )
    ).filter((r) => r[1] !== '0');
    expect(open.length).toBeGreaterThan(0);
    await page.click('[data-testid="flatten-all"]');
    expect(await page.$$eval('[data-testid="flatten-list"] li', (li) => li.length)).toBe(open.length);
    await app.screenshot('live-flatten-confirm');
    await page.click('[data-testid="confirm"]');
    await page.waitForSelector('[data-testid="flattened"]');
    const orders = await page.evaluate(() => window.api.invoke('orders:list'));
    const closing = orders.ok ? orders.value.filter((o) => o.type === 'market' && o.status === 'new') : [];
    expect(closing.map((o) => o.symbol).sort()).toEqual(open.map((r) => r[0]).sort());
    // Re-armed, the dialog says what halting does and offers the flatten.
    await page.click('button:text("Re-arm")');
    await page.click('[data-testid="kill-switch"]');
    const text = await page.textContent('[role="dialog"]');
    expect(text).toMatch(/Flatten all/);
    expect(text).not.toMatch(/ticket/);
    await app.screenshot('live-kill-dialog');
    await page.click('[data-testid="confirm-cancel"]');
  });

  it('keeps the last price after Stop, and a second session\u2019s alerts sort first without a reload', async () => {
    const { page } = app;
    const before = await page.$$eval('[data-testid="positions"] tbody tr', (rs) =>
      rs.map((r) => [r.children[0].textContent, r.children[3].textContent]),
    );
    await page.click('[data-testid="live-stop"]');
    await page.waitForSelector('[data-live-running="false"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="positions"] tbody tr').length > 0);
    const after = await page.$$eval('[data-testid="positions"] tbody tr', (rs) =>
      rs.map((r) => [r.children[0].textContent, r.children[3].textContent]),
    );
    expect(after).toEqual(before);
    expect(after.every((r) => r[1] !== '0.00')).toBe(true);
    await app.screenshot('live-stopped');
    // A second replay: its alerts (earlier market times than the first session's last ones) come first.
    await page.selectOption('[data-testid="live-strategy"]', 'sma-cross');
    await page.fill('[data-testid="live-symbols"]', 'ABAG, ACB, ACX');
    await page.click('[data-testid="live-start"]');
    await page.waitForSelector('[data-testid="alert-stream"] tr.alert-row[data-kind="signal"]', { timeout: 60_000 });
    await page.waitForSelector('[data-feed-state="closed"]', { timeout: 60_000 });
    await page.waitForTimeout(300);
    // Every alert on screen is the new session's (as a reload would show), newest first.
    const shown = await page.$$eval('[data-testid="alert-stream"] tr.alert-row', (rows) =>
      rows.map((r) => r.getAttribute('data-id')),
    );
    const journal = await page.evaluate(() => window.api.invoke('alerts:list', { limit: 5000 }));
    const ids = new Set(journal.ok ? journal.value.map((a) => a.id) : []);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.filter((id) => !ids.has(id!))).toEqual([]);
    await app.screenshot('live-second-session');
  });
});
