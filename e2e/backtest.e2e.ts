import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SCREENSHOTS, startApp, type App } from './fixture';

let app: App;

beforeAll(async () => {
  app = await startApp();
  await app.open();
  await app.page.keyboard.press('2');
  await app.page.waitForSelector('[data-view-ready="backtest"]');
});
afterAll(() => app?.close());

describe('Backtest view', () => {
  it('explains invalid input inline and does not run', async () => {
    const { page } = app;
    await page.selectOption('[data-testid="strategy-select"]', 'sma-cross');
    await page.fill('[data-testid="bt-symbols"]', '');
    await page.fill('input[name="capital"]', '-5');
    await page.click('[data-testid="run-backtest"]');
    await page.waitForSelector('[data-field-error="symbols"]');
    expect(await page.textContent('[data-field-error="capital"]')).toBe('Capital must be a positive number');
    expect(await page.$('[data-testid="backtest-results"]')).toBeNull();
  });

  it('runs a backtest with progress and reads its Sharpe, equal to the stored run', async () => {
    const { page } = app;
    await page.fill('input[name="capital"]', '100000');
    await page.fill('[data-testid="bt-symbols"]', 'ABAG');
    await page.fill('input[name="start"]', '2016-01-04');
    await page.fill('input[name="benchmark"]', 'SPX');
    await page.fill('#param-fast', '10');
    await page.fill('#param-slow', '40');
    await page.click('[data-testid="run-backtest"]');
    await page.waitForSelector('[data-run-ready="true"] [data-metric="sharpe"]', { timeout: 60_000 });
    const shown = Number(await page.getAttribute('[data-metric="sharpe"]', 'data-value'));
    expect(Number.isFinite(shown)).toBe(true);
    expect(await page.textContent('[data-metric="sharpe"] .value')).toBe(shown.toFixed(2));
    const runId =
      (await page.getAttribute('#root [data-run-id].selected', 'data-run-id').catch(() => null)) ??
      (await page.textContent('[data-testid="backtest-results"] .toolbar .mono:last-of-type'));
    const stored = await page.evaluate(async () => {
      const list = await window.api.invoke('runs:list', { limit: 1 });
      if (!list.ok) return null;
      const r = await window.api.invoke('runs:get', { id: list.value[0].id });
      return r.ok ? { id: r.value.id, sharpe: r.value.metrics?.sharpe ?? null } : null;
    });
    expect(stored?.sharpe).toBe(shown);
    expect(runId).toContain(stored?.id ?? '');
    expect(Number(await page.getAttribute('[data-testid="trade-list"]', 'data-rows'))).toBeGreaterThan(0);
    await page.waitForSelector('[data-testid="monthly-returns"] tbody tr');
    await app.screenshot('backtest');
  });

  it('sorts the trade list, and a trade opens the chart at its date with markers', async () => {
    const { page } = app;
    await page.click('[data-testid="trade-list"] [data-sort-key="pnl"]');
    await page.waitForSelector('[data-testid="trade-list"][data-sort="pnl:desc"]');
    const pnls = await page.$$eval('[data-testid="trade-list"] .vrow[data-index]', (rows) =>
      rows.slice(0, 5).map((r) => Number(r.children[7].textContent!.replace(/,/g, ''))),
    );
    expect(pnls).toEqual([...pnls].sort((a, b) => b - a));
    await page.click('[data-testid="trade-list"] .vrow[data-index="0"]');
    await page.waitForSelector('[data-view-ready="chart"][data-symbol="ABAG"] [data-chart-ready="true"]');
    expect(Number(await page.getAttribute('[data-chart-ready="true"]', 'data-markers'))).toBeGreaterThan(0);
    await page.keyboard.press('2');
    await page.waitForSelector('[data-run-ready="true"]');
  });

  it('compares two runs side by side and exports CSV and HTML', async () => {
    const { page } = app;
    await page.fill('#param-slow', '80');
    await page.click('[data-testid="run-backtest"]');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="run-history"] tbody tr').length >= 2,
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForSelector('[data-run-ready="true"]');
    const compare = page.locator('[data-testid="run-history"] tbody tr:nth-child(2) [data-testid="compare"]');
    await compare.click();
    await page.waitForSelector('[data-testid="run-compare"]');
    expect(await page.textContent('[data-testid="run-compare"]')).toContain('Sharpe');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    const [html] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-html"]')]);
    expect(html.suggestedFilename()).toMatch(/\.html$/);
    await app.screenshot('backtest-compare');
  });
});

