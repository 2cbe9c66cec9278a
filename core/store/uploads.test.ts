import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATA_UPLOAD_CHUNK_BYTES } from '../contract';
import { dataFingerprint } from './fingerprint';
import { importCsv } from './import';
import { openStore, type Store } from './sqlite-bar-store';
import { tempDir } from './test-helpers';
import { Uploads } from './uploads';
import { connection } from './internal';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Uploads in a temp folder of their own (so the test can see every file they leave). */
function uploads(options: ConstructorParameters<typeof Uploads>[0] = {}) {
  const d = tempDir('qd-uploads-');
  const u = new Uploads({ tmpDir: d.dir, ...options });
  cleanups.push(async () => {
    await u.dispose();
    d.cleanup();
  });
  return { u, files: () => (u.dir && existsSync(u.dir) ? readdirSync(u.dir) : []) };
}

function store(): Store {
  const s = openStore(':memory:');
  cleanups.push(() => s.close());
  return s;
}

/** Everything an import stores, and the fingerprint. */
function snapshot(s: Store): unknown {
  const q = (t: string) => connection(s).prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all();
  return {
    i: q('instruments'),
    b: q('bars'),
    n: connection(s).prepare('SELECT kind, source, sha256, rows, changed FROM imports ORDER BY id').all(),
    fp: dataFingerprint(s),
  };
}

