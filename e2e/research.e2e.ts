import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, type App } from './fixture';

// Issue 17: the Backtest form covers the spec (exits, sizing, ...), spec files, the form draft, the factor rule builder.
let app: App;

beforeAll(async () => {
  app = await startApp({ viewport: { width: 1440, height: 1400 } });
  await app.open();
  await app.page.keyboard.press('2');
  await app.page.waitForSelector('[data-view-ready="backtest"]');
});
afterAll(() => app?.close());

async function storedSpec(page: App['page']) {
  return page.evaluate(async () => {
    const list = await window.api.invoke('runs:list', { limit: 1 });
    if (!list.ok) return null;
    const r = await window.api.invoke('runs:get', { id: list.value[0].id });
    return r.ok
      ? { spec: r.value.result?.spec as Record<string, unknown> | undefined, trades: r.value.result?.trades }
      : null;
  });
}

describe('Backtest form: the whole spec', () => {
  it('runs sma-cross with a stop-loss, an ATR take-profit and a trailing stop set in the form', async () => {
    const { page } = app;
    await page.selectOption('[data-testid="strategy-select"]', 'sma-cross');
    await page.fill('[data-testid="bt-symbols"]', 'ABAG');
    await page.fill('input[name="start"]', '2016-01-04');
    await page.fill('input[name="warmup"]', '30');
    await page.selectOption('select[name="sizingMethod"]', 'fixed-fraction');
    await page.fill('input[name="sizingFraction"]', '0.5');
    await page.selectOption('select[name="stopLoss-kind"]', 'pct');
    await page.fill('input[name="stopLoss-value"]', '4');
    await page.selectOption('select[name="takeProfit-kind"]', 'atr');
    await page.fill('input[name="takeProfit-value"]', '3');
    await page.fill('input[name="takeProfit-period"]', '14');
    await page.selectOption('select[name="trailingStop-kind"]', 'pct');
    await page.fill('input[name="trailingStop-value"]', '8');
    await page.check('input[name="closeAtEnd"]');
    await page.click('[data-testid="run-backtest"]');
    await page.waitForSelector('[data-run-ready="true"] [data-metric="sharpe"]', { timeout: 60_000 });
    const stored = await storedSpec(page);
    expect(stored?.spec).toMatchObject({
      warmup: 30,
      closeAtEnd: true,
      sizing: { method: 'fixed-fraction', fraction: 0.5 },
      exits: { stopLoss: { pct: 4 }, takeProfit: { atr: 3, period: 14 }, trailingStop: { pct: 8 } },
    });
    const reasons = new Set((stored?.trades ?? []).map((t) => t.exitReason));
    // The engine applied the form's exits: some trades left by a stop, not only by the strategy's signal.
    expect([...reasons].some((r) => r === 'stop-loss' || r === 'trailing-stop' || r === 'take-profit')).toBe(true);
    await page
      .locator('[data-testid="backtest-form"]')
      .screenshot({ path: join(__dirname, 'screenshots', 'research-form-stops.png') });
    await app.screenshot('research-form-stops-page');
  });

  it('saves the form as a spec file and opens it again (button and drop), with errors naming file and line', async () => {
    const { page } = app;
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="save-spec"]')]);
    expect(dl.suggestedFilename()).toBe('sma-cross.spec.json');
    const path = join(app.dir, 'saved.spec.json');
    await dl.saveAs(path);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(saved).toMatchObject({
      strategy: 'sma-cross',
      symbols: ['ABAG'],
      warmup: 30,
      exits: { trailingStop: { pct: 8 } },
    });
    // Change the form, then open the file: everything comes back.
    await page.fill('[data-testid="bt-symbols"]', 'ZZZ');
    await page.selectOption('select[name="stopLoss-kind"]', 'off');
    await page.setInputFiles('[data-testid="spec-file-input"]', path);
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="bt-symbols"]') as HTMLInputElement).value === 'ABAG',
    );
    expect(await page.inputValue('input[name="stopLoss-value"]')).toBe('4');
    expect(await page.inputValue('input[name="takeProfit-period"]')).toBe('14');
    expect(await page.inputValue('input[name="sizingFraction"]')).toBe('0.5');
    // Dropped on the window (from another view): the Backtest form opens with it.
    const other = { ...saved, symbols: ['ABAG', 'SPX'], exits: { stopLoss: { atr: 2, period: 10 } } };
    await page.keyboard.press('1');
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
      window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, cancelable: true }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, cancelable: true }));
    }, JSON.stringify(other));
    await page.waitForSelector('[data-view-ready="backtest"]');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="bt-symbols"]') as HTMLInputElement)?.value === 'ABAG, SPX',
    );
    expect(await page.inputValue('select[name="stopLoss-kind"]')).toBe('atr');
    expect(await page.inputValue('select[name="trailingStop-kind"]')).toBe('off');
    // A broken file: the banner names the file and the line.
    const bad = join(app.dir, 'broken.json');
    writeFileSync(bad, '{\n  "strategy": "sma-cross",\n  "symbols": [ABAG]\n}\n');
    await page.setInputFiles('[data-testid="spec-file-input"]', bad);
    await page.waitForSelector('.error-banner, [role="alert"]');
    const banner = await page.textContent('.error-banner, [role="alert"]');
    expect(banner).toContain('broken.json, line 3: not valid JSON');
    await app.screenshot('research-spec-file-error');
    expect(await page.inputValue('[data-testid="bt-symbols"]')).toBe('ABAG, SPX');
  });

  it('remembers the last form across a reload', async () => {
    const { page } = app;
    await page.fill('input[name="capital"]', '250000');
    await page.reload();
    await page.waitForSelector('body[data-connected="true"]');
    await page.keyboard.press('2');
    await page.waitForSelector('[data-view-ready="backtest"]');
    await page.waitForFunction(
      () => (document.querySelector('input[name="capital"]') as HTMLInputElement)?.value === '250000',
    );
    expect(await page.inputValue('[data-testid="bt-symbols"]')).toBe('ABAG, SPX');
    expect(await page.inputValue('input[name="stopLoss-value"]')).toBe('2');
  });

  it('builds factor-rank filters and ranks from rows instead of JSON', async () => {
    const { page } = app;
    await page.selectOption('[data-testid="strategy-select"]', 'factor-rank');
    await page.waitForSelector('[data-testid="rules-filters"]');
    await page.click('[data-testid="add-filters"]');
    await page.selectOption('[aria-label="Filters 1 factor"]', 'market-cap');
    await page.selectOption('[aria-label="Filters 1 side"]', 'bottom');
    await page.fill('[aria-label="Filters 1 value"]', '0.3');
    await page.selectOption('[aria-label="Rank 1 factor"]', 'pbr');
    await page.selectOption('[aria-label="Rank 1 side"]', 'ascending');
    await page.click('[data-testid="add-rank"]');
    await page.selectOption('[aria-label="Rank 2 factor"]', 'momentum-12-1');
    await page.selectOption('[aria-label="Rank 2 side"]', 'descending');
    await page.fill('[aria-label="Rank 2 weight"]', '0.5');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="save-spec"]')]);
    const spec = JSON.parse(readFileSync(await dl.path(), 'utf8'));
    expect(spec.params.filters).toEqual([{ factor: 'market-cap', bottom: 0.3 }]);
    expect(spec.params.rank).toEqual([
      { factor: 'pbr', order: 'ascending', weight: 1 },
      { factor: 'momentum-12-1', order: 'descending', weight: 0.5 },
    ]);
    await page
      .locator('[data-testid="backtest-form"]')
      .screenshot({ path: join(__dirname, 'screenshots', 'research-factor-rules.png') });
  });

  it('shows portfolio analytics: rolling stats, TE, holdings, sectors, turnover, MAE/MFE, distributions; exports equity CSV', async () => {
    const { page } = app;
    await page.selectOption('[data-testid="strategy-select"]', 'sma-cross');
    await page.fill('[data-testid="bt-symbols"]', 'ABAG');
    await page.fill('input[name="benchmark"]', 'SPX');
    await page.fill('input[name="start"]', '2016-01-04');
    await page.click('[data-testid="run-backtest"]');
    await page.waitForSelector('[data-testid="analytics"][data-ready="true"]', { timeout: 60_000 });
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="mae-mfe"]')?.getAttribute('data-count')) > 0,
    );
    const trades = Number(await page.getAttribute('[data-metric="trades"]', 'data-value'));
    expect(Number(await page.getAttribute('[data-testid="returns-hist"]', 'data-count'))).toBe(trades);
    expect(Number(await page.getAttribute('[data-testid="mae-mfe"]', 'data-count'))).toBe(trades);
    const te = Number(await page.getAttribute('[data-testid="tracking-error"]', 'data-value'));
    expect(te).toBeGreaterThan(0);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-equity-csv"]')]);
    const csv = readFileSync(await dl.path(), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('date,equity,drawdown,benchmark');
    expect(csv[1].startsWith('2016-01-04,')).toBe(true);
    await page
      .locator('[data-testid="analytics"]')
      .screenshot({ path: join(__dirname, 'screenshots', 'research-analytics.png') });
  });
});