describe('Backtest metrics and the tear sheet (issue 11)', () => {
  it('shows alpha, beta, VaR, CVaR, drawdown duration and information ratio, and a tear sheet from the first bar with the benchmark on dated axes', async () => {
    const { page } = app;
    await page.click('[data-view="backtest"]');
    await page.waitForSelector('[data-run-ready="true"] [data-metric="sharpe"]');
    // The run above has benchmark SPX: every card has a value.
    for (const k of ['alpha', 'beta', 'var95', 'cvar95', 'maxDrawdownDuration', 'informationRatio']) {
      expect(Number.isFinite(Number(await page.getAttribute(`[data-metric="${k}"]`, 'data-value'))), k).toBe(true);
    }
    expect(await page.textContent('[data-metric="maxDrawdownDuration"] .value')).toMatch(/^[\d,]+ bars$/);
    await page.locator('[data-testid="metric-cards"]').scrollIntoViewIfNeeded();
    await app.screenshot('backtest-metric-cards');
    const html = await page.evaluate(async () => {
      const list = await window.api.invoke('runs:list', { limit: 1, kind: 'backtest' });
      if (!list.ok) return '';
      const r = await window.api.invoke('runs:export', { id: list.value[0].id, format: 'html' });
      return r.ok ? r.value : '';
    });
    // The run starts 2016-01-04: the monthly table starts in 2016, with no rows of 0.00% before it.
    const years = [...html.matchAll(/<tr><td>(\d{4})<\/td>/g)].map((m) => Number(m[1]));
    expect(years[0]).toBe(2016);
    expect(html).toMatch(/<h2>Equity and SPX<\/h2>/);
    expect(html).toMatch(/data-series="SPX \(rebased to the starting capital; its data ends 2020-04-17\)"/);
    expect(html).toMatch(/data-axis="dates">.*>2017</);
    const sheet = await app.browser.newPage({ viewport: { width: 1200, height: 1100 } });
    await sheet.setContent(html);
    await sheet.screenshot({ path: join(SCREENSHOTS, 'backtest-tear-sheet.png'), fullPage: false });
    // Issue 17: rolling Sharpe, volatility and beta (against SPX) and the distributions in the tear sheet too.
    expect(html).toMatch(/data-series="Rolling beta to SPX \(\d+ bars\)"/);
    expect(html).toMatch(/data-histogram="Trade returns"/);
    await sheet.evaluate(() =>
      Array.from(document.querySelectorAll('h2'))
        .find((h) => h.textContent?.startsWith('Rolling'))
        ?.scrollIntoView(),
    );
    await sheet.screenshot({ path: join(SCREENSHOTS, 'backtest-tear-sheet-rolling.png'), fullPage: false });
    await sheet.evaluate(() =>
      Array.from(document.querySelectorAll('h2'))
        .find((h) => h.textContent === 'Monthly returns')
        ?.scrollIntoView(),
    );
    await sheet.screenshot({ path: join(SCREENSHOTS, 'backtest-tear-sheet-monthly.png'), fullPage: false });
    await sheet.close();
  });
});

describe('Backtest view, cross-sectional', () => {
  it('runs factor-rank over the point-in-time universe with its JSON rank parameter', async () => {
    const { page } = app;
    await page.click('[data-view="backtest"]');
    await page.selectOption('[data-testid="strategy-select"]', 'factor-rank');
    await page.fill('[data-testid="bt-symbols"]', '');
    await page.fill('input[name="universe"]', 'all');
    await page.fill('input[name="benchmark"]', '');
    await page.fill('input[name="start"]', '2022-01-03');
    // A broken JSON value is explained in place (the rule builder's JSON switch shows the text).
    await page.click('[data-testid="raw-rank"]');
    await page.fill('#param-rank', '[{"factor": ');
    await page.waitForSelector('[data-field-error="rank"]');
    await page.fill('#param-rank', '[{"factor":"momentum-12-1","order":"descending","weight":1}]');
    await page.click('[data-testid="run-backtest"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="backtest-results"] .toolbar b')?.textContent === 'factor-rank',
      undefined,
      { timeout: 90_000 },
    );
    await page.waitForSelector('[data-run-ready="true"] [data-metric="sharpe"]');
    expect(Number(await page.getAttribute('[data-metric="trades"]', 'data-value'))).toBeGreaterThan(10);
    await app.screenshot('backtest-factor-rank');
  });
});
