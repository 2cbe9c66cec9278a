import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../../model/time';
import { seedPlanted } from '../../models/test-store';
import { openStore } from '../../store/sqlite-bar-store';
import { bufferIO } from '../io';
import { main } from '../main';

let dir: string;
let db: string;
let end: string;
const RANGE = join(__dirname, '..', '..', 'features', 'testdata', 'range-mean.ts');

async function cli(args: string[]) {
  const io = bufferIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-userfeat-'));
  db = join(dir, 'q.db');
  const s = openStore(db);
  const panel = await seedPlanted(s, 6, 300);
  end = formatDate(panel.time[panel.nDays - 1]);
  s.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantdesk features add (features written with the SDK)', () => {
  it('stores a feature file, lists it, and model specs and exports use it by name', async () => {
    const r = await cli(['features', 'add', RANGE, '--db', db, '--json']);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toMatchObject({
      name: 'range-mean',
      version: 1,
      added: true,
      batch: true,
      stream: false,
    });
    expect(JSON.parse((await cli(['features', 'add', RANGE, '--db', db, '--json'])).out).added).toBe(false);

    const list = JSON.parse((await cli(['features', 'list', '--json', '--db', db])).out) as {
      name: string;
      params: Record<string, unknown>;
      source?: string;
    }[];
    expect(list.find((f) => f.name === 'range-mean')).toMatchObject({ source: 'user', params: { period: 10 } });
    expect(list.find((f) => f.name === 'news_sentiment')).toMatchObject({ params: { days: 7 } });
    const text = (await cli(['features', 'list', '--db', db])).out;
    expect(text).toMatch(/^range-mean +\{"period":10\} +\[user .*range-mean\.ts\] mean of/m);

    const spec = {
      universe: 'all',
      start: '2020-03-01',
      end,
      features: [
        { name: 'range-mean', period: 5 },
        { name: 'cs-rank', feature: { name: 'range-mean' } },
        { name: 'news_count', days: 3 },
        { name: 'return', window: 5 },
      ],
      label: { kind: 'forward-return', horizon: 5 },
      model: { kind: 'gbdt', trees: 5, depth: 2, learningRate: 0.1, seed: 1, minLeaf: 10 },
      walkForward: { train: 120, test: 40, embargo: 5, anchored: false },
    };
    const specPath = file('spec.json', JSON.stringify(spec, null, 2));
    const ex = await cli(['features', 'export', '--spec', specPath, '--db', db, '--out', join(dir, 'pq')]);
    expect(ex.err).toBe('');
    expect(JSON.parse(ex.out)).toMatchObject({ features: 4 });
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const con = await (await DuckDBInstance.create(':memory:')).connect();
    const stats = (
      await con.runAndReadAll(
        `SELECT count("range-mean(period=5)")::INTEGER AS n, max("news_count(days=3)")::DOUBLE AS news FROM '${(JSON.parse(ex.out) as { file: string }).file}'`,
      )
    ).getRowObjects();
    expect(stats[0].n).toBeGreaterThan(6 * 200);
    expect(stats[0].news).toBe(0);

    const tr = await cli(['models', 'train', '--spec', specPath, '--db', db, '--json']);
    expect(tr.err).toBe('');
    const trained = JSON.parse(tr.out) as { modelId: string; windows: unknown[] };
    expect(trained.windows.length).toBeGreaterThan(0);
  }, 60_000);

  it('refuses a feature whose forms disagree, or that does not compile, naming file, line and field', async () => {
    const lying = file(
      'lying.ts',
      `import { defineFeature } from 'quantdesk/sdk';
export default defineFeature({
  name: 'lying',
  window: 2,
  batch(b) {
    let s = 0;
    return Array.from(b.close, (c) => (s += c));
  },
});
`,
    );
    const r = await cli(['features', 'add', lying, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^quantdesk features: .*lying\.ts: "window": batch over the last 2 bars differs/);
    const broken = file(
      'broken.ts',
      `import { defineFeature } from 'quantdesk/sdk';\nexport default defineFeature({ batch( });\n`,
    );
    const b = await cli(['features', 'add', broken, '--db', db]);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/broken\.ts:2:\d+: /);
    expect(JSON.parse((await cli(['features', 'list', '--json', '--db', db])).out)).not.toContainEqual(
      expect.objectContaining({ name: 'lying' }),
    );
    const bad = file(
      'bad-spec.json',
      JSON.stringify(
        { universe: 'all', start: '2020-03-01', end, features: [{ name: 'range-mean', period: 0 }] },
        null,
        2,
      ),
    );
    const e = await cli(['features', 'export', '--spec', bad, '--db', db, '--out', join(dir, 'pq2')]);
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/bad-spec\.json:\d+: features\.0\.period: /);
  });
});
