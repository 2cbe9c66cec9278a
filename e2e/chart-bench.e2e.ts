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
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="chart-shows"]')?.textContent?.includes('adjusted prices'),
    );
    const daily = Number(await page.getAttribute('[data-chart-ready="true"]', 'data-bars'));
    await page.selectOption('[data-testid="timeframe"]', 'W');
    await page.waitForFunction(
      (d) => Number(document.querySelector('[data-chart-ready="true"]')?.getAttribute('data-bars')) < d / 4,
      daily,
    );
    expect(await page.textContent('[data-testid="chart-shows"]')).toMatch(
      /weekly bars \(aggregated\) · adjusted prices · indicators on the stored daily bars only/,
    );
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

  it('compares symbols on one pane rebased to 100 on a log scale (a log percent comparison), and it survives a reload', async () => {
    const { page } = app;
    await page.fill('[data-testid="compare-symbol"]', 'spx');
    await page.press('[data-testid="compare-symbol"]', 'Enter');
    // Log was left on by the first test: both series rebased to 100 at the first visible bar, on a log scale.
    await page.waitForSelector('[data-chart-ready="true"][data-compare="SPX"][data-scale="log-rebased"]');
    expect(await page.textContent('[data-testid="chart-shows"]')).toContain(
      'rebased to 100 at the first visible bar, log scale',
    );
    const at = await page.getAttribute('[data-chart-ready="true"]', 'data-rebased-at');
    expect(at).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(await page.textContent('[data-testid="chart-legend"]')).toContain(`rebased to 100 at ${at}`);
    await app.screenshot('chart-compare-log');
    // Scrolling back in time moves the base to the new first visible bar (as a percent comparison should).
    const pane = (await page.locator('[data-testid="price-chart"]').boundingBox())!;
    await page.mouse.move(pane.x + pane.width * 0.3, pane.y + pane.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(pane.x + pane.width * 0.7, pane.y + pane.height * 0.5, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction((before) => {
      const now = document.querySelector('[data-chart-ready="true"]')?.getAttribute('data-rebased-at');
      return !!now && now < before;
    }, at!);
    const later = (await page.getAttribute('[data-chart-ready="true"]', 'data-rebased-at'))!;
    expect(await page.textContent('[data-testid="chart-legend"]')).toContain(`rebased to 100 at ${later}`);
    await app.screenshot('chart-compare-log-scrolled');
    // Without log, the same rebased series on a linear scale.
    await page.uncheck('[data-testid="log-scale"]');
    await page.waitForSelector('[data-chart-ready="true"][data-compare="SPX"][data-scale="rebased"]');
    await page.check('[data-testid="log-scale"]');
    await page.reload();
    await page.waitForSelector('body[data-connected="true"]');
    await page.waitForSelector(
      '[data-view-ready="chart"] [data-chart-ready="true"][data-compare="SPX"][data-scale="log-rebased"]',
    );
    await app.screenshot('chart-compare-log-reloaded');
    await page.click('[aria-label="Stop comparing SPX"]');
    await page.waitForSelector('[data-chart-ready="true"][data-compare=""][data-scale="log"]');
  });

  it('draws a horizontal line, a trend line, a rectangle and a Fibonacci on a log-scale comparison chart; they survive a reload', async () => {
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
    await page.selectOption('[data-testid="draw-mode"]', 'rect');
    await at(0.4, 0.45);
    await at(0.6, 0.56);
    await page.waitForSelector('[data-chart-ready="true"][data-drawings="3"]');
    await page.selectOption('[data-testid="draw-mode"]', 'fib');
    await at(0.2, 0.7);
    await at(0.8, 0.25);
    await page.waitForSelector('[data-chart-ready="true"][data-drawings="4"]');
    expect(await page.locator('[data-testid="drawings-layer"] g[data-kind="rect"] rect').count()).toBe(1);
    await page.reload();
    await page.waitForSelector('body[data-connected="true"]');
    await page.waitForSelector(
      '[data-view-ready="chart"] [data-chart-ready="true"][data-drawings="4"][data-compare="SPX"][data-scale="log-rebased"]',
    );
    expect(await page.isChecked('[data-testid="log-scale"]')).toBe(true);
    // The rectangle is back where it was drawn: its box is about 20% × 11% of the chart. It is placed once the
    // reloaded series and its comparison have given the chart its final scales, so wait for that box (a rectangle
    // that never comes back to it fails here).
    const within = await page
      .waitForFunction(
        () => {
          const r = document.querySelector('g[data-kind="rect"] rect')?.getBoundingClientRect();
          const c = document.querySelector('[data-testid="price-chart"]')?.getBoundingClientRect();
          if (!r || !c || r.width === 0) return false;
          const w = r.width / c.width;
          const h = r.height / c.height;
          return w > 0.15 && w < 0.25 && h > 0.07 && h < 0.15;
        },
        undefined,
        { timeout: 10_000 },
      )
      .then(() => true)
      .catch(() => false);
    const rect = (await page.locator('g[data-kind="rect"] rect').boundingBox())!;
    expect(within, `rectangle box ${JSON.stringify(rect)} in chart ${JSON.stringify(box)}`).toBe(true);
    await app.screenshot('chart-compare-drawings-reloaded');
  });

  it('selects, moves, edits and deletes one drawing at a time', async () => {
    const { page } = app;
    const box = (await page.locator('[data-testid="price-chart"]').boundingBox())!;
    const stored = () =>
      page.evaluate(
        () =>
          JSON.parse(localStorage.getItem('quantdesk.chart.drawings') ?? '{}') as Record<
            string,
            { kind: string; price?: number; a?: { time: number; price: number }; b?: { time: number; price: number } }[]
          >,
      );
    const sym = (await page.getAttribute('[data-view-ready="chart"]', 'data-symbol'))!;
    const before = (await stored())[sym];
    expect(before.map((d) => d.kind)).toEqual(['hline', 'trend', 'rect', 'fib']);
    // Drag the horizontal line up (where nothing else is drawn): it is selected and its price rises.
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.25, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.2, { steps: 5 });
    await page.mouse.up();
    await page.waitForSelector('[data-chart-ready="true"][data-selected-drawing="0"]');
    const moved = (await stored())[sym];
    expect(moved[0].price!).toBeGreaterThan(before[0].price!);
    expect(moved.slice(1)).toEqual(before.slice(1));
    // Its price can be typed too.
    await page.fill('[data-testid="drawing-price"]', (moved[0].price! * 1.01).toFixed(2));
    await page.press('[data-testid="drawing-price"]', 'Enter');
    const typed = Number((moved[0].price! * 1.01).toFixed(2));
    await page.waitForFunction(
      ([k, p]) =>
        Math.abs(
          (JSON.parse(localStorage.getItem('quantdesk.chart.drawings')!) as Record<string, { price?: number }[]>)[
            k as string
          ][0].price! - (p as number),
        ) < 1e-9,
      [sym, typed],
    );
    // Choose the rectangle from the list; drag its second handle: one corner changes, the other stays.
    await page.selectOption('[data-testid="drawing-select"]', '2');
    const handle = (await page.locator('g[data-kind="rect"] circle[data-handle="b"]').boundingBox())!;
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle.x + 40, handle.y + 30, { steps: 5 });
    await page.mouse.up();
    const edited = (await stored())[sym];
    expect(edited[2].a).toEqual(before[2].a);
    expect(edited[2].b!.time).toBeGreaterThan(before[2].b!.time);
    expect(edited[2].b!.price).toBeLessThan(before[2].b!.price);
    await app.screenshot('chart-drawing-selected');
    // The arrows move the selected drawing (outside text fields): ↑ raises both corners by 0.5% of the first's price, → one bar later.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowRight');
    const nudged = (await stored())[sym][2];
    expect(nudged.a!.price).toBeCloseTo(edited[2].a!.price * 1.005, 6);
    expect(nudged.b!.price - edited[2].b!.price).toBeCloseTo(edited[2].a!.price * 0.005, 6);
    expect(nudged.a!.time).toBeGreaterThan(edited[2].a!.time);
    expect(nudged.a!.time - edited[2].a!.time).toBeLessThanOrEqual(4 * 86_400_000);
    // Delete removes only the selected drawing.
    await page.keyboard.press('Delete');
    await page.waitForSelector('[data-chart-ready="true"][data-drawings="3"]');
    expect((await stored())[sym].map((d) => d.kind)).toEqual(['hline', 'trend', 'fib']);
    await page.reload();
    await page.waitForSelector('body[data-connected="true"]');
    await page.waitForSelector('[data-view-ready="chart"] [data-chart-ready="true"][data-drawings="3"]');
  });

  it('draws Ichimoku as traders know it: the cloud between the displaced spans, the lagging span; pane titles', async () => {
    const { page } = app;
    await page.click('[data-testid="clear-drawings"]');
    await page.click('[aria-label="Stop comparing SPX"]');
    await page.uncheck('[data-testid="log-scale"]');
    await page.waitForSelector('[data-chart-ready="true"][data-compare=""][data-scale="linear"]');
    await page.click('[aria-label="Remove sma"]');
    for (const name of ['ichimoku', 'rsi']) {
      await page.click('[data-testid="indicator-menu"]');
      await page.click(`[data-indicator="${name}"]`);
      await page.click('[data-testid="add-indicator"]');
    }
    await page.waitForSelector('[data-chart-ready="true"][data-indicators="2"][data-cloud="true"]');
    // Five Ichimoku lines (tenkan, kijun, both spans 26 bars ahead, chikou 26 back) and RSI's line.
    expect(await page.getAttribute('[data-chart-ready="true"]', 'data-series')).toBe('6');
    expect(await page.getAttribute('[data-chart-ready="true"]', 'data-panes')).toBe('2');
    await page.waitForFunction(() => document.querySelector('[data-testid="pane-title"]')?.textContent === 'RSI(14)');
    const legend = await page.textContent('[data-testid="chart-legend"]');
    expect(legend).toContain('ICHIMOKU(9,26,52)');
    expect(legend).toMatch(/tenkan .*kijun .*A .*B .*chikou/);
    await app.screenshot('chart-ichimoku');
  });

  it('offers intraday timeframes when the store holds intraday bars, and aggregates them to hours and days', async () => {
    const { page } = app;
    // Three sessions of 5-minute bars (14:30-20:55 UTC, 78 a day) for a new symbol, imported as a bars CSV.
    const rows = ['symbol,date,open,high,low,close,volume'];
    let px = 50;
    for (const day of ['2024-03-04', '2024-03-05', '2024-03-06'])
      for (let k = 0; k < 78; k++) {
        const t = new Date(Date.parse(`${day}T14:30:00Z`) + k * 300_000).toISOString();
        const o = px;
        px = Math.round((px + Math.sin(k / 5) * 0.3) * 100) / 100;
        rows.push(`INTRA,${t},${o},${Math.max(o, px) + 0.1},${Math.min(o, px) - 0.1},${px},${1000 + k}`);
      }
    const r = await page.evaluate(
      (content) => window.api.invoke('data:import', { kind: 'bars', fileName: 'intra.csv', content }),
      rows.join('\n') + '\n',
    );
    expect(r.ok).toBe(true);
    await page.reload();
    await page.waitForSelector('[data-view-ready="chart"] [data-chart-ready="true"]');
    await page.click('[data-testid="symbol-button"]');
    await page.fill('[data-testid="symbol-palette"] input', 'INTRA');
    await page.waitForSelector('[data-testid="symbol-palette"] :text("INTRA")');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-view-ready="chart"][data-symbol="INTRA"] [data-chart-ready="true"]');
    const options = await page.$$eval('[data-testid="timeframe"] option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    expect(options).toEqual(['5m', '15m', '30m', '1h', '4h', 'D', 'W', 'M']);
    expect(await page.inputValue('[data-testid="timeframe"]')).toBe('D');
    // The remembered Daily aggregates the 5-minute bars into 3 UTC days; 1 hour into 7 hourly buckets a day (14:00-20:00).
    await page.waitForSelector('[data-chart-ready="true"][data-bars="3"]');
    await page.selectOption('[data-testid="timeframe"]', '1h');
    await page.waitForSelector('[data-chart-ready="true"][data-bars="21"]');
    expect(await page.textContent('[data-testid="chart-shows"]')).toContain('21 1 hour bars (aggregated)');
    await page.selectOption('[data-testid="timeframe"]', '5m');
    await page.waitForSelector('[data-chart-ready="true"][data-bars="234"]');
    expect(await page.textContent('[data-testid="chart-shows"]')).toMatch(/234 5 minutes bars · (raw|adjusted) prices/);
    expect(await page.textContent('[data-testid="chart-legend"]')).toContain('2024-03-06 20:55');
    await app.screenshot('chart-intraday-5m');
  });
});
