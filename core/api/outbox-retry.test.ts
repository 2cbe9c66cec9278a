import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxStatus } from '../contract';
import { AlertCenter } from '../live/alerts';
import { LiveService } from '../live/service';
import { Journal } from '../store/journal';
import { openStore } from '../store/sqlite-bar-store';
import { liveSessionHandlers } from './live-session-handlers';
import { dispatch, type Handlers } from './registry';
import type { Services } from './services';
import { connection } from '../store/internal';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe("outbox:retry (the Live view's Retry on a dead letter)", () => {
  it("requeues one alert's dead letters, or all of them, and the dispatcher delivers them; an alert without one is not-found", async () => {
    const bodies: string[] = [];
    const srv = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        bodies.push(b);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => srv.close(() => r())));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook?token=s3cret`;

    // A journal left with three dead letters (the endpoint was down for every attempt), before the host starts.
    const store = openStore(':memory:');
    closers.push(() => store.close());
    const journal = new Journal(connection(store));
    const center = new AlertCenter({ session: 's', journal, webhooks: [{ kind: 'json', url }] });
    const ids = [0, 1, 2].map(
      (i) =>
        center.raise({
          kind: 'volume-spike',
          severity: 'warning',
          symbol: `S${i}`,
          message: `spike ${i}`,
          time: 1_000 + i,
        })!.id,
    );
    for (const row of journal.pendingOutbox()) journal.markDead(row.seq, 5_000, 'HTTP 503 (attempt 8 of 8)');

    const live = new LiveService(store, () => undefined, 20);
    closers.push(() => live.dispose());
    const handlers = liveSessionHandlers({ live } as unknown as Services) as unknown as Handlers;
    const call = (ch: string, input?: unknown) =>
      dispatch(handlers, ch, input, { signal: new AbortController().signal });
    const status = async () => ((await call('outbox:status')) as { ok: true; value: OutboxStatus }).value;

    await new Promise((r) => setTimeout(r, 100));
    expect(bodies).toEqual([]); // dead letters are never retried on their own
    expect(await status()).toMatchObject({ pending: 0, dead: 3 });

    expect(await call('outbox:retry', { alertId: ids[1] })).toEqual({ ok: true, value: { requeued: 1 } });
    for (let t = 0; bodies.length < 1 && t < 100; t++) await new Promise((r) => setTimeout(r, 20));
    expect(bodies.map((b) => (JSON.parse(b) as { id: string }).id)).toEqual([ids[1]]);
    await new Promise((r) => setTimeout(r, 50));
    const st = await status();
    expect(st).toMatchObject({ pending: 0, dead: 2 });
    expect(st.deadLetters.map((d) => d.alertId).sort()).toEqual([ids[0], ids[2]].sort());

    // Delivered now: retrying it again finds no dead letter.
    const again = await call('outbox:retry', { alertId: ids[1] });
    expect(again.ok === false && again.error).toMatchObject({
      code: 'not-found',
      message: expect.stringContaining(ids[1]),
    });
    expect((await call('outbox:retry', { alertId: '' })).ok).toBe(false);

    expect(await call('outbox:retry', {})).toEqual({ ok: true, value: { requeued: 2 } });
    for (let t = 0; bodies.length < 3 && t < 100; t++) await new Promise((r) => setTimeout(r, 20));
    expect(bodies).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 50));
    expect(await status()).toMatchObject({ pending: 0, dead: 0, deadLetters: [] });
  });
});
