import { spawn, spawnSync } from 'node:child_process';
import { WebSocketServer } from 'ws';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallDefaultDb } from '../../live/testing-dataset';
import { STRATEGIES } from '../../strategies';
import { bufferIO } from '../io';
import { main } from '../main';

let env: Awaited<ReturnType<typeof smallDefaultDb>>;
beforeAll(async () => {
  env = await smallDefaultDb('qd-live-cli-');
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'cli'], {
    cwd: join(__dirname, '..', '..', '..'),
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(build.stderr);
});
afterAll(() => env?.cleanup());

async function run(args: string[]) {
  const io = bufferIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

type Exec = [string, string, string, number, number];
const sortExecs = (e: Exec[]) =>
  e.sort((a, b) => (a[1] + a[0] + a[2] < b[1] + b[0] + b[2] ? -1 : a[1] + a[0] + a[2] > b[1] + b[0] + b[2] ? 1 : 0));

interface BacktestJson {
  trades: {
    symbol: string;
    side: string;
    qty: number;
    entryTime: string;
    entryPrice: number;
    exitTime: string;
    exitPrice: number;
  }[];
  openPositions: { symbol: string; side: string; qty: number; entryTime: string; entryPrice: number }[];
}
interface ReplayJson {
  signals: { symbol: string; time: string; side: string; price: number }[];
  fills: { symbol: string; time: string; side: string; qty: number; price: number }[];
  positions: { symbol: string; qty: number }[];
  alerts: unknown[];
}

function fromBacktest(bt: BacktestJson): Exec[] {
  const e: Exec[] = [];
  for (const t of bt.trades) {
    e.push([t.symbol, t.entryTime, t.side === 'long' ? 'buy' : 'sell', t.entryPrice, t.qty]);
    e.push([t.symbol, t.exitTime, t.side === 'long' ? 'sell' : 'buy', t.exitPrice, t.qty]);
  }
  for (const p of bt.openPositions)
    e.push([p.symbol, p.entryTime, p.side === 'long' ? 'buy' : 'sell', p.entryPrice, p.qty]);
  return sortExecs(e);
}

describe('quantdesk live replay = quantdesk backtest on the default dataset', () => {
  const singles = STRATEGIES.filter((s) => s.kind === 'single').map((s) => s.name);
  for (const name of singles) {
    it(`${name}: same entries and exits at the same times and prices`, async () => {
      const spec = env.write(`${name}.json`, {
        strategy: name,
        symbols: env.symbols.slice(0, 5),
        benchmark: 'SPX',
        start: '2019-03-01',
        end: '2021-10-31',
        commission: { rate: 0.0005, fixed: 1 },
        slippageBps: 3,
        sizing: 'equal-weight',
      });
      const bt = await run(['backtest', '--spec', spec, '--db', env.db, '--json', '--no-save']);
      expect(bt.code, bt.err).toBe(0);
      const lr = await run(['live', 'replay', '--spec', spec, '--db', env.db, '--json']);
      expect(lr.code, lr.err).toBe(0);
      const expected = fromBacktest(JSON.parse(bt.out) as BacktestJson);
      const got = JSON.parse(lr.out) as ReplayJson;
      expect(Object.keys(got)).toEqual(['signals', 'fills', 'positions', 'alerts']);
      expect(expected.length).toBeGreaterThan(0);
      expect(sortExecs(got.fills.map((f): Exec => [f.symbol, f.time, f.side, f.price, f.qty]))).toEqual(expected);
      for (const s of got.signals)
        expect(Object.keys(s)).toEqual(['symbol', 'time', 'side', 'price', 'target', 'reason']);
    });
  }

  it('bad input exits 2 naming the file and field; unknown subcommands are usage errors', async () => {
    const bad = env.write('bad.json', { strategy: 'sma-cross', symbols: ['NOPE'] });
    const r1 = await run(['live', 'replay', '--spec', bad, '--db', env.db, '--json']);
    expect(r1.code).toBe(2);
    expect(r1.err).toContain(`${bad}: symbols:`);
    expect(r1.out).toBe('');
    const cs = env.write('cs.json', { strategy: 'factor-rank', universe: 'all' });
    const r2 = await run(['live', 'replay', '--spec', cs, '--db', env.db]);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('cross-sectional');
    expect((await run(['live', 'fly'])).code).toBe(2);
    expect((await run(['live', 'replay', '--db', env.db])).err).toContain('missing required option --spec');
    const r3 = await run(['live', 'run', '--spec', bad, '--db', env.db, '--feed', 'carrier-pigeon']);
    expect(r3.code).toBe(2);
    expect(r3.err).toContain('--feed');
    const r4 = await run(['live', 'run', '--spec', bad, '--db', env.db, '--feed', 'replay', '--anomaly', 'zz=1']);
    expect(r4.code).toBe(2);
    expect(r4.err).toContain('--anomaly: unknown key "zz"');
    const r5 = await run([
      'live',
      'run',
      '--spec',
      bad,
      '--db',
      env.db,
      '--feed',
      'replay',
      '--signal-severity',
      'loud',
    ]);
    expect(r5.code).toBe(2);
    expect(r5.err).toContain('--signal-severity: expected info, warning, critical, got "loud"');
    for (const name of ['a\u0001b', 'line\nbreak', 'x'.repeat(65)]) {
      const r6 = await run(['live', 'run', '--spec', bad, '--db', env.db, '--feed', 'replay', '--session', name]);
      expect(r6.code, JSON.stringify(name)).toBe(2);
      expect(r6.err).toMatch(/^.*--session: (no control characters|Too big)/m);
    }
  });

  it('`live run --signal-severity warning` prints each signal as a warning alert', async () => {
    const spec = env.write('sev.json', {
      strategy: 'sma-cross',
      symbols: env.symbols.slice(0, 1),
      params: { fast: 5, slow: 20 },
    });
    const r = await run([
      'live',
      'run',
      '--spec',
      spec,
      '--db',
      env.db,
      '--feed',
      'replay',
      '--session',
      'sev',
      '--signal-severity',
      'warning',
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    const alerts = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; severity: string });
    const signals = alerts.filter((a) => a.kind === 'signal');
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((a) => a.severity === 'warning')).toBe(true);
  });

  it('the real binary prints the same replay JSON, and `live run` on a replay feed ends cleanly', () => {
    const root = join(__dirname, '..', '..', '..');
    const spec = env.write('bin.json', {
      strategy: 'sma-cross',
      symbols: env.symbols.slice(0, 3),
      params: { fast: 5, slow: 20 },
    });
    const bin = join(root, 'bin', 'quantdesk.js');
    const r = spawnSync(process.execPath, [bin, 'live', 'replay', '--spec', spec, '--db', env.db, '--json'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as ReplayJson;
    expect(got.fills.length).toBeGreaterThan(0);
    const live = spawnSync(
      process.execPath,
      [bin, 'live', 'run', '--spec', spec, '--db', env.db, '--feed', 'replay', '--session', 'bin-run', '--json'],
      { encoding: 'utf8' },
    );
    expect(live.status, live.stderr).toBe(0);
    expect(live.stderr).toContain('session bin-run: restored 0 orders');
    expect(live.stderr).toMatch(/stopped: \d+ fills this run/);
    expect(live.stderr).toContain(`stopped: ${got.fills.length} fills`);
  });

  it('`live run --feed websocket` prints alerts as they come and stops cleanly on SIGTERM', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    const sym = 'BTCUSDT'; // not in the store: streaming feeds need only the strategy
    wss.on('connection', (ws) => {
      const t = Date.UTC(2024, 0, 2, 14, 30);
      ws.send(
        JSON.stringify([
          { type: 'trade', symbol: sym, time: t, price: 10, size: 1, seq: 1 },
          { type: 'trade', symbol: sym, time: t + 61_000, price: 10.1, size: 1, seq: 5 },
        ]),
      );
    });
    const spec = env.write('ws.json', { strategy: 'sma-cross', symbols: [sym] });
    const bin = join(__dirname, '..', '..', '..', 'bin', 'quantdesk.js');
    const child = spawn(
      process.execPath,
      [
        bin,
        'live',
        'run',
        '--spec',
        spec,
        '--db',
        env.db,
        '--feed',
        'websocket',
        '--url',
        url,
        '--session',
        'ws',
        '--anomaly',
        'stale-ms=150',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    // Two alerts: the id gap, then the feed going quiet for longer than stale-ms.
    const gotAlert = new Promise<void>((r) =>
      child.stdout.on('data', (d) => ((out += d), out.split('\n').length > 2 && r())),
    );
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await gotAlert;
      const alert = JSON.parse(out.split('\n')[0]) as {
        kind: string;
        severity: string;
        symbol: string;
        message: string;
      };
      expect(alert).toMatchObject({ kind: 'feed-gap', severity: 'warning', symbol: sym });
      expect(alert.message).toContain('3 message(s) missing');
      expect(JSON.parse(out.split('\n')[1])).toMatchObject({ kind: 'stale-feed', severity: 'warning' });
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(err).toContain('feed websocket: open');
      expect(err).toContain('stopped:');
    } finally {
      child.kill('SIGKILL');
      await new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      });
    }
  });
});
