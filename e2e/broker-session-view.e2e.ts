import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAlpaca } from '../core/live/brokers/fake-alpaca';
import { startApp, type App } from './fixture';

let app: App;
let fake: FakeAlpaca;

beforeAll(async () => {
  fake = new FakeAlpaca();
  await fake.start();
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

describe('Live view with a broker connected', () => {
  it("shows the broker's PAPER account and positions, and the paper session's again after disconnect", async () => {
    const { page } = app;
    await page.waitForSelector('[data-testid="live-strategy"] option[value="sma-cross"]', { state: 'attached' });
    await page.selectOption('[data-testid="live-strategy"]', 'sma-cross');
    await page.fill('[data-testid="live-symbols"]', 'ABAG, ACB');
    await page.fill('input[title="0 = as fast as possible"]', '2');
    await page.click('[data-testid="live-start"]');
    await page.waitForSelector('[data-live-running="true"]');
    expect(await page.textContent('[data-testid="account-source"]')).toContain('paper session');
    // Held at the broker, not by the paper session: only the broker's view can show it.
    fake.setPosition('ZZBRK', 12, 40, 42.5);
    await page.selectOption('[data-testid="broker-select"]', 'alpaca');
    await page.click('[data-testid="broker-connect"]');
    await page.waitForSelector('[data-testid="account-selector"][data-account-connected="true"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="positions"]')?.textContent?.includes('ZZBRK'),
    );
    const row = await page.textContent('[data-testid="positions"]');
    expect(row).toMatch(/ZZBRK[^]*12/);
    const src = await page.textContent('[data-testid="account-source"]');
    expect(src).toContain('alpaca');
    expect(src).toContain('PA0000FAKE');
    expect(src).toContain('PAPER');
    expect(await page.textContent('[data-testid="account"]')).toContain('Buying power');
    await app.screenshot('broker-session-view');
    await page.click('[data-testid="broker-disconnect"]');
    await page.waitForSelector('[data-testid="account-selector"][data-account-connected="false"]');
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="account"]')?.textContent?.includes('Buying power'),
    );
    expect(await page.textContent('[data-testid="account-source"]')).toContain('paper session');
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="positions"]')?.textContent?.includes('ZZBRK'),
    );
  });
});
