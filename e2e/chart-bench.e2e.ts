import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from './fixture';

// Issue 17 (charts, partly): log scale, raw/adjusted saying which is shown, weekly/monthly bars, go to date,
// Esc closes the indicator menu, indicators and chart settings survive a reload.
let app: App;

beforeAll(async () => {
  app = await startApp();
  await app.open();
  await app.page.waitForSelector('[data-view-ready="chart"] [data-chart-ready="true"]');
});
afterAll(() => app?.close());

describe('Chart settings that analysts expect', () => {
  it('log scale, adjusted prices and weekly bars, an indicator: all still there after a reload', async () => {
    const { page } = app;
    await page.click('[data-testid="indicator-menu"]');
    await page.waitForSelector('[data-testid="indicator-pop"]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="indicator-pop"]', { state: 'detached' });
    await page.click('[data-testid="indicator-menu"]');
    await page.click('[data-indicator="sma"]');
    await page.click('[data-testid="add-indicator"]');
    await page.waitForSelector('[data-chart-ready="true"][data-indicators="1"]');
    await page.check('[data-testid="log-scale"]');
    await page.waitForSelector('[data-chart-ready="true"][data-log-scale="true"]');
    await page.selectOption('[data-testid="price-adjustment"]', 'pit');
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-shows"]')?.textContent?.includes('adjusted prices'));
    const daily = Number(await page.getAttribute('[data-chart-ready="true"]', 'data-bars'));
    await page.selectOption('[data-testid="timeframe"]', 'W');
    await page.waitForFunction((d) => Number(document.querySelector('[data-chart-ready="true"]')?.getAttribute('data-bars')) < d / 4, daily);
    expect(await page.textContent('[data-testid="chart-shows"]')).toMatch(/weekly bars · adjusted prices · indicators on the daily chart only/);
    await app.screenshot('chart-log-weekly-adjusted');
    await page.reload();
    await page.waitForSelector('body[data-connected="true"]');
    await page.waitForSelector('[data-view-ready="chart"] [data-chart-ready="true"][data-log-scale="true"]');
    expect(await page.inputValue('[data-testid="timeframe"]')).toBe('W');
    expect(await page.inputValue('[data-testid="price-adjustment"]')).toBe('pit');
    await page.selectOption('[data-testid="timeframe"]', 'D');
    await page.waitForSelector('[data-chart-ready="true"][data-indicators="1"]');
    expect(await page.locator('[data-active-indicator="sma"]').count()).toBe(1);
  });

  it('goes to a date; the view shortcuts do not fire while typing it', async () => {
    const { page } = app;
    await page.fill('[data-testid="go-to-date"]', '2019-03-01');
    // Typing "2" in the field did not switch to the Backtest view.
    expect(await page.getAttribute('main.view', 'data-active-view')).toBe('chart');
    await page.press('[data-testid="go-to-date"]', 'Enter');
    await page.waitForSelector('[data-view-ready="chart"] [data-chart-ready="true"]');
    const legend = await page.textContent('[data-testid="chart-legend"]');
    expect(legend).toBeTruthy();
    await app.screenshot('chart-go-to-date');
  });

  it('compares symbols on one pane in percent, and the comparison survives a reload', async () => {
    const { page } = app;
    await page.fill('[data-testid="compare-symbol"]', 'spx');
    await page.press('[data-testid="compare-symbol"]', 'Enter');
    await page.waitForSelector('[data-chart-ready="true"][data-compare="SPX"][data-scale="percent"]');
    expect(await page.textContent('[data-testid="chart-shows"]')).toContain('percent from the first visible bar');
    await app.screenshot('chart-compare-percent');
    await page.reload();
    await page.waitForSelector('body[data-connected="true"]');
    await page.waitForSelector('[data-view-ready="chart"] [data-chart-ready="true"][data-compare="SPX"][data-scale="percent"]');
    await app.screenshot('chart-compare-percent-reloaded');
    await page.click('[aria-label="Stop comparing SPX"]');
    await page.waitForSelector('[data-chart-ready="true"][data-compare=""][data-scale="log"]');
  });

  it('draws a horizontal line, a trend line and a Fibonacci on a log-scale comparison chart; they survive a reload', async () => {
    const { page } = app;
    await page.fill('[data-testid="compare-symbol"]', 'SPX');
    await page.press('[data-testid="compare-symbol"]', 'Enter');
    await page.waitForSelector('[data-chart-ready="true"][data-compare="SPX"]');
    const box = (await page.locator('[data-testid="price-chart"]').boundingBox())!;
    // Clicks a second apart: lightweight-charts takes two quick clicks for a double click.
    const at = async (fx: number, fy: number) => {
      await page.waitForTimeout(700);
      await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
    };
    await page.selectOption('[data-testid="draw-mode"]', 'hline');
    await at(0.5, 0.3);
    await page.waitForSelector('[data-chart-ready="true"][data-drawings="1"]');
    await page.selectOption('[data-testid="draw-mode"]', 'trend');
    await at(0.3, 0.6);
    await page.waitForSelector('[data-testid="draw-hint"]:has-text("second point")');
    await at(0.7, 0.35);
    await page.waitForSelector('[data-chart-ready="true"][data-drawings="2"]');
    await page.selectOption('[data-testid="draw-mode"]', 'fib');
    await at(0.2, 0.7);
    await at(0.8, 0.25);
    await page.waitForSelector('[data-chart-ready="true"][data-drawings="3"]');
    await page.reload();
    await page.waitForSelector('body[data-connected="true"]');
    await page.waitForSelector('[data-view-ready="chart"] [data-chart-ready="true"][data-drawings="3"][data-compare="SPX"]');
    expect(await page.isChecked('[data-testid="log-scale"]')).toBe(true);
    await app.screenshot('chart-compare-drawings-reloaded');
  });
});
