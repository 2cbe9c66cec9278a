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

describe('Strategies view: TypeScript type errors', () => {
  it('underlines a misspelt indicator at its line with TypeScript message, and clears it once fixed', async () => {
    const { page } = app;
    await page.click('[data-template="single"]');
    const src = `import { defineStrategy, indicators } from 'quantdesk/sdk';\n\nexport default defineStrategy({\n  name: 'typo',\n  init: () => ({ f: indicators.smaa(10) }),\n  onBar: (s, bar) => (bar.close > 0 ? 1 : null),\n});\n`;
    await page.click('[data-testid="code-editor"] .cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(src);
    // the first check of a worker parses the declarations: seconds on a loaded machine
    await page.waitForSelector('[data-testid="type-error-count"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="type-error-count"]')).toContain('1 type error');
    await page.waitForSelector('.cm-lintRange-error');
    const marked = await page.$$eval('.cm-lintRange-error', (els) => els.map((e) => e.textContent ?? ''));
    expect(marked).toContain('smaa');
    // the squiggle is on line 5 (the gutter marks that line)
    const lineOfMark = await page.$eval('.cm-lintRange-error', (el) => {
      const lines = Array.from(document.querySelectorAll('.cm-content .cm-line'));
      return lines.findIndex((l) => l.contains(el)) + 1;
    });
    expect(lineOfMark).toBe(5);
    await page.hover('.cm-lintRange-error');
    await page.waitForSelector('.cm-tooltip-lint');
    expect(await page.textContent('.cm-tooltip-lint')).toMatch(
      /Property 'smaa' does not exist[\s\S]*Did you mean 'sma'/,
    );
    await app.screenshot('strategies-type-error');
    // fix it: the diagnostic goes away
    await page.click('[data-testid="code-editor"] .cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(src.replace('smaa', 'sma'));
    await page.waitForSelector('[data-testid="type-error-count"]', { state: 'detached', timeout: 60_000 });
    expect(await page.$('.cm-lintRange-error')).toBeNull();
  }, 120_000);
});
