import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from './fixture';

let app: App;

beforeAll(async () => {
  app = await startApp();
  await app.open();
});
afterAll(() => app?.close());

const SPEC = {
  start: '2017-01-01',
  end: '2018-12-31',
  features: [
    { name: 'return', window: 5 },
    { name: 'rsi', period: 14 },
    { name: 'volatility', window: 20 },
  ],
  label: { kind: 'forward-return', horizon: 5 },
  model: { kind: 'gbdt', trees: 20, depth: 3, learningRate: 0.1, seed: 1 },
  walkForward: { train: 250, test: 63, embargo: 5, anchored: false },
};

describe('Backtest view: a model strategy explains its trades', () => {
  it('runs model-signal top-k and shows each trade’s top contributions with their signs, in full under the pointer', async () => {
    const { page } = app;
    const trained = (await page.evaluate(async (base) => {
      const inst = await window.api.invoke('data:instruments');
      const symbols = inst.ok
        ? inst.value
            .map((i: { symbol: string }) => i.symbol)
            .filter((s: string) => s !== 'SPX')
            .slice(0, 8)
        : [];
      const r = await window.api.invoke('models:train', { spec: { ...base, symbols } as never });
      if (!r.ok) throw new Error(r.error.message);
      return { modelId: r.value.modelId, symbols };
    }, SPEC)) as { modelId: string; symbols: string[] };
    await page.keyboard.press('2');
    await page.waitForSelector('[data-view-ready="backtest"]');
    await page.selectOption('[data-testid="strategy-select"]', 'model-signal');
    await page.fill('[data-testid="bt-symbols"]', trained.symbols.join(', '));
    await page.fill('input[name="start"]', '2018-01-02');
    await page.fill('input[name="end"]', '2018-12-31');
    await page.fill('input[name="capital"]', '100000');
    await page.fill('#param-modelId', trained.modelId);
    await page.fill('#param-topK', '3');
    await page.fill('#param-nDrop', '1');
    await page.click('[data-testid="run-backtest"]');
    await page.waitForSelector('[data-run-ready="true"] [data-testid="trade-list"]', { timeout: 60_000 });
    const rows = Number(await page.getAttribute('[data-testid="trade-list"]', 'data-rows'));
    expect(rows).toBeGreaterThan(3);
    // The stored run carries one explanation per trade; the table shows each one's top three with signs.
    const stored = (await page.evaluate(async () => {
      const list = await window.api.invoke('runs:list', { limit: 1 });
      if (!list.ok) return null;
      const r = await window.api.invoke('runs:get', { id: list.value[0].id });
      if (!r.ok || !r.value.result) return null;
      const res = r.value.result;
      return { trades: res.trades.map((t) => t.symbol), why: res.tradeExplanations ?? [] };
    })) as { trades: string[]; why: ({ top: { feature: string; contribution: number }[] } | null)[] } | null;
    expect(stored!.why).toHaveLength(stored!.trades.length);
    expect(stored!.why.every((w) => w !== null && w.top.length === 3)).toBe(true);
    const header = await page.$$eval('[data-testid="trade-list"] .vhead > div', (d) => d.map((x) => x.textContent));
    expect(header).toContain('Why (model)');
    const first = await page.$eval('[data-testid="trade-list"] .vrow[data-index="0"] .why', (el) => ({
      parts: Array.from(el.children).map((c) => ({ text: c.textContent ?? '', neg: c.classList.contains('neg') })),
      title: el.getAttribute('title') ?? '',
    }));
    const w0 = stored!.why[0]!;
    expect(first.parts).toHaveLength(3);
    for (const [j, c] of w0.top.entries()) {
      expect(first.parts[j].text.endsWith(c.contribution >= 0 ? '+' : '−')).toBe(true);
      expect(first.parts[j].neg).toBe(c.contribution < 0);
    }
    expect(first.title).toMatch(/^prediction -?[\d.e-]+ = base /);
    expect(await page.textContent('[data-testid="trade-why"]')).toMatch(/Point at a trade/);
    await page.hover('[data-testid="trade-list"] .vrow[data-index="0"]');
    await page.waitForSelector('[data-testid="trade-why-contribution"]');
    const full = (await page.textContent('[data-testid="trade-why"]')) ?? '';
    expect(full).toContain(trained.modelId);
    for (const c of w0.top) expect(full).toContain(c.feature);
    expect(await page.$$('[data-testid="trade-why-contribution"]')).toHaveLength(3);
    await page.$eval('[data-testid="trade-list"]', (el) => el.scrollIntoView());
    await app.screenshot('backtest-model-trades');
  });
});
