import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from './fixture';

let app: App;

beforeAll(async () => {
  app = await startApp();
  await app.open();
});
afterAll(() => app?.close());

describe('Chart view', () => {
  it('loads candles for the first symbol, finds another with Ctrl+K and the keyboard', async () => {
    const { page } = app;
    await page.waitForSelector('[data-view-ready="chart"] [data-chart-ready="true"]');
    const first = await page.getAttribute('[data-view-ready="chart"]', 'data-symbol');
    expect(first).toMatch(/^[A-Z]+$/);
    expect(Number(await page.getAttribute('[data-chart-ready="true"]', 'data-bars'))).toBeGreaterThan(1000);

    await page.keyboard.press('Control+k');
    await page.fill('[data-testid="symbol-palette"] input', 'SPX');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-view-ready="chart"][data-symbol="SPX"] [data-chart-ready="true"]');
    expect(await page.textContent('[data-testid="chart-legend"]')).toContain('SPX');
  });

  it('adds an SMA overlay and an RSI pane from the menu with parameters, and shows their values in the legend', async () => {
    const { page } = app;
    await page.click('[data-testid="indicator-menu"]');
    await page.click('[data-indicator="sma"]');
    await page.fill('#ind-period', '50');
    await page.click('[data-testid="add-indicator"]');
    await page.waitForSelector('[data-chart-ready="true"][data-indicators="1"]');

    await page.click('[data-testid="indicator-menu"]');
    await page.click('[data-indicator="rsi"]');
    // Invalid input is explained inline and blocks Add.
    await page.fill('#ind-period', '1');
    await page.waitForSelector('[data-field-error="period"]');
    expect(await page.isDisabled('[data-testid="add-indicator"]')).toBe(true);
    await page.fill('#ind-period', '14');
    await page.click('[data-testid="add-indicator"]');
    await page.waitForSelector('[data-chart-ready="true"][data-indicators="2"]');

    const legend = await page.textContent('[data-testid="chart-legend"]');
    expect(legend).toContain('SMA(50)');
    expect(legend).toMatch(/RSI\(14\)\s*\d+\.\d\d/);
    await page.mouse.move(700, 400);
    await app.screenshot('chart');
  });

  it('switches views with the number keys and back', async () => {
    const { page } = app;
    await page.keyboard.press('5');
    await page.waitForSelector('[data-view-ready="data"]');
    await page.keyboard.press('1');
    await page.waitForSelector('[data-view-ready="chart"] [data-chart-ready="true"]');
  });
});
