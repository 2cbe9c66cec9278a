import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from './fixture';

// Issue 17, keyboard: Tab reaches every visible control of every view, in document order, and nothing clickable
// is left out of the tab order (a div with a click handler must be a button or carry tabindex and a role).
let app: App;

beforeAll(async () => {
  app = await startApp({ viewport: { width: 1440, height: 900 } });
  await app.open();
  await app.page.waitForSelector('[data-view-ready="chart"] [data-chart-ready="true"]');
});
afterAll(() => app?.close());

/** Marks every visible, enabled control with `data-kb` (its position in document order) and returns a label for each. */
async function markControls(): Promise<{ labels: string[]; pointerOnly: string[]; positive: string[] }> {
  return app.page.evaluate(() => {
    const visible = (el: Element) => {
      if (el.closest('[inert],[aria-hidden="true"]')) return false;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return false;
      const cs = getComputedStyle(el);
      return cs.visibility !== 'hidden' && cs.display !== 'none';
    };
    const label = (el: Element) => {
      const h = el as HTMLElement;
      const name =
        h.getAttribute('aria-label') ??
        h.getAttribute('data-testid') ??
        h.getAttribute('name') ??
        h.getAttribute('placeholder') ??
        h.textContent?.trim().slice(0, 30) ??
        '';
      return `${el.tagName.toLowerCase()}${(el as HTMLInputElement).type ? `[${(el as HTMLInputElement).type}]` : ''} "${name}"`;
    };
    for (const el of Array.from(document.querySelectorAll('[data-kb]'))) el.removeAttribute('data-kb');
    const sel =
      'button, input:not([type="hidden"]), select, textarea, a[href], [tabindex], [contenteditable="true"], summary';
    const all = Array.from(document.querySelectorAll(sel)).filter((el) => {
      if ((el as HTMLButtonElement).disabled || !visible(el)) return false;
      const ti = el.getAttribute('tabindex');
      return ti === null || Number(ti) >= 0;
    });
    // Radio groups: Tab stops once per group (arrows move within it), at the checked one or else the first.
    const groups = new Set<string>();
    const controls = all.filter((el) => {
      const r = el as HTMLInputElement;
      if (r.type !== 'radio' || !r.name) return true;
      const key = `${r.form?.id ?? ''}/${r.name}`;
      const members = all.filter(
        (x) => (x as HTMLInputElement).type === 'radio' && (x as HTMLInputElement).name === r.name,
      );
      const stop = members.find((x) => (x as HTMLInputElement).checked) ?? members[0];
      if (el !== stop || groups.has(key)) return false;
      groups.add(key);
      return true;
    });
    // A CodeMirror editor is one stop (its content), not its inner scroller.
    const kept = controls.filter((el) => !(el.closest('.cm-editor') && !el.classList.contains('cm-content')));
    kept.forEach((el, i) => el.setAttribute('data-kb', String(i)));
    // Pointer-only: elements drawn as clickable (cursor: pointer) that are neither a control nor inside one.
    const pointerOnly = Array.from(document.querySelectorAll('body *'))
      .filter(
        (el) =>
          visible(el) &&
          getComputedStyle(el).cursor === 'pointer' &&
          !el.closest(sel) &&
          !el.closest('label') &&
          !(el.parentElement && getComputedStyle(el.parentElement).cursor === 'pointer'),
      )
      .map(label);
    const positive = Array.from(document.querySelectorAll('[tabindex]'))
      .filter((el) => Number(el.getAttribute('tabindex')) > 0)
      .map(label);
    return { labels: kept.map(label), pointerOnly, positive };
  });
}

/** Tabs from the top of the page until focus leaves the page or comes back round; the `data-kb` indices seen, in order. */
async function tabThrough(max: number): Promise<number[]> {
  const { page } = app;
  // Start from the top of the page: the next Tab goes to the first control (a click sets where Tab continues from).
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute('tabindex');
  });
  const seen: number[] = [];
  for (let k = 0; k < max; k++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const a = document.activeElement;
      if (!a || a === document.body) return { idx: -1, cm: false };
      const m = a.closest('[data-kb]');
      return { idx: m ? Number(m.getAttribute('data-kb')) : -2, cm: !!a.closest('.cm-editor') };
    });
    if (at.idx === -1) break;
    if (seen.length > 0 && at.idx === seen[0] && seen.length > 2) break;
    if (at.idx >= 0 && seen[seen.length - 1] !== at.idx) seen.push(at.idx);
    // CodeMirror keeps Tab for indentation only after Esc-less typing; Esc then Tab moves on (its documented escape hatch).
    if (at.cm) await page.keyboard.press('Escape');
  }
  return seen;
}

