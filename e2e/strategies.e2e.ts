import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from './fixture';

let app: App;

beforeAll(async () => {
  app = await startApp();
  await app.open();
  await app.page.keyboard.press('6');
  await app.page.waitForSelector('[data-view-ready="strategies"]');
});
afterAll(() => app?.close());

/** Replaces the editor's whole text (CodeMirror: select all, then type over it). */
async function typeSource(text: string): Promise<void> {
  const { page } = app;
  await page.click('[data-testid="code-editor"] .cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.evaluate((t) => navigator.clipboard?.writeText?.(t).catch(() => undefined), text).catch(() => undefined);
  await page.keyboard.insertText(text);
}

describe('Strategies view', () => {
  it('shows a compile error at its line, in the gutter and the problem list', async () => {
    const { page } = app;
    await typeSource(
      `import fs from 'fs';\nimport { defineStrategy } from 'quantdesk/sdk';\nexport default defineStrategy({ init: () => ({}), onBar: () => null });\n`,
    );
    await page.waitForSelector('[data-testid="problems"] li');
    expect(await page.textContent('[data-testid="problems"] li')).toBe(
      '1:16: cannot import "fs": a strategy may import only quantdesk/sdk',
    );
    await page.waitForSelector('.cm-lint-marker-error');
    await app.screenshot('strategies-error');
  });

  it('offers SDK completions after indicators.', async () => {
    const { page } = app;
    await page.click('[data-template="single"]');
    await page.click('[data-testid="code-editor"] .cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('\nindicators.');
    await page.keyboard.press('Control+Space');
    await page.waitForSelector('.cm-tooltip-autocomplete');
    const labels = await page.$$eval('.cm-tooltip-autocomplete li', (els) => els.map((e) => e.textContent ?? ''));
    expect(labels.some((l) => l.startsWith('sma'))).toBe(true);
    expect(labels.some((l) => l.startsWith('ichimoku'))).toBe(true);
    await app.screenshot('strategies-completion');
    await page.keyboard.press('Escape');
  });

  it('saves a template, keeps versions with a diff, and backtests it in the Backtest view', async () => {
    const { page } = app;
    await page.click('[data-template="single"]');
    await page.click('[data-testid="save-strategy"]');
    await page.waitForSelector('[data-user-strategy="my-sma-cross"]');
    expect(await page.textContent('[data-testid="editor-status"]')).toContain('saved my-sma-cross v1');
    // edit and save again: version 2, and a diff against version 1
    await page.click('[data-testid="code-editor"] .cm-content');
    await page.keyboard.press('Control+Home');
    await page.keyboard.insertText('// tuned\n');
    await page.click('[data-testid="save-strategy"]');
    await page.waitForSelector('[data-version="2"]');
    await page.click('[data-version="1"]');
    await page.waitForSelector('[data-testid="version-diff"] .diff-add');
    expect(await page.textContent('[data-testid="version-diff"] .diff-add')).toContain('// tuned');
    await app.screenshot('strategies-history');
    await page.click('[data-testid="backtest-strategy"]');
    await page.waitForSelector('[data-view-ready="backtest"]');
    await page.waitForSelector('[data-run-ready="true"] [data-metric="sharpe"]', { timeout: 60_000 });
    expect(await page.inputValue('[data-testid="strategy-select"]')).toBe('my-sma-cross');
    await app.screenshot('strategies-backtest');
  });
});
