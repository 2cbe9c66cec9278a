import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server';
import { TestClient } from './test-client';

// `data:init-default` over the WebSocket, on its own host: it writes the whole default dataset (500 symbols),
// which would change every other sample of server.test.ts.
let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-serve-dataset-'));
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>QuantDesk</title>');
  server = await startServer({ dbPath: join(dir, 'qd.db'), port: 0, staticDir: join(dir, 'static') });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("'data:init-default' over the WebSocket", () => {
  it('loads the default dataset into an empty store with progress, once', async () => {
    const c = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    try {
      c.send({ id: 'sub', type: 'subscribe', topic: 'data:init-progressed' });
      await c.reply('sub');
      const first = await c.call('data:init-default');
      expect(first.error).toBeUndefined();
      const report = first.value as { loaded: boolean; instruments: number; bars: number };
      expect(report.loaded).toBe(true);
      expect(report.instruments).toBeGreaterThanOrEqual(500);
      expect(c.events.some((e) => e.topic === 'data:init-progressed')).toBe(true);
      const info = (await c.call('app:info')).value as { instruments: number; bars: number };
      expect(info).toMatchObject({ instruments: report.instruments, bars: report.bars });
      // A second call changes nothing and says so.
      const again = (await c.call('data:init-default')).value as { loaded: boolean; bars: number };
      expect(again).toMatchObject({ loaded: false, bars: report.bars });
    } finally {
      await c.close();
    }
  }, 120_000);
});