const VIEWS = ['chart', 'backtest', 'optimize', 'live', 'data', 'strategies', 'models', 'jobs'] as const;

describe('Keyboard: Tab reaches every control', () => {
  for (const view of VIEWS) {
    it(`${view}: every visible control takes focus, in document order; nothing clickable is pointer-only`, async () => {
      const { page } = app;
      await page.click(`[data-view="${view}"]`);
      await page.waitForSelector(`main.view[data-active-view="${view}"]`);
      await page.waitForTimeout(600);
      const { labels, pointerOnly, positive } = await markControls();
      expect(positive, 'tabindex > 0 breaks the document order').toEqual([]);
      expect(pointerOnly, 'clickable but not focusable').toEqual([]);
      const seen = await tabThrough(labels.length + 20);
      const missed = labels.filter((_, i) => !seen.includes(i));
      expect(missed, `not reached by Tab in ${view}`).toEqual([]);
      // Document order: each stop after the previous one.
      const backwards = seen.filter((v, i) => i > 0 && v < seen[i - 1]).map((v) => labels[v]);
      expect(backwards, 'focus went back up the page').toEqual([]);
      expect(labels.length).toBeGreaterThan(8);
    });
  }
});

describe('Keyboard: with results on screen', () => {
  async function audit(view: string) {
    const { labels, pointerOnly, positive } = await markControls();
    expect(positive).toEqual([]);
    expect(pointerOnly, `clickable but not focusable in ${view}`).toEqual([]);
    const seen = await tabThrough(labels.length + 20);
    expect(
      labels.filter((_, i) => !seen.includes(i)),
      `not reached by Tab in ${view}`,
    ).toEqual([]);
    expect(seen.filter((v, i) => i > 0 && v < seen[i - 1]).map((v) => labels[v])).toEqual([]);
    return labels;
  }

  it('backtest with a run (metrics, trade list, run history, analytics): every control takes focus', async () => {
    const { page } = app;
    await page.click('[data-view="backtest"]');
    await page.waitForSelector('[data-view-ready="backtest"]');
    await page.fill('[data-testid="bt-symbols"]', 'ABAG');
    await page.fill('input[name="start"]', '2022-01-03');
    await page.click('[data-testid="run-backtest"]');
    await page.waitForSelector('[data-run-ready="true"] [data-metric="sharpe"]', { timeout: 60_000 });
    await page.waitForTimeout(500);
    const labels = await audit('backtest');
    // The trade rows open on Enter as they do on a click.
    expect(labels.some((l) => l.startsWith('div'))).toBe(true);
  });

  it('optimize with a sweep (heatmap, results table): every control takes focus', async () => {
    const { page } = app;
    await page.click('[data-view="optimize"]');
    await page.waitForSelector('[data-view-ready="optimize"]');
    await page.selectOption('[data-testid="axis0-param"]', 'fast');
    await page.selectOption('[data-testid="axis1-param"]', 'slow');
    for (const [k, v] of [
      ['axis0-from', '5'],
      ['axis0-to', '15'],
      ['axis0-step', '5'],
      ['axis1-from', '30'],
      ['axis1-to', '60'],
      ['axis1-step', '30'],
    ])
      await page.fill(`[data-testid="${k}"]`, v);
    await page.click('[data-testid="run-sweep"]');
    await page.waitForSelector('[data-sweep-ready="true"]', { timeout: 60_000 });
    await audit('optimize');
    // The heatmap is one stop: arrows move its cursor cell, Enter opens that cell as a backtest.
    await page.focus('[data-testid="sweep-heatmap"] .heatmap');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    expect(await page.getAttribute('[data-testid="sweep-heatmap"] .heatmap', 'data-cursor')).toBe('10:60');
    await page.keyboard.press('Enter');
    await page.waitForSelector('main.view[data-active-view="backtest"]');
    await page.waitForFunction(
      () => (document.querySelector('#param-fast') as HTMLInputElement | null)?.value === '10',
    );
    expect(await page.inputValue('#param-slow')).toBe('60');
  });

  it('a trade row opens the chart with Enter; arrows move between rows; typing a digit in a field does not switch views', async () => {
    const { page } = app;
    await page.waitForSelector('[data-run-ready="true"] [data-testid="trade-list"] .vrow[data-index="0"]', {
      timeout: 60_000,
    });
    await page.focus('[data-testid="trade-list"] .vrow[data-index="0"]');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-index'))).toBe('1');
    await page.keyboard.press('Enter');
    await page.waitForSelector('main.view[data-active-view="chart"]');
    await page.click('[data-view="backtest"]');
    await page.fill('input[name="capital"]', '');
    await page.type('input[name="capital"]', '300000');
    expect(await page.getAttribute('main.view', 'data-active-view')).toBe('backtest');
  });
});
