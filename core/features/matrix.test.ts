import { mkdtempSync, readdirSync, rmSync, truncateSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveFeatures } from './defs';
import { clearMatrixMemory, featureMatrix, featureMatrixAsync } from './matrix';
import { canMapFiles, dataRuns, MIN_GAP, writeMatrixFile } from './matrix-file';
import type { FeatureSource } from './batch';
import { testSource } from './test-panel';

const dir = mkdtempSync(join(tmpdir(), 'qd-feat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Computes `feats` over `src` into a new cache folder (`label-…`): the matrix, the folder and its one file. */
function cachedIn(label: string, src: FeatureSource, feats: ReturnType<typeof resolveFeatures>, map?: false) {
  const sub = mkdtempSync(join(dir, `${label}-`));
  const cold = featureMatrix(src, feats, { cacheDir: sub, ...(map === false ? { map } : {}) });
  const [name] = readdirSync(sub);
  return { sub, cold, file: join(sub, name) };
}

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
    const { sub, cold, file } = cachedIn('trunc', src, feats);
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

  /** Every value equal, NaN equal to NaN (a NaN's payload is not kept). */
  const same = (a: readonly Float64Array[], b: readonly Float64Array[]) =>
    a.length === b.length && a.every((c, j) => c.length === b[j].length && c.every((v, i) => Object.is(v, b[j][i])));

  /** 6 instruments, 120 days: listings every 25 days (IPOs) and one delisting after day 70. */
  function listedSource(): FeatureSource {
    const src = testSource(6, 120, 5, 25);
    const p = src.panel;
    for (const c of [p.open, p.high, p.low, p.close, p.volume]) c.fill(Number.NaN, 1 * 120 + 70, 2 * 120);
    return { ...src, panel: { ...p, fingerprint: `${p.fingerprint}-delisted` } };
  }
  // `Ref($close, 1)` is a number the day after the delisting (no bar there): the file must keep it.
  const listedFeatures = () =>
    resolveFeatures([{ name: 'return', window: 3 }, { name: 'expr', expr: 'Ref($close, 1)' }, { name: 'KMID' }]);

  it('stores only the slots where some feature has a value, and reads them back in place (sync and async)', async () => {
    const src = listedSource();
    const feats = listedFeatures();
    const sub = mkdtempSync(join(dir, 'sparse-'));
    const cold = featureMatrix(src, feats, { cacheDir: sub, map: false });
    const size = src.panel.nInst * src.panel.nDays;
    const empty = Array.from({ length: size }, (_, i) => cold.columns.every((c) => Number.isNaN(c[i]))).filter(
      Boolean,
    ).length;
    expect(Number.isNaN(cold.columns[1][1 * 120 + 70])).toBe(false);
    const [name] = readdirSync(sub);
    const bytes = statSync(join(sub, name)).size;
    // Every instrument starts late except the first, one is delisted: well under the whole matrix's bytes.
    expect(empty).toBeGreaterThan(size * 0.3);
    expect(bytes).toBeLessThan(16 + feats.length * (size - empty + 100) * 8);
    clearMatrixMemory();
    const disk = featureMatrix(src, feats, { cacheDir: sub, map: false });
    expect(disk).not.toBe(cold);
    expect(same(disk.columns, cold.columns)).toBe(true);
    clearMatrixMemory();
    const viaAsync = await featureMatrixAsync(src, feats, { cacheDir: sub, map: false });
    expect(viaAsync).not.toBe(disk);
    expect(same(viaAsync.columns, cold.columns)).toBe(true);
    expect(await featureMatrixAsync(src, feats, { cacheDir: sub, map: false })).toBe(viaAsync);
    // The file was read, not rewritten.
    expect(statSync(join(sub, name)).size).toBe(bytes);
  });

  it('merges short gaps into the runs and keeps long ones out', () => {
    const c = new Float64Array(100).fill(Number.NaN);
    c.fill(1, 5, 10);
    c.fill(2, 10 + MIN_GAP - 1, 30); // a gap of MIN_GAP - 1: merged
    c.fill(3, 30 + MIN_GAP, 60); // a gap of MIN_GAP: kept out
    expect([...dataRuns([c], 100)]).toEqual([5, 25, 30 + MIN_GAP, 60 - 30 - MIN_GAP]);
    expect([...dataRuns([new Float64Array(4)], 4)]).toEqual([0, 4]);
    expect([...dataRuns([new Float64Array(4).fill(Number.NaN)], 4)]).toEqual([]);
  });

  it('still reads a version-1 file (every column whole)', () => {
    const src = testSource(3, 40, 9);
    const feats = resolveFeatures([{ name: 'return', window: 2 }, { name: 'KLEN' }]);
    const sub = mkdtempSync(join(dir, 'v1-'));
    featureMatrix(src, feats, { cacheDir: sub, map: false });
    const [name] = readdirSync(sub);
    // A version-1 file with numbers no computation gives: the read must come from it.
    const size = 3 * 40;
    const head = Buffer.alloc(16);
    head.write('QDFEAT1\n', 0, 'latin1');
    head.writeUInt32LE(2, 8);
    head.writeUInt32LE(size, 12);
    const planted = [0, 1].map((j) => Float64Array.from({ length: size }, (_, i) => j * 1000 + i + 0.5));
    writeFileSync(join(sub, name), Buffer.concat([head, ...planted.map((c) => Buffer.from(c.buffer))]));
    clearMatrixMemory();
    expect(same(featureMatrix(src, feats, { cacheDir: sub, map: false }).columns, planted)).toBe(true);
  });

  it('refuses a version-2 file whose runs overlap or run past the end, sync and async', async () => {
    const src = listedSource();
    const feats = listedFeatures();
    const sub = mkdtempSync(join(dir, 'runs-'));
    const cold = featureMatrix(src, feats, { cacheDir: sub, map: false });
    const [name] = readdirSync(sub);
    const file = join(sub, name);
    const good = readFileSync(file);
    expect(good.toString('latin1', 0, 8)).toBe('QDFEAT2\n');
    expect(good.readUInt32LE(16)).toBeGreaterThan(1);
    for (const [at, value] of [
      [24 + 8, 0], // the second run starts at 0: before the first one's end
      [24 + 4, 10_000], // the first run's count reaches past the slots
    ] as const) {
      const bad = Buffer.from(good);
      bad.writeUInt32LE(value, at);
      writeFileSync(file, bad);
      clearMatrixMemory();
      expect(same((await featureMatrixAsync(src, feats, { cacheDir: sub, map: false })).columns, cold.columns)).toBe(
        true,
      );
      expect(readFileSync(file).equals(good)).toBe(true); // recomputed and rewritten
      writeFileSync(file, bad);
      clearMatrixMemory();
      expect(same(featureMatrix(src, feats, { cacheDir: sub, map: false }).columns, cold.columns)).toBe(true);
      expect(readFileSync(file).equals(good)).toBe(true);
    }
    truncateSync(file, good.length - 8);
    clearMatrixMemory();
    expect(same((await featureMatrixAsync(src, feats, { cacheDir: sub, map: false })).columns, cold.columns)).toBe(
      true,
    );
    expect(readFileSync(file).equals(good)).toBe(true);
  });

  it('writes and reads a matrix with no value at all (no runs), sync and async', async () => {
    const src = testSource(2, 30, 4);
    // Window longer than the panel: NaN everywhere.
    const feats = resolveFeatures([{ name: 'return', window: 50 }]);
    const sub = mkdtempSync(join(dir, 'empty-'));
    const cold = featureMatrix(src, feats, { cacheDir: sub, map: false });
    expect(cold.columns[0].every((v) => Number.isNaN(v))).toBe(true);
    const [name] = readdirSync(sub);
    expect(statSync(join(sub, name)).size).toBe(24);
    clearMatrixMemory();
    expect(same(featureMatrix(src, feats, { cacheDir: sub, map: false }).columns, cold.columns)).toBe(true);
    clearMatrixMemory();
    expect(same((await featureMatrixAsync(src, feats, { cacheDir: sub, map: false })).columns, cold.columns)).toBe(
      true,
    );
  });

  describe('mapped files (Node, with the quantdesk-mapfile addon built at install)', () => {
    /** The bytes of `file`, to prove a mapping never writes through. */
    const bytesOf = (file: string) => readFileSync(file);

    it('writes the file whole and maps it: views into one mapping, the same numbers, sync and async', async () => {
      expect(canMapFiles()).toBe(true);
      const src = listedSource();
      const feats = listedFeatures();
      const { sub, cold, file } = cachedIn('mapped', src, feats);
      const size = src.panel.nInst * src.panel.nDays;
      // Version 2 with one run over every slot: header, the run, every column whole.
      const before = bytesOf(file);
      expect(before.toString('latin1', 0, 8)).toBe('QDFEAT2\n');
      expect([before.readUInt32LE(16), before.readUInt32LE(24), before.readUInt32LE(28)]).toEqual([1, 0, size]);
      expect(before.length).toBe(32 + feats.length * size * 8);
      for (const read of [
        () => featureMatrix(src, feats, { cacheDir: sub }),
        () => featureMatrixAsync(src, feats, { cacheDir: sub }),
      ]) {
        clearMatrixMemory();
        const m = await read();
        expect(m).not.toBe(cold);
        expect(same(m.columns, cold.columns)).toBe(true);
        // One buffer as long as the file, every column a view into it: a mapping, not a read.
        const buffer = m.columns[0].buffer;
        expect(buffer.byteLength).toBe(before.length);
        expect(m.columns.every((c, j) => c.buffer === buffer && c.byteOffset === 32 + j * size * 8)).toBe(true);
      }
      // A write to a mapped column stays in this process (copy-on-write): the file is unchanged.
      const m = featureMatrix(src, feats, { cacheDir: sub });
      m.columns[0][0] = 12345;
      expect(bytesOf(file).equals(before)).toBe(true);
    });

    it('keeps a mapped matrix whole when the file is replaced under it', () => {
      const src = testSource(4, 50, 6);
      const feats = resolveFeatures([{ name: 'return', window: 2 }, { name: 'KLEN' }]);
      const { sub, cold, file } = cachedIn('replaced', src, feats);
      clearMatrixMemory();
      const m = featureMatrix(src, feats, { cacheDir: sub });
      expect(m.columns[0].buffer.byteLength).toBe(statSync(file).size);
      // Another process recomputes and renames a new file over it (other numbers, same shape).
      writeMatrixFile(
        file,
        cold.columns.map((c) => c.map((v) => v + 1)),
        true,
      );
      expect(same(m.columns, cold.columns)).toBe(true);
      clearMatrixMemory();
      expect(featureMatrix(src, feats, { cacheDir: sub }).columns[0][5]).toBe(cold.columns[0][5] + 1);
    });

    it('reads a compact file (as the desktop app writes it), then rewrites it whole once', async () => {
      const src = listedSource();
      const feats = listedFeatures();
      const size = src.panel.nInst * src.panel.nDays;
      for (const [label, read] of [
        ['sync', (sub: string) => featureMatrix(src, feats, { cacheDir: sub })],
        ['async', (sub: string) => featureMatrixAsync(src, feats, { cacheDir: sub })],
      ] as const) {
        clearMatrixMemory();
        const { sub, cold, file } = cachedIn(`compact-${label}`, src, feats, false);
        const compact = statSync(file).size;
        expect(compact).toBeLessThan(32 + feats.length * size * 8);
        clearMatrixMemory();
        const viaRead = await read(sub);
        expect(same(viaRead.columns, cold.columns)).toBe(true);
        // Read, not mapped: each column its own array.
        expect(viaRead.columns[0].buffer).not.toBe(viaRead.columns[1].buffer);
        expect(statSync(file).size).toBe(32 + feats.length * size * 8);
        clearMatrixMemory();
        const viaMap = await read(sub);
        expect(same(viaMap.columns, cold.columns)).toBe(true);
        expect(viaMap.columns[0].buffer).toBe(viaMap.columns[1].buffer);
        // `map: false` reads a whole file too, and leaves it whole.
        clearMatrixMemory();
        expect(same(featureMatrix(src, feats, { cacheDir: sub, map: false }).columns, cold.columns)).toBe(true);
        expect(statSync(file).size).toBe(32 + feats.length * size * 8);
      }
    });

    it('refuses a whole file with a wrong header or size, recomputes and rewrites it', () => {
      const src = testSource(3, 40, 8);
      const feats = resolveFeatures([{ name: 'return', window: 2 }, { name: 'KLEN' }]);
      const { sub, cold, file } = cachedIn('bad-whole', src, feats);
      const good = bytesOf(file);
      const wrongColumns = Buffer.from(good);
      wrongColumns.writeUInt32LE(3, 8);
      const longer = Buffer.concat([good, Buffer.alloc(8)]);
      for (const bad of [wrongColumns, longer, Buffer.alloc(0)]) {
        writeFileSync(file, bad);
        clearMatrixMemory();
        expect(same(featureMatrix(src, feats, { cacheDir: sub }).columns, cold.columns)).toBe(true);
        expect(bytesOf(file).equals(good)).toBe(true);
      }
    });
  });
});
