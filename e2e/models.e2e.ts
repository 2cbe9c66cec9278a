import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from './fixture';

let app: App;

beforeAll(async () => {
  app = await startApp();
  await app.open();
  await app.page.keyboard.press('7');
  await app.page.waitForSelector('[data-testid="model-registry"]');
});
afterAll(() => app?.close());

const SPEC = {
  symbols: ['ABAG', 'ABPO', 'ACB', 'ACX', 'ADIU', 'AEB', 'AEVA', 'AFE', 'AGAC', 'AGK'],
  start: '2017-01-01',
  end: '2018-12-31',
  features: [
    { name: 'return', window: 5 },
    { name: 'rsi', period: 14 },
    { name: 'volatility', window: 20 },
    { name: 'pbr' },
  ],
  label: { kind: 'forward-return', horizon: 5 },
  model: { kind: 'gbdt', trees: 20, depth: 3, learningRate: 0.1, seed: 1 },
  walkForward: { train: 250, test: 63, embargo: 5, anchored: false },
};

describe('Models view', () => {
  it('trains a spec walk-forward, lists it with per-window metrics and importance, and explains one prediction', async () => {
    const { page } = app;
    const symbols = (await page.evaluate(async () => {
      const r = await window.api.invoke('data:instruments');
      return r.ok ? r.value.map((i: { symbol: string }) => i.symbol) : [];
    })) as string[];
    const spec = { ...SPEC, symbols: symbols.filter((s) => s !== 'SPX').slice(0, 10) };
    // The train form is generated from the spec schema; the JSON switch edits the same spec as text.
    await page.waitForSelector('[data-testid="spec-form"]');
    expect(await page.inputValue('input[aria-label="model.trees"]')).toBe('50');
    await page.selectOption('select[aria-label="model.kind"]', 'linear');
    expect(await page.inputValue('input[aria-label="model.lambda"]')).toBe('1');
    await page.selectOption('select[aria-label="model.kind"]', 'gbdt');
    await app.screenshot('models-form');
    await page.click('[data-testid="spec-mode"]');
    expect(JSON.parse(await page.inputValue('textarea[aria-label="model spec"]')).model.kind).toBe('gbdt');
    await page.fill('textarea[aria-label="model spec"]', JSON.stringify(spec, null, 2));
    await page.click('[data-testid="train"]');
    await page.waitForSelector('[data-testid="model-detail"]', { timeout: 120_000 });
    const rows = await page.$$('[data-testid="model-registry"] tbody tr');
    expect(rows.length).toBe(1);
    const windows = await page.$$('[data-testid="window-metrics"] > div');
    expect(windows.length).toBe(5); // 521 business days: test windows of 63 from day 250
    expect(await page.$$('[data-testid="importance"] > div')).toHaveLength(4);
    await page.fill('input[aria-label="symbol"]', spec.symbols[0]);
    await page.click('[data-testid="explain"]');
    await page.waitForSelector('[data-testid="explanation"]');
    const text = (await page.textContent('[data-testid="explanation"]')) ?? '';
    expect(text).toMatch(/prediction -?\d+\.\d{6} = base -?\d+\.\d{6}/);
    expect(await page.$$('[data-testid="contributions"] > div')).toHaveLength(4);
    await app.screenshot('models-view');
  });
});
