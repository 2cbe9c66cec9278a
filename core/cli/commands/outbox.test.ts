import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertCenter } from '../../live/alerts';
import { importCsv } from '../../store/import';
import { Journal } from '../../store/journal';
import { openStore } from '../../store/sqlite-bar-store';
import { tempDir } from '../../store/test-helpers';
import { bufferIO } from '../io';
import { main } from '../main';
import { connection } from '../../store/internal';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A loopback webhook: `hang` leaves every request unanswered. */
async function hook(hang: boolean) {
  const bodies: string[] = [];
  const open = new Set<ServerResponse>();
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      if (hang) open.add(res);
      else res.end('ok');
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closers.push(() => {
    for (const r of open) r.destroy();
    s.closeAllConnections();
    return new Promise<void>((r) => s.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, bodies };
}

async function run(args: string[]) {
  const io = bufferIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

function tmpDb(): { dir: ReturnType<typeof tempDir>; path: string } {
  const dir = tempDir('qd-outbox-cli-');
  closers.push(() => dir.cleanup());
  return { dir, path: join(dir.dir, 'q.db') };
}

describe('quantdesk outbox drain', () => {
  it('delivers to the healthy endpoint while another hangs, says what waits (exit 1), and requeues dead letters on --retry-dead', async () => {
    const hanging = await hook(true);
    const healthy = await hook(false);
    const { path } = tmpDb();
    const store = openStore(path);
    const journal = new Journal(connection(store));
    const center = new AlertCenter({
      session: 's',
      journal,
      webhooks: [
        { kind: 'json', url: hanging.url },
        { kind: 'json', url: healthy.url },
      ],
    });
    for (let i = 0; i < 30; i++)
      center.raise({
        kind: 'volume-spike',
        severity: 'warning',
        symbol: `S${i}`,
        message: `spike ${i}`,
        time: 1_000 + i,
      });
    store.close();

    const r = await run(['outbox', 'drain', '--db', path, '--timeout-ms', '800', '--json']);
    expect([r.code, r.err]).toEqual([1, '']);
    expect(JSON.parse(r.out)).toEqual({ delivered: 30, failed: 0, dead: 0, pending: 30 });
    expect(healthy.bodies.length).toBe(30);
    const st = await run(['outbox', 'status', '--db', path, '--json']);
    expect(JSON.parse(st.out)).toMatchObject({ pending: 30, dead: 0 });

    // The hanging endpoint's rows die (here by hand); --retry-dead requeues them, and a healthy endpoint takes them.
    const s2 = openStore(path);
    const j2 = new Journal(connection(s2));
    for (const row of j2.pendingOutbox()) j2.markDead(row.seq, 2_000, 'HTTP 503 (attempt 8 of 8)');
    connection(s2)
      .prepare('UPDATE outbox SET target = ? WHERE delivered_at IS NULL')
      .run(JSON.stringify({ url: healthy.url }));
    s2.close();
    expect(JSON.parse((await run(['outbox', 'status', '--db', path, '--json'])).out)).toMatchObject({
      pending: 0,
      dead: 30,
    });
    const again = await run(['outbox', 'drain', '--db', path, '--retry-dead']);
    expect([again.code, again.out]).toEqual([
      0,
      'delivered 30 (30 dead letter(s) requeued); 0 still pending; 0 dead letter(s)\n',
    ]);
    expect(healthy.bodies.length).toBe(60);
  });
});

describe('quantdesk live run drains the outbox on exit', () => {
  it('delivers every alert before exiting, and names what still waits and the command that delivers it', async () => {
    const { dir, path } = tmpDb();
    const store = openStore(path);
    const goog = readFileSync(join(__dirname, '../../backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1);
    const imp = await importCsv(store, 'bars', {
      fileName: 'b.csv',
      content: `symbol,date,open,high,low,close,volume\n${goog.map((l) => `GOOG,${l}`).join('\n')}\n`,
    });
    expect(imp.ok).toBe(true);
    store.close();
    const spec = dir.write(
      'spec.json',
      JSON.stringify({ strategy: 'sma-cross', params: { fast: 5, slow: 20 }, symbols: ['GOOG'], capital: 10_000 }),
    );
    const healthy = await hook(false);
    const hanging = await hook(true);
    const base = ['live', 'run', '--spec', spec, '--db', path, '--feed', 'replay', '--speed', '0'];

    const ok = await run([...base, '--session', 'a', '--webhook', healthy.url]);
    expect(ok.code, ok.err).toBe(0);
    const alerts = openStore(path, { readonly: true });
    const raised = connection(alerts)
      .prepare("SELECT count(*) FROM alerts WHERE session = 'a'")
      .pluck()
      .get() as number;
    alerts.close();
    expect(raised).toBeGreaterThan(5);
    expect(healthy.bodies.length).toBe(raised);
    expect(ok.err).not.toContain('wait in the webhook outbox');

    const t0 = performance.now();
    const stuck = await run([...base, '--session', 'b', '--webhook', hanging.url, '--drain-ms', '300']);
    expect(stuck.code, stuck.err).toBe(0);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(stuck.err).toMatch(
      new RegExp(
        `\\d+ alert\\(s\\) wait in the webhook outbox; deliver them with: quantdesk outbox drain --db ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n`,
      ),
    );
  });
});
