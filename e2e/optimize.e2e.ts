import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from './fixture';

let app: App;

beforeAll(async () => {
  app = await startApp();
  await app.open();
  const { page } = app;
  // The sweep's base is the Backtest form: strategy, symbol, dates.
  await page.click('[data-view="backtest"]');
  await page.waitForSelector('[data-view-ready="backtest"]');
  await page.selectOption('[data-testid="strategy-select"]', 'sma-cross');
  await page.fill('[data-testid="bt-symbols"]', 'ABAG');
  await page.fill('input[name="start"]', '2018-01-02');
  await page.click('[data-view="optimize"]');
  await page.waitForSelector('[data-view-ready="optimize"]');
});
afterAll(() => app?.close());

describe('Optimize view', () => {
  it('explains a bad range inline', async () => {
    const { page } = app;
    await page.selectOption('[data-testid="axis0-param"]', 'fast');
    await page.fill('[data-testid="axis0-step"]', '0');
    await page.click('[data-testid="run-sweep"]');
    await page.waitForSelector('[data-field-error="axis0.step"]');
  });

  it('runs a two-parameter sweep on the pool: heatmap, sortable results, best opened as a backtest', async () => {
    const { page } = app;
    await page.selectOption('[data-testid="axis1-param"]', 'slow');
    for (const [k, v] of [
      ['axis0-from', '5'],
      ['axis0-to', '15'],
      ['axis0-step', '5'],
      ['axis1-from', '30'],
      ['axis1-to', '60'],
      ['axis1-step', '30'],
    ])
      await page.fill(`[data-testid="${k}"]`, v);
    await page.click('[data-testid="run-sweep"]');
    await page.waitForSelector('[data-sweep-ready="true"]', { timeout: 90_000 });
    expect(await page.locator('[data-testid="sweep-heatmap"] .cell').count()).toBe(6);
    expect(await page.locator('[data-testid="sweep-table"] tbody tr').count()).toBe(6);

    // Sorting by Sharpe ascending puts the best last.
    await page.click('[data-testid="sweep-table"] [data-sort-key="sharpe"]');
    await page.click('[data-testid="sweep-table"] [data-sort-key="sharpe"]');
    const sharpes = await page.$$eval('[data-testid="sweep-table"] tbody tr', (rows) =>
      rows.map((r) => Number(r.children[3].textContent)),
    );
    expect(sharpes).toEqual([...sharpes].sort((a, b) => a - b));

    const best = JSON.parse((await page.getAttribute('[data-sweep-ready="true"]', 'data-best')) ?? '{}') as Record<
      string,
      number
    >;
    expect(Object.keys(best).sort()).toEqual(['fast', 'slow']);
    await app.screenshot('optimize');
    await page.click('[data-testid="open-best"]');
    await page.waitForSelector('[data-view-ready="backtest"] [data-run-ready="true"]', { timeout: 60_000 });
    expect(await page.inputValue('#param-fast')).toBe(String(best.fast));
    expect(await page.inputValue('#param-slow')).toBe(String(best.slow));
  });

  it('shows progress with an ETA while a large sweep runs, and cancels it', async () => {
    const { page } = app;
    await page.click('[data-view="optimize"]');
    await page.waitForSelector('[data-view-ready="optimize"]');
    for (const [k, v] of [
      ['axis0-from', '2'],
      ['axis0-to', '60'],
      ['axis0-step', '1'],
      ['axis1-from', '20'],
      ['axis1-to', '400'],
      ['axis1-step', '1'],
    ])
      await page.fill(`[data-testid="${k}"]`, v);
    await page.click('[data-testid="run-sweep"]');
    await page.waitForSelector('[data-running="true"] [data-testid="progress"]');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="progress"]')?.getAttribute('data-progress')) > 0,
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.textContent('[data-testid="progress"]')).toMatch(/ETA \d/);
    await app.screenshot('optimize-progress');
    await page.click('[data-testid="cancel-sweep"]');
    await page.waitForSelector('[data-view-ready="optimize"][data-running="false"] [data-error-code="cancelled"]', {
      timeout: 60_000,
    });
    // The earlier sweep's heatmap and best are gone (issue 11): under the cancelled banner they passed for this sweep's.
    expect(await page.$('[data-sweep-ready="true"]')).toBeNull();
    expect(await page.textContent('[data-error-code="cancelled"]')).toMatch(
      /Sweep cancelled after [\d,]+ of 22,479 combinations: no result/,
    );
    await app.screenshot('optimize-cancelled');
  });

  it('plots every result of a 2–50 × 10–250 sweep in the heatmap, not the top 500, and says why combinations failed', async () => {
    const { page } = app;
    for (const [k, v] of [
      ['axis0-from', '2'],
      ['axis0-to', '50'],
      ['axis0-step', '1'],
      ['axis1-from', '10'],
      ['axis1-to', '250'],
      ['axis1-step', '4'],
    ])
      await page.fill(`[data-testid="${k}"]`, v);
    await page.click('[data-testid="run-sweep"]');
    await page.waitForSelector('[data-sweep-ready="true"]', { timeout: 120_000 });
    // 49 × 61 = 2,989 combinations; fast >= slow fails for 2,989 − ok.
    const heat = page.locator('[data-testid="sweep-heatmap"]');
    expect(await heat.getAttribute('data-cols')).toBe('49');
    expect(await heat.getAttribute('data-rows')).toBe('61');
    const failed = await page.textContent('[data-testid="sweep-failed"]');
    const nFailed = Number(failed!.replace(/,/g, '').match(/^(\d+) failed/)![1]);
    expect(failed).toMatch(/fast must be < slow/);
    expect(Number(await heat.getAttribute('data-filled'))).toBe(2989 - nFailed);
    expect(2989 - nFailed).toBeGreaterThan(500);
    expect(await page.textContent('[data-testid="heatmap-coverage"]')).toMatch(/every result/);
    // The table still pages the top 500.
    expect(await page.locator('[data-testid="sweep-table"] tbody tr').count()).toBe(500);
    await page.hover('[data-testid="sweep-heatmap"] canvas', { position: { x: 300, y: 60 } });
    await app.screenshot('optimize-full-heatmap');
    await page.click('[data-testid="sweep-failures"] summary');
    await page.locator('[data-testid="sweep-failures"]').scrollIntoViewIfNeeded();
    await app.screenshot('optimize-failures');
    for (const [k, v] of [
      ['axis0-from', '5'],
      ['axis0-to', '15'],
      ['axis0-step', '5'],
      ['axis1-from', '30'],
      ['axis1-to', '60'],
      ['axis1-step', '30'],
    ])
      await page.fill(`[data-testid="${k}"]`, v);
  });

  it('draws walk-forward in- vs out-of-sample and a Monte Carlo fan', async () => {
    const { page } = app;
    await page.click('[data-view="optimize"]');
    await page.waitForSelector('[data-view-ready="optimize"] [data-sweep-ready="true"]');
    await page.click('[data-testid="run-walkforward"]');
    await page.waitForSelector('[data-testid="walkforward-result"] [data-chart-ready="true"]', { timeout: 90_000 });
    expect(await page.locator('[data-testid="walkforward-result"] tbody tr').count()).toBeGreaterThan(2);
    // The panel says each window is warmed on the training bars before it.
    expect(await page.textContent('.panel:has([data-testid="run-walkforward"])')).toMatch(
      /warmed on the 504 bars before it/,
    );
    await page.locator('[data-testid="run-walkforward"]').scrollIntoViewIfNeeded();
    await app.screenshot('optimize-walkforward');
    // Monte Carlo names its run and lets the user choose it (issue 11): by default the one open in Backtest, shown as such.
    const chosen = await page.inputValue('[data-testid="montecarlo-run"]');
    expect(chosen).toMatch(/\S/);
    expect(await page.textContent(`[data-testid="montecarlo-run"] option[value="${chosen}"]`)).toMatch(
      /open in Backtest/,
    );
    await page.click('[data-testid="run-montecarlo"]');
    await page.waitForSelector('[data-testid="montecarlo-result"] [data-chart-ready="true"]', { timeout: 90_000 });
    expect(await page.textContent('[data-testid="montecarlo-result"]')).toMatch(/1,000 paths/);
    expect(await page.getAttribute('[data-testid="montecarlo-result"]', 'data-run-id')).toBe(chosen);
    expect(await page.textContent('[data-testid="montecarlo-of"]')).toContain(`run ${chosen}`);
    await page.locator('[data-testid="montecarlo-result"]').scrollIntoViewIfNeeded();
    await app.screenshot('optimize-robustness');
  });
});
