import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STRATEGIES } from '../../strategies';
import { bufferIO } from '../io';
import { main } from '../main';

const root = join(__dirname, '../../..');

describe('quantdesk strategies', () => {
  it('--json lists every built-in with name, description and a params schema with defaults', async () => {
    const io = bufferIO();
    expect(await main(['strategies', '--json'], io)).toBe(0);
    const list = JSON.parse(io.stdout()) as {
      name: string;
      description: string;
      params: { properties: Record<string, { default?: unknown; minimum?: number; enum?: string[] }> };
    }[];
    expect(list.map((s) => s.name)).toEqual(STRATEGIES.map((s) => s.name));
    expect(list.length).toBeGreaterThanOrEqual(21);
    for (const s of list) expect(s.description.length).toBeGreaterThan(10);
    const sma = list.find((s) => s.name === 'sma-cross')!;
    expect(sma.params.properties.fast).toMatchObject({ default: 10, minimum: 1, type: 'integer' });
    expect(sma.params.properties.slow).toMatchObject({ default: 20 });
    expect(list.find((s) => s.name === 'ma-breakout')!.params.properties.threshold.default).toBe(0.02);
    const fr = list.find((s) => s.name === 'factor-rank')!;
    expect(fr.params.properties.rebalance.enum).toEqual(['monthly', 'quarterly', 'yearly']);
    expect(fr.params.properties.weighting.enum).toEqual(['equal', 'cap', 'inverse-vol']);
    // defaults from the schema are the ones the strategy applies
    for (const s of STRATEGIES) {
      const listed = list.find((x) => x.name === s.name)!;
      const defaults = s.params.parse({}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(defaults))
        expect(listed.params.properties[k].default, `${s.name}.${k}`).toEqual(v);
    }
  });

  it('shows one strategy in text, and rejects an unknown one with exit 2', async () => {
    const io = bufferIO();
    expect(await main(['strategies', 'rsi-reversion'], io)).toBe(0);
    expect(io.stdout()).toMatch(/rsi-reversion/);
    expect(io.stdout()).toMatch(/lower\s+number, default 30/);
    expect(io.stdout()).not.toMatch(/sma-cross/);
    const bad = bufferIO();
    expect(await main(['strategies', 'nope'], bad)).toBe(2);
    expect(bad.stderr()).toMatch(/unknown strategy "nope"/);
    expect(await main(['strategies', '--bogus'], bufferIO())).toBe(2);
  });

  it('runs as the real binary', () => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'cli'], { cwd: root, stdio: 'pipe' });
    const r = spawnSync(process.execPath, [join(root, 'bin/quantdesk.js'), 'strategies', '--json'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string }[]).map((s) => s.name)).toContain('factor-rank');
  });
});
