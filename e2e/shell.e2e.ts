import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from './fixture';

let app: App;

beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.close());

describe('the app shell over quantdesk serve', () => {
  it('refuses the page without the token (401)', async () => {
    const res = await app.page.goto(`${app.origin}/`);
    expect(res?.status()).toBe(401);
    expect(await app.page.content()).not.toContain('id="root"');
  });

  it('opens with the token, connects, and reaches core through window.api', async () => {
    await app.open();
    expect(await app.page.getAttribute('body', 'data-connected')).toBe('true');
    // The token leaves the address bar (and the history) once the page has its cookie.
    expect(new URL(app.page.url()).searchParams.has('token')).toBe(false);
    const info = await app.page.evaluate(() => window.api.invoke('app:info'));
    expect(info.ok).toBe(true);
    if (info.ok) {
      expect(info.value.host).toBe('serve');
      expect(info.value.instruments).toBeGreaterThanOrEqual(500);
    }
    // Invalid input is refused at the boundary, in the browser as over IPC.
    const bad = await app.page.evaluate(() => window.api.invoke('app:info', { injected: 1 } as never));
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    await app.screenshot('shell-connected');
  });

  it('keeps working from the cookie after the token leaves the address bar (reload, new load)', async () => {
    await app.page.reload();
    await app.page.waitForSelector('body[data-connected="true"]');
    const res = await app.page.goto(`${app.origin}/`);
    expect(res?.status()).toBe(200);
    await app.page.waitForSelector('body[data-connected="true"]');
  });

  it('serves the strict CSP on the page', async () => {
    const res = await app.page.goto(app.url);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
