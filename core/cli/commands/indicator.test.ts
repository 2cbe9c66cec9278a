import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bbands } from '../../indicators/volatility';
import { rsi } from '../../indicators/rsi';
import { testBars } from '../../indicators/test-series';
import { bufferIO } from '../io';
import { main } from '../main';

const dir = mkdtempSync(join(tmpdir(), 'qd-indicator-'));
const { bars } = testBars()[0];
const good = join(dir, 'bars.csv');
{
  const lines = ['date,open,high,low,close,volume'];
  for (let i = 0; i < bars.close.length; i++) {
    const d = new Date(bars.time[i]).toISOString().slice(0, 10);
    lines.push(`${d},${bars.open[i]},${bars.high[i]},${bars.low[i]},${bars.close[i]},${bars.volume[i]}`);
  }
  writeFileSync(good, `${lines.join('\n')}\n`);
}

async function run(args: string[]) {
  const io = bufferIO();
  const code = await main(['indicator', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('quantdesk indicator', () => {
  it('prints one number or null per row for a single-output indicator', async () => {
    const r = await run(['rsi', '--input', good, '--param', 'period=5', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as (number | null)[];
    const want = rsi(bars.close, 5);
    expect(rows).toHaveLength(bars.close.length);
    expect(rows.slice(0, 5)).toEqual([null, null, null, null, null]);
    for (let i = 5; i < rows.length; i++) expect(rows[i]).toBe(want[i]);
  });

  it('prints an object with the output keys for a multi-output indicator', async () => {
    const r = await run(['bbands', '--input', good, '--param', 'period=10', '--param', 'stddev=1.5', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { upper: number | null; middle: number | null; lower: number | null }[];
    const want = bbands(bars.close, 10, 1.5);
    expect(rows[8]).toEqual({ upper: null, middle: null, lower: null });
    expect(rows[9]).toEqual({ upper: want.upper[9], middle: want.middle[9], lower: want.lower[9] });
    expect(Object.keys(rows[20])).toEqual(['upper', 'middle', 'lower']);
  });

  it('rejects a bad file row with FILE:LINE: column: reason and exit 2', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      'date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1.5,10\n2024-01-03,1,2,0.5,abc,10\n2024-01-03,1,2,0.5,1,10\n',
    );
    const r = await run(['sma', '--input', bad, '--json']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${bad}:3: close: "abc" is not a finite number`);
    expect(r.err).toContain(`${bad}:4: date: 2024-01-03 is not after the previous row's date`);
  });

  it('rejects a missing header column, a bad or unknown parameter, an unknown indicator and a missing file with exit 2', async () => {
    const noVol = join(dir, 'novol.csv');
    writeFileSync(noVol, 'date,open,high,low,close\n2024-01-02,1,2,0.5,1.5\n');
    const h = await run(['obv', '--input', noVol, '--json']);
    expect(h.code).toBe(2);
    expect(h.err).toContain(`${noVol}:1: volume: missing column`);
    const p = await run(['rsi', '--input', good, '--param', 'period=1', '--json']);
    expect(p.code).toBe(2);
    expect(p.err).toMatch(/--param period: .*>=2/);
    const u = await run(['rsi', '--input', good, '--param', 'length=3']);
    expect(u.code).toBe(2);
    expect(u.err).toContain('--param length');
    expect((await run(['nope', '--input', good])).code).toBe(2);
    expect((await run(['rsi', '--input', join(dir, 'missing.csv')])).code).toBe(2);
  });

  it('lists the indicators with defaults and outputs', async () => {
    const r = await run(['--list', '--json']);
    const list = JSON.parse(r.out) as { name: string; defaults: Record<string, number>; outputs: string[] }[];
    expect(list.find((i) => i.name === 'stoch')).toMatchObject({
      defaults: { period: 14, smoothK: 3, smoothD: 3 },
      outputs: ['k', 'd'],
    });
  });
});

describe('the built binary', () => {
  const root = join(__dirname, '../../..');
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: root, stdio: 'ignore' });
  });
  it('prints the MACD rows as JSON on stdout and nothing else', () => {
    const r = spawnSync(process.execPath, ['bin/quantdesk.js', 'indicator', 'macd', '--input', good, '--json'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as { macd: number | null; signal: number | null; histogram: number | null }[];
    expect(rows).toHaveLength(bars.close.length);
    expect(rows[24].macd).toBeNull();
    expect(typeof rows[25].macd).toBe('number');
    expect(rows[32].signal).toBeNull();
    expect(rows[33].histogram).toBeCloseTo(rows[33].macd! - rows[33].signal!, 12);
  });
});
