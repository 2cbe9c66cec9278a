import { mkdtempSync, readdirSync, rmSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveFeatures } from './defs';
import { clearMatrixMemory, featureMatrix } from './matrix';
import { testSource } from './test-panel';

const dir = mkdtempSync(join(tmpdir(), 'qd-feat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('feature matrix cache', () => {
  it('returns the same numbers from memory and from disk, keyed by data fingerprint and feature set', () => {
    const src = testSource(5, 80, 2);
    const feats = resolveFeatures([{ name: 'return', window: 3 }, { name: 'pbr' }, { name: 'KMID' }]);
    const cold = featureMatrix(src, feats, { cacheDir: dir });
    expect(readdirSync(dir).filter((f) => f.startsWith('feat-'))).toHaveLength(1);
    clearMatrixMemory();
    const disk = featureMatrix(src, feats, { cacheDir: dir });
    expect(disk).not.toBe(cold);
    disk.columns.forEach((c, j) =>
      expect(
        Buffer.from(c.buffer, c.byteOffset, c.byteLength).equals(
          Buffer.from(cold.columns[j].buffer, cold.columns[j].byteOffset, cold.columns[j].byteLength),
        ),
      ).toBe(true),
    );
    expect(featureMatrix(src, feats, { cacheDir: dir })).toBe(disk);
    // Another feature set or other data: another entry.
    featureMatrix(src, feats.slice(0, 2), { cacheDir: dir });
    featureMatrix({ ...src, panel: { ...src.panel, fingerprint: 'other' } }, feats, { cacheDir: dir });
    expect(readdirSync(dir).filter((f) => f.startsWith('feat-'))).toHaveLength(3);
  });

  it('refuses a truncated file and recomputes the same numbers', () => {
    const src = testSource(4, 60, 3);
    const feats = resolveFeatures([{ name: 'return', window: 2 }, { name: 'KLEN' }]);
    const sub = mkdtempSync(join(dir, 'trunc-'));
    const cold = featureMatrix(src, feats, { cacheDir: sub });
    const [name] = readdirSync(sub);
    const file = join(sub, name);
    const full = statSync(file).size;
    truncateSync(file, full - 8);
    clearMatrixMemory();
    const again = featureMatrix(src, feats, { cacheDir: sub });
    expect(again).not.toBe(cold);
    again.columns.forEach((c, j) =>
      expect(Object.is(c[3], cold.columns[j][3]) && c.join() === cold.columns[j].join()).toBe(true),
    );
    // The refused file was rewritten whole.
    expect(statSync(file).size).toBe(full);
  });
});
