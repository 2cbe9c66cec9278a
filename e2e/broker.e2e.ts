import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAlpaca } from '../core/live/brokers/fake-alpaca';
import { startApp, type App } from './fixture';

let app: App;
let fake: FakeAlpaca;

beforeAll(async () => {
  fake = new FakeAlpaca();
  await fake.start();
  // serve inherits this environment: keys and endpoint as Alpaca's own tools read them (a loopback fake).
  process.env.APCA_API_KEY_ID = 'test-key';
  process.env.APCA_API_SECRET_KEY = 'test-secret';
  process.env.APCA_API_BASE_URL = fake.url;
  app = await startApp();
  await app.open();
  await app.page.click('[data-view="live"]');
  await app.page.waitForSelector('[data-view-ready="live"]');
});
afterAll(async () => {
  await app?.close();
  await fake?.stop();
});

describe('Live view account selector', () => {
  it('shows PAPER by default, refuses real money until the phrase is typed, then shows LIVE and the account', async () => {
    const { page } = app;
    await page.waitForSelector('[data-testid="account-selector"][data-account-mode="paper"]');
    expect(await page.textContent('[data-testid="account-banner"]')).toContain('PAPER');
    await page.waitForSelector('[data-testid="live-strategy"] option[value="sma-cross"]', { state: 'attached' });
    await page.selectOption('[data-testid="live-strategy"]', 'sma-cross');
    await page.fill('[data-testid="live-symbols"]', 'ABAG, ACB');
    await page.fill('input[title="0 = as fast as possible"]', '2');
    await page.click('[data-testid="live-start"]');
    await page.waitForSelector('[data-live-running="true"]');
    await app.screenshot('broker-paper');
    await page.selectOption('[data-testid="broker-select"]', 'alpaca');
    await page.check('[data-testid="broker-live"]');
    await page.click('[data-testid="broker-connect"]');
    await page.waitForSelector('[data-testid="arm-step"]');
    expect(await page.textContent('[data-testid="arm-step"]')).toContain('LIVE PA0000FAKE');
    expect(await page.isDisabled('[data-testid="arm-confirm"]')).toBe(true);
    await page.fill('[data-testid="arm-input"]', 'LIVE PA0000FAKE');
    await app.screenshot('broker-arming');
    await page.click('[data-testid="arm-confirm"]');
    await page.waitForSelector(
      '[data-testid="account-selector"][data-account-mode="live"][data-account-connected="true"]',
    );
    const banner = await page.textContent('[data-testid="account-banner"]');
    expect(banner).toContain('LIVE — REAL MONEY');
    expect(banner).toContain('alpaca account PA0000FAKE');
    // Keys never reach the page.
    expect(await page.content()).not.toContain('test-secret');
    await app.screenshot('broker-live');
    // A position changed at the broker behind the session's back: the next connect reconciles and shows
    // journal and broker side by side (the journal is not overwritten).
    fake.setPosition('ZZZ', 7, 10);
    await page.click('[data-testid="broker-disconnect"]');
    await page.waitForSelector('[data-testid="account-selector"][data-account-connected="false"]');
    await page.click('[data-testid="broker-connect"]');
    await page.fill('[data-testid="arm-input"]', 'LIVE PA0000FAKE');
    await page.click('[data-testid="arm-confirm"]');
    await page.waitForSelector('[data-testid="reconcile-table"]');
    await page.waitForSelector('[data-testid="reconcile-table"][data-reconcile-ok="false"]');
    const row = await page.textContent('[data-testid="reconcile-table"] tbody tr.bad');
    expect(row).toContain('position ZZZ');
    expect(row).toContain('7');
    expect(await page.textContent('[data-testid="reconcile-state"]')).toContain('1 mismatch');
    await app.screenshot('broker-reconcile');
  });
});
