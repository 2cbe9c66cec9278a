import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startApp, type App } from './fixture';

// Issue 17: runs you can manage: name/tag/note, search, open in form, re-run, delete, compare four.
let app: App;

beforeAll(async () => {
  app = await startApp({ viewport: { width: 1600, height: 1300 } });
  await app.open();
  await app.page.keyboard.press('2');
  await app.page.waitForSelector('[data-view-ready="backtest"]');
});
afterAll(() => app?.close());

const rows = (page: App['page']) => page.locator('[data-testid="run-history"] tbody tr');

describe('Runs you can manage', () => {
  it('runs four sma-cross variants, names and tags one, and finds it by tag, symbol and params', async () => {
    const { page } = app;
    await page.selectOption('[data-testid="strategy-select"]', 'sma-cross');
    await page.fill('[data-testid="bt-symbols"]', 'ABAG');
    await page.fill('input[name="start"]', '2016-01-04');
    for (const [i, slow] of [40, 80, 120, 200].entries()) {
      await page.fill('#param-fast', '10');
      await page.fill('#param-slow', String(slow));
      if (i === 3) {
        await page.selectOption('select[name="stopLoss-kind"]', 'pct');
        await page.fill('input[name="stopLoss-value"]', '6');
      }
      await page.click('[data-testid="run-backtest"]');
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="run-history"] tbody tr').length >= n,
        i + 1,
        { timeout: 60_000 },
      );
      await page.waitForSelector('[data-run-ready="true"]');
    }
    // Newest first: row 1 is slow=200 with a stop.
    await rows(page).nth(0).locator('[data-testid="edit-label"]').click();
    await page.fill('[aria-label="Run name"]', 'slow 200 + stop');
    await page.fill('[aria-label="Run tags"]', 'candidate, stops');
    await page.fill('[aria-label="Run note"]', 'a 6% stop-loss on the slowest cross');
    await page.click('[data-testid="save-label"]');
    await page.waitForSelector('[data-testid="run-history"] tbody tr:first-child b');
    expect(await rows(page).nth(0).textContent()).toContain('slow 200 + stop');
    expect(await rows(page).nth(0).textContent()).toContain('candidate');
    await page.fill('[data-testid="run-search"]', 'tag:stops');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-history"] tbody tr').length === 1);
    await page.fill('[data-testid="run-search"]', 'slow=80');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-history"] tbody tr').length === 1);
    expect(await rows(page).nth(0).textContent()).toContain('slow=80');
    await page.fill('[data-testid="run-search"]', 'symbol:abag');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-history"] tbody tr').length === 4);
    await page.fill('[data-testid="run-search"]', '');
  });

  it('compares four runs: equity rebased to 100, best/worst marked the right way per metric', async () => {
    const { page } = app;
    for (let i = 0; i < 4; i++) await rows(page).nth(i).locator('[data-testid="compare"]').click();
    await page.waitForSelector('[data-testid="run-compare"][data-runs="4"]');
    // A fifth is not offered.
    const marks = await page.$$eval('[data-testid="compare-table"] tr[data-metric-row]', (trs) =>
      Object.fromEntries(
        trs.map((tr) => [
          tr.getAttribute('data-metric-row'),
          Array.from(tr.querySelectorAll('td.num')).map((td) => [
            td.getAttribute('data-mark') ?? '',
            Number((td.textContent ?? '').replace(/[%,\s]|bars/g, '')),
          ]),
        ]),
      ),
    );
    const best = (k: string) => (marks[k] as [string, number][]).find((m) => m[0] === 'best')?.[1];
    const values = (k: string) => (marks[k] as [string, number][]).map((m) => m[1]);
    expect(best('sharpe')).toBe(Math.max(...values('sharpe')));
    expect(best('volatility')).toBe(Math.min(...values('volatility')));
    // Max DD is shown as a negative percent: the best is the smallest in size.
    expect(Math.abs(best('maxDrawdown')!)).toBe(Math.min(...values('maxDrawdown').map(Math.abs)));
    expect((marks['trades'] as [string, number][]).every((m) => m[0] === '')).toBe(true);
    await page.check('[data-testid="compare-log"]');
    await page
      .locator('[data-testid="run-compare"]')
      .screenshot({ path: join(__dirname, 'screenshots', 'runs-compare-four.png') });
    await app.screenshot('runs-history');
  });

  it('opens a run in the form, re-runs it, and deletes a run with its payload', async () => {
    const { page } = app;
    await page.click('[data-testid="run-compare"] .btn-ghost:has-text("close")');
    // Row 3 (slow=80) into the form.
    await page.fill('#param-slow', '999');
    await rows(page).nth(2).locator('[data-testid="open-in-form"]').click();
    await page.waitForFunction(() => (document.querySelector('#param-slow') as HTMLInputElement).value === '80');
    expect(await page.inputValue('select[name="stopLoss-kind"]')).toBe('off');
    // Re-run the named one: a fifth run with the same spec.
    await rows(page).nth(0).locator('[data-testid="rerun"]').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="run-history"] tbody tr').length === 5,
      undefined,
      { timeout: 60_000 },
    );
    const specs = await page.evaluate(async () => {
      const list = await window.api.invoke('runs:list', { limit: 2 });
      if (!list.ok) return [];
      return Promise.all(
        list.value.map(
          async (r) =>
            ((await window.api.invoke('runs:get', { id: r.id })) as { ok: true; value: { spec: unknown } }).value.spec,
        ),
      );
    });
    expect(specs[0]).toEqual(specs[1]);
    // Delete the re-run.
    const id = await rows(page).nth(0).getAttribute('data-run-id');
    await rows(page).nth(0).locator('[data-testid="delete-run"]').click();
    await page.click('[data-testid="confirm"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-history"] tbody tr').length === 4);
    const gone = await page.evaluate(async (runId) => (await window.api.invoke('runs:get', { id: runId! })).ok, id);
    expect(gone).toBe(false);
  });
});
