import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startApp, type App } from './fixture';

// Issue 17: the optimizer past two parameters: a seeded guided (genetic) search over three, with a budget.
let app: App;

beforeAll(async () => {
  app = await startApp({ viewport: { width: 1500, height: 1400 } });
  await app.open();
  const { page } = app;
  await page.click('[data-view="backtest"]');
  await page.waitForSelector('[data-view-ready="backtest"]');
  await page.selectOption('[data-testid="strategy-select"]', 'macd-cross');
  await page.fill('[data-testid="bt-symbols"]', 'ABAG');
  await page.fill('input[name="start"]', '2018-01-02');
  await page.selectOption('select[name="sizingMethod"]', 'fixed-qty');
  await page.click('[data-view="optimize"]');
  await page.waitForSelector('[data-view-ready="optimize"]');
});
afterAll(() => app?.close());

describe('Optimize: guided search over three parameters', () => {
  it('runs a seeded genetic search within its budget: heatmap of two chosen axes, parallel coordinates, stability', async () => {
    const { page } = app;
    await page.selectOption('[data-testid="axis0-param"]', 'fast');
    await page.selectOption('[data-testid="axis1-param"]', 'slow');
    await page.click('[data-testid="add-axis"]');
    await page.selectOption('[data-testid="axis2-param"]', 'signal');
    const ranges: [string, string][] = [
      ['axis0-from', '4'],
      ['axis0-to', '16'],
      ['axis0-step', '2'],
      ['axis1-from', '20'],
      ['axis1-to', '50'],
      ['axis1-step', '5'],
      ['axis2-from', '3'],
      ['axis2-to', '15'],
      ['axis2-step', '3'],
    ];
    for (const [k, v] of ranges) await page.fill(`[data-testid="${k}"]`, v);
    // 7 × 7 × 5 = 245 combinations; the guided search may evaluate 60.
    await page.selectOption('[data-testid="search-kind"]', 'genetic');
    await page.fill('[data-testid="search-budget"]', '60');
    await page.fill('[data-testid="search-seed"]', '7');
    await page.click('[data-testid="run-sweep"]');
    await page.waitForSelector('[data-sweep-ready="true"]', { timeout: 120_000 });
    const runs = Number((await page.textContent('[data-testid="sweep-results"] .toolbar b'))!.replace(/,/g, ''));
    expect(runs).toBeLessThanOrEqual(60);
    expect(runs).toBeGreaterThan(30);
    expect(Number(await page.getAttribute('[data-testid="parallel-coords"]', 'data-lines'))).toBeGreaterThan(20);
    await page.waitForSelector('[data-testid="stability"]');
    // The heatmap can show any two of the three, each cell the best over the third.
    await page.selectOption('[data-testid="heat-y"]', 'signal');
    expect(await page.textContent('[data-testid="sweep-results"] .panel-title')).toContain('fast × signal');
    const best1 = await page.getAttribute('[data-sweep-ready="true"]', 'data-best');
    // Walk-forward efficiency beside the stability: windows re-optimised over the best cell's neighbourhood.
    await page.click('[data-testid="run-best-wfe"]');
    await page.waitForSelector('[data-testid="best-wfe"][data-state="done"]', { timeout: 120_000 });
    const wfe = await page.textContent('[data-testid="best-wfe"]');
    expect(wfe).toMatch(
      /walk-forward efficiency (-?\d+\.\d\d|— \(in-sample return not positive\)) \(\d+ windows, OOS .*\/yr vs IS .*\/yr, \d+ cells\)/,
    );
    // ≤ 3 values per parameter around the best: at most 27 cells.
    const cells = Number(/(\d+) cells/.exec(wfe!)![1]);
    expect(cells).toBeGreaterThanOrEqual(8);
    expect(cells).toBeLessThanOrEqual(27);
    await app.screenshot('guided-search-3params');
    // Same seed, same sweep: the same best.
    await page.click('[data-testid="run-sweep"]');
    await page.waitForSelector('[data-sweep-ready="true"]', { timeout: 120_000 });
    expect(await page.getAttribute('[data-sweep-ready="true"]', 'data-best')).toBe(best1);
    await page
      .locator('[data-testid="parallel-coords"]')
      .screenshot({ path: join(__dirname, 'screenshots', 'guided-parallel-coords.png') });
  });

  it('lists the stored sweeps and reopens one after a reload, with its heatmap and parallel coordinates', async () => {
    const { page } = app;
    const best = await page.getAttribute('[data-sweep-ready="true"]', 'data-best');
    await page.reload();
    await page.waitForSelector('body[data-connected="true"]');
    await page.click('[data-view="optimize"]');
    await page.waitForSelector('[data-view-ready="optimize"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="saved-sweeps"] option').length >= 3);
    const ids = await page.$$eval('[data-testid="saved-sweeps"] option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value).filter(Boolean),
    );
    await page.selectOption('[data-testid="saved-sweeps"]', ids[0]);
    await page.waitForSelector('[data-sweep-ready="true"] [data-testid="sweep-heatmap"]');
    await page.waitForSelector('[data-testid="parallel-coords"]');
    expect(await page.getAttribute('[data-sweep-ready="true"]', 'data-best')).toBe(best);
  });
});
