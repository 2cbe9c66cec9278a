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
  walkForward: { train: 250, test: 63, embargo: 5, anchored: false },
};

describe('Live view: a model signal with its explanation, champion vs challenger', () => {
  it('runs model-signal on the replay feed with a canary challenger; alerts carry the top contributions and the panel compares both versions', async () => {
    const { page } = app;
    const result = (await page.evaluate(async (base) => {
      const inst = await window.api.invoke('data:instruments');
      const symbols = inst.ok
        ? inst.value
            .map((i: { symbol: string }) => i.symbol)
            .filter((s: string) => s !== 'SPX')
            .slice(0, 8)
        : [];
      const train = async (model: object) => {
        const r = await window.api.invoke('models:train', { spec: { ...base, symbols, model } as never });
        if (!r.ok) throw new Error(r.error.message);
        return r.value.modelId;
      };
      const champion = await train({ kind: 'gbdt', trees: 20, depth: 3, learningRate: 0.1, seed: 1 });
      const challenger = await train({ kind: 'linear' });
      const spec = {
        strategy: 'model-signal',
        symbols,
        start: '2018-01-01',
        end: '2018-12-31',
        capital: 100_000,
        params: {
          modelId: champion,
          mode: 'threshold',
          short: true,
          // The challenger on its own threshold (the champion's short).
          challenger: { modelId: challenger, mode: 'canary', fraction: 0.2, threshold: 0.001 },
        },
      };
      const started = await window.api.invoke('live:start', { spec, feed: 'replay', speed: 0, session: 'model duel' });
      return { champion, challenger, started: started.ok ? 'ok' : started.error.message };
    }, SPEC)) as { champion: string; challenger: string; started: string };
    expect(result.started).toBe('ok');
    await page.keyboard.press('4');
    await page.waitForSelector('[data-testid="champion-challenger"]', { timeout: 60_000 });
    const panel = (await page.textContent('[data-testid="champion-challenger"]')) ?? '';
    expect(panel).toContain('canary trades 20% of capital');
    expect(panel).toContain(result.champion.slice(0, 10));
    expect(panel).toContain(result.challenger.slice(0, 10));
    expect(panel).toContain('threshold 0 · short');
    expect(panel).toContain('threshold 0.001 · short');
    await page.waitForFunction(() => /prediction .*: .* [+−]/.test(document.body.textContent ?? ''), undefined, {
      timeout: 30_000,
    });
    // The session ran before the view opened: the view draws what it missed from the host's history, and the
    // toolbar names the session's own strategy and symbols (not the form's default strategy).
    expect(await page.textContent('[data-testid="live-running-spec"]')).toMatch(/^model-signal on 8 symbols/);
    await page.waitForFunction(() => !/No equity reported/.test(document.body.textContent ?? ''), undefined, {
      timeout: 10_000,
    });
    expect(await page.locator('[data-testid="watchlist"] tbody tr').count()).toBeGreaterThan(0);
    // The tick count is the session's, not the page's own (0: the replay had pushed its batches before the view opened).
    expect(Number(await page.getAttribute('[data-testid="live-ticks"]', 'data-ticks'))).toBeGreaterThan(0);
    await app.screenshot('live-model-duel');
  });
});