function nothingStored(s: Store): void {
  expect(connection(s).prepare('SELECT count(*) FROM imports').pluck().get()).toBe(0);
  expect(connection(s).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(0);
  expect(connection(s).prepare('SELECT count(*) FROM instruments').pluck().get()).toBe(0);
}

/** A bars file of about `bytes` bytes: 12 symbols, consecutive days. */
function barsCsv(bytes: number): string {
  const lines = ['symbol,date,open,high,low,close,volume'];
  let size = lines[0].length + 1;
  for (let i = 0; size < bytes; i++) {
    const sym = `S${i % 12}`;
    const day = new Date(Date.UTC(2000, 0, 1) + Math.floor(i / 12) * 86_400_000).toISOString().slice(0, 10);
    const p = 100 + (i % 97) / 4;
    const line = `${sym},${day},${p},${p + 1},${p - 1},${p + 0.5},${1000 + i}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

/** Sends `bytes` in chunks of `size` (seq 0, 1, …); returns the last receipt. */
async function send(u: Uploads, id: string, bytes: Uint8Array, size: number) {
  let last: Awaited<ReturnType<Uploads['chunk']>> | null = null;
  for (let at = 0, seq = 0; at < bytes.length; at += size, seq++) {
    last = await u.chunk(id, seq, bytes.subarray(at, at + size));
    if (!last.ok) return last;
  }
  return last;
}

async function begin(
  u: Uploads,
  fileName: string,
  size: number,
  kind: 'bars' | 'instruments' = 'bars',
): Promise<string> {
  const b = await u.begin({ kind, fileName, size });
  if (!b.ok) throw new Error(b.error.message);
  return b.value.uploadId;
}

describe('chunked uploads', () => {
  it('a multi-chunk upload imports the same rows as the one-shot import of the same text', async () => {
    const csv = barsCsv(1.1 * 1024 * 1024);
    const bytes = Buffer.from(csv);
    const { u, files } = uploads();
    const id = await begin(u, 'prices.csv', bytes.length);
    const receipt = await send(u, id, bytes, DATA_UPLOAD_CHUNK_BYTES);
    expect(receipt).toEqual({ ok: true, value: { uploadId: id, received: bytes.length, size: bytes.length } });
    expect(files()).toEqual([`${id}.csv`]);
    const viaUpload = store();
    const phases: string[] = [];
    const r = await u.commit(id, viaUpload, { onProgress: (p) => phases.push(p.phase) });
    expect(r.ok).toBe(true);
    expect(phases.at(-1)).toBe('done');
    const oneShot = store();
    const o = await importCsv(oneShot, 'bars', { fileName: 'prices.csv', content: csv });
    expect(o.ok).toBe(true);
    if (!r.ok || !o.ok) return;
    expect(r.value.rows).toBeGreaterThan(20_000);
    expect({ ...r.value, durationMs: 0 }).toEqual({ ...o.value, durationMs: 0 });
    expect(snapshot(viaUpload)).toEqual(snapshot(oneShot));
    // The temp file is gone, and the upload with it.
    expect(files()).toEqual([]);
    expect(u.openCount).toBe(0);
    const again = await u.commit(id, viaUpload);
    expect(again.ok === false && again.error).toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('already imported'),
    });
  });

  it('chunks split inside a UTF-8 character and a quoted record give the same text', async () => {
    const csv = [
      'symbol,name,sector,currency,listed_on,delisted_on',
      ...Array.from(
        { length: 300 },
        (_, i) => `Z${i},"Société, ${'日本語'.repeat((i % 7) + 1)} №${i}",Tech,EUR,2019-01-01,`,
      ),
      '',
    ].join('\n');
    const bytes = Buffer.from(csv);
    const { u } = uploads({ chunkBytes: 1001 });
    const id = await begin(u, 'instruments-accents.csv', bytes.length, 'instruments');
    expect((await send(u, id, bytes, 1001))?.ok).toBe(true);
    const s = store();
    const r = await u.commit(id, s);
    expect(r.ok && r.value.rows).toBe(300);
    const o = store();
    await importCsv(o, 'instruments', { fileName: 'instruments-accents.csv', content: csv });
    expect(snapshot(s)).toEqual(snapshot(o));
    expect(connection(s).prepare("SELECT name FROM instruments WHERE symbol = 'Z6'").pluck().get()).toBe(
      `Société, ${'日本語'.repeat(7)} №6`,
    );
  });

  it('refuses a chunk out of order or sent twice: the upload is discarded, its file removed, nothing stored', async () => {
    const bytes = Buffer.from(barsCsv(5000));
    const s = store();
    const { u, files } = uploads({ chunkBytes: 1000 });
    for (const [label, seqs, expected] of [
      [
        'skipped',
        [0, 2],
        /prices\.csv: chunk 2 came before chunk 1 \(chunks go in order, once each\); the upload was discarded and nothing was imported/,
      ],
      ['repeated', [0, 1, 1], /prices\.csv: chunk 1 was already received/],
      ['first missing', [1], /chunk 1 came before chunk 0/],
    ] as const) {
      const id = await begin(u, 'prices.csv', bytes.length);
      let r: Awaited<ReturnType<Uploads['chunk']>> | null = null;
      for (const seq of seqs) r = await u.chunk(id, seq, bytes.subarray(seq * 1000, seq * 1000 + 1000));
      expect(r?.ok === false && r.error.code, label).toBe('invalid-input');
      expect(r?.ok === false && r.error.message, label).toMatch(expected);
      expect(files(), label).toEqual([]);
      const c = await u.commit(id, s);
      expect(c.ok === false && c.error.code, label).toBe('not-found');
      expect(c.ok === false && c.error.message, label).toContain('was discarded: chunk');
    }
    nothingStored(s);
    expect(u.openCount).toBe(0);
  });

  it('refuses an oversize total: over the cap at begin, past the declared size, an oversize chunk, or a commit short of the size', async () => {
    const s = store();
    const { u, files } = uploads({ chunkBytes: 1000, maxBytes: 3000 });
    const big = await u.begin({ kind: 'bars', fileName: 'huge.csv', size: 3001 });
    expect(big.ok === false && big.error).toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('huge.csv: 3001 bytes, over the 3000-byte upload limit'),
    });
    expect(u.openCount).toBe(0);

    const bytes = Buffer.from(barsCsv(2900));
    // Declares less than it sends: the chunk that crosses the declared size discards it.
    const liar = await begin(u, 'liar.csv', 1500);
    expect((await u.chunk(liar, 0, bytes.subarray(0, 1000))).ok).toBe(true);
    const past = await u.chunk(liar, 1, bytes.subarray(1000, 2000));
    expect(past.ok === false && past.error.message).toBe(
      'liar.csv: chunk 1 goes past the declared size of 1500 bytes; the upload was discarded and nothing was imported',
    );
    // A chunk over the chunk size.
    const fat = await begin(u, 'fat.csv', 2000);
    const f = await u.chunk(fat, 0, bytes.subarray(0, 1001));
    expect(f.ok === false && f.error.message).toContain('chunk 0 holds 1001 bytes; a chunk holds 1 to 1000');
    // Committed before every byte arrived.
    const short = await begin(u, 'short.csv', bytes.length);
    expect((await u.chunk(short, 0, bytes.subarray(0, 1000))).ok).toBe(true);
    const c = await u.commit(short, s);
    expect(c.ok === false && c.error.message).toBe(
      `short.csv: received 1000 of the declared ${bytes.length} bytes; the upload was discarded and nothing was imported`,
    );
    expect(files()).toEqual([]);
    expect(u.openCount).toBe(0);
    nothingStored(s);
  });

  it('refuses an unknown upload id for chunk and commit; cancel answers false', async () => {
    const s = store();
    const { u } = uploads();
    const c = await u.chunk('up-nope', 0, Buffer.from('x'));
    expect(c.ok === false && c.error).toEqual({
      code: 'not-found',
      message: 'no upload up-nope (unknown, or ended); start the upload again',
    });
    const m = await u.commit('up-nope', s);
    expect(m.ok === false && m.error.code).toBe('not-found');
    expect(await u.cancel('up-nope')).toBe(false);
    nothingStored(s);
  });

  it('discards an abandoned upload after the idle time (file removed, its chunks and commit refused)', async () => {
    let now = 1_000_000;
    const s = store();
    const { u, files } = uploads({ chunkBytes: 1000, idleMs: 60_000, now: () => now });
    const bytes = Buffer.from(barsCsv(2500));
    const id = await begin(u, 'left.csv', bytes.length);
    expect((await u.chunk(id, 0, bytes.subarray(0, 1000))).ok).toBe(true);
    now += 59_000; // still alive: each chunk renews it
    expect((await u.chunk(id, 1, bytes.subarray(1000, 2000))).ok).toBe(true);
    now += 60_001;
    await u.expire();
    expect(files()).toEqual([]);
    expect(u.openCount).toBe(0);
    const late = await u.chunk(id, 2, bytes.subarray(2000));
    expect(late.ok === false && late.error).toEqual({
      code: 'not-found',
      message: `upload ${id} expired: nothing was received for 60 s; start the upload again`,
    });
    expect((await u.commit(id, s)).ok).toBe(false);
    nothingStored(s);
  });

  it('expires abandoned uploads on its own timer', async () => {
    const { u, files } = uploads({ idleMs: 40 });
    await begin(u, 'a.csv', 10);
    expect(files()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(files()).toEqual([]);
    expect(u.openCount).toBe(0);
  });

  it("removes the temp folder a killed host left behind (its pid gone) at the next upload, and leaves a live host's", async () => {
    const d = tempDir('qd-uploads-base-');
    cleanups.push(() => d.cleanup());
    mkdirSync(join(d.dir, 'quantdesk-upload-999999999-abc'));
    mkdirSync(join(d.dir, `quantdesk-upload-${process.ppid}-def`));
    const stale = d.write('quantdesk-upload-999999999-abc/up-1.csv', 'x'.repeat(10));
    const mine = d.write(`quantdesk-upload-${process.ppid}-def/up-2.csv`, 'y');
    const u = new Uploads({ tmpDir: d.dir });
    cleanups.push(() => u.dispose());
    expect(existsSync(stale)).toBe(true);
    await begin(u, 'a.csv', 1);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(mine)).toBe(true);
  });

  it('caps the uploads open at once; a cancelled one frees its place', async () => {
    const { u, files } = uploads({ maxOpen: 2 });
    const a = await begin(u, 'a.csv', 10);
    await begin(u, 'b.csv', 10);
    const third = await u.begin({ kind: 'bars', fileName: 'c.csv', size: 10 });
    expect(third.ok === false && third.error.code).toBe('unavailable');
    expect(third.ok === false && third.error.message).toMatch(/^2 uploads are already open/);
    expect(await u.cancel(a)).toBe(true);
    expect(files()).toHaveLength(1);
    expect((await u.begin({ kind: 'bars', fileName: 'c.csv', size: 10 })).ok).toBe(true);
  });

  it("a bad file uploaded in chunks is refused with FILE:LINE naming the user's file, not the temp path", async () => {
    const csv = barsCsv(3000).replace(/\n(S3,[^,]+),([^,]+),/, '\n$1,abc,');
    const bytes = Buffer.from(csv);
    const s = store();
    const { u, files } = uploads({ chunkBytes: 1000 });
    const id = await begin(u, 'mine.csv', bytes.length);
    await send(u, id, bytes, 1000);
    const r = await u.commit(id, s);
    expect(r.ok === false && r.error.details).toEqual(['mine.csv:5: open: "abc" is not a number']);
    expect(JSON.stringify(r)).not.toContain(u.dir!);
    expect(files()).toEqual([]);
    nothingStored(s);
  });

  it('cancel while committing stops the import (cancelled, nothing stored); dispose removes the folder', async () => {
    const bytes = Buffer.from(barsCsv(200_000));
    const s = store();
    const { u } = uploads();
    const id = await begin(u, 'slow.csv', bytes.length);
    await send(u, id, bytes, DATA_UPLOAD_CHUNK_BYTES);
    let cancelled = false;
    const r = await u.commit(id, s, {
      onProgress: () => {
        if (!cancelled) void u.cancel(id).then((c) => (cancelled = c));
      },
    });
    expect(cancelled).toBe(true);
    expect(r.ok === false && r.error.code).toBe('cancelled');
    nothingStored(s);
    const dir = u.dir!;
    await begin(u, 'open.csv', 10);
    await u.dispose();
    expect(existsSync(dir)).toBe(false);
  });
});
