import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../store/journal';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { AlertCenter } from './alerts';
import { OutboxDispatcher } from './outbox';
import { connection } from '../store/internal';

/** A loopback HTTP server; `answer` decides each request's fate (return nothing to leave it hanging). */
async function server(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const bodies: string[] = [];
  const open = new Set<ServerResponse>();
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      open.add(res);
      res.on('close', () => open.delete(res));
      answer(req, res);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;
  return {
    url,
    bodies,
    close: () => {
      for (const r of open) r.destroy();
      s.closeAllConnections();
      return new Promise<void>((r) => s.close(() => r()));
    },
  };
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

function journalWith(n: number, urls: string[]): { store: Store; journal: Journal } {
  const store = openStore(':memory:');
  closers.push(() => store.close());
  const journal = new Journal(connection(store));
  const center = new AlertCenter({
    session: 's',
    journal,
    webhooks: urls.map((url) => ({ kind: 'json' as const, url })),
  });
  for (let i = 0; i < n; i++)
    center.raise({
      kind: 'volume-spike',
      severity: 'warning',
      symbol: `S${i}`,
      message: `spike ${i}`,
      time: 1_000 + i,
    });
  return { store, journal };
}

describe('the outbox under a hanging endpoint', () => {
  it('delivers every alert to the healthy endpoint at once while the other hangs (one lane per endpoint)', async () => {
    const hanging = await server(() => undefined);
    const healthy = await server((_q, res) => res.end('ok'));
    closers.push(hanging.close, healthy.close);
    const { journal } = journalWith(100, [hanging.url, healthy.url]);
    const d = new OutboxDispatcher({ journal, timeoutMs: 30_000 });
    closers.push(() => d.stop());
    const t0 = performance.now();
    d.start(20);
    // Delivered means received and acknowledged: the endpoint records a body when the request arrives, the outbox
    // marks the row done when the response does (the last one can be between the two).
    while ((healthy.bodies.length < 100 || d.state().pending !== 100) && performance.now() - t0 < 5_000)
      await new Promise((r) => setTimeout(r, 10));
    // Serial delivery with a 30 s timeout would have delivered none of them in 5 s.
    expect(healthy.bodies.length).toBe(100);
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(hanging.bodies.length).toBe(1); // one request in flight at a time to the hanging endpoint
    expect(d.state()).toMatchObject({ pending: 100, dead: 0 });
  });

  it('retries with backoff up to maxAttempts, then keeps the row as a dead letter (host only, no token), never retried on its own', async () => {
    const failing = await server((_q, res) => {
      res.statusCode = 503;
      res.end();
    });
    closers.push(failing.close);
    const { journal } = journalWith(1, [`${failing.url}?token=s3cret`]);
    let now = 10_000;
    const d = new OutboxDispatcher({ journal, now: () => now, baseDelayMs: 1_000, maxAttempts: 3 });
    expect(await d.deliverDue()).toEqual({ delivered: 0, failed: 1, dead: 0 });
    expect(await d.deliverDue()).toEqual({ delivered: 0, failed: 0, dead: 0 }); // backing off
    now += 1_000;
    expect(await d.deliverDue()).toEqual({ delivered: 0, failed: 1, dead: 0 });
    now += 2_000;
    expect(await d.deliverDue()).toEqual({ delivered: 0, failed: 0, dead: 1 });
    now += 1_000_000;
    expect(await d.deliverDue()).toEqual({ delivered: 0, failed: 0, dead: 0 });
    expect(failing.bodies.length).toBe(3);
    const st = d.state();
    expect(st).toMatchObject({ pending: 0, dead: 1 });
    expect(st.deadLetters).toEqual([
      {
        alertId: expect.any(String),
        endpoint: new URL(failing.url).host,
        attempts: 3,
        lastError: 'HTTP 503 (attempt 3 of 3)',
        deadAt: 13_000,
      },
    ]);
    expect(JSON.stringify(st)).not.toContain('s3cret');
    expect(journal.pendingOutbox()).toHaveLength(0);
    // Requeued by hand (quantdesk outbox drain --retry-dead), it gets a fresh budget.
    expect(journal.requeueDead(now)).toBe(1);
    expect(d.state()).toMatchObject({ pending: 1, dead: 0 });
  });

  it('drain delivers what it can within its time limit and reports what waits', async () => {
    const hanging = await server(() => undefined);
    const healthy = await server((_q, res) => res.end('ok'));
    closers.push(hanging.close, healthy.close);
    const { journal } = journalWith(20, [hanging.url, healthy.url]);
    const d = new OutboxDispatcher({ journal, timeoutMs: 60_000 });
    const t0 = performance.now();
    const r = await d.drain(500);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(r).toMatchObject({ delivered: 20, pending: 20, dead: 0 });
    expect(healthy.bodies.length).toBe(20);
  });
});
