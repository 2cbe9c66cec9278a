import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImportWorkerEntry } from '../pool/test-support';
import { dataFingerprint } from '../store/fingerprint';
import { importCsv } from '../store/import';
import { importCsvOffThread } from '../store/import-thread';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { startServer, type RunningServer } from './server';
import { TestClient, type HostFrame } from './test-client';
import { connection } from '../store/internal';

// Finding 6 of issue 15: a big CSV import runs on its own thread (its own connection to the store's
// file), so `quantdesk serve` keeps answering every client while it runs.

let dir: string;
let server: RunningServer;
let client: TestClient;

/** `rows` daily bars over 20 symbols; `shift` moves every volume (another file with the same rows). */
function barsCsv(rows: number, shift = 0): string {
  const symbols = Array.from({ length: 20 }, (_, i) => `S${String(i).padStart(2, '0')}`);
  const per = Math.ceil(rows / symbols.length);
  const lines = ['symbol,date,open,high,low,close,volume'];
  const day0 = Date.UTC(1990, 0, 1);
  for (const sym of symbols) {
    for (let d = 0; d < per && lines.length <= rows; d++) {
      const date = new Date(day0 + d * 86_400_000).toISOString().slice(0, 10);
      const c = 100 + ((d * 7) % 50) + d / 1000;
      lines.push(
        `${sym},${date},${c.toFixed(3)},${(c + 1).toFixed(3)},${(c - 1).toFixed(3)},${(c + 0.5).toFixed(3)},${1000 + d + shift}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Uploads `text` in the contract's chunks; returns the upload id (not yet committed). */
async function upload(kind: string, fileName: string, text: string): Promise<string> {
  const bytes = Buffer.from(text);
  const begin = await client.call('data:upload-begin', { kind, fileName, size: bytes.length });
  expect(begin.ok, JSON.stringify(begin.error)).toBe(true);
  const { uploadId, chunkBytes } = begin.value as { uploadId: string; chunkBytes: number };
  for (let seq = 0, at = 0; at < bytes.length; seq++, at += chunkBytes) {
    const r = await client.call('data:upload-chunk', {
      uploadId,
      seq,
      data: bytes.subarray(at, at + chunkBytes).toString('base64'),
    });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
  }
  return uploadId;
}

/** Every stored bar, and the counts of the tables an import writes, in one comparable string. */
function snapshot(store: Store): string {
  const bars = connection(store)
    .prepare('SELECT i.symbol, b.* FROM bars b JOIN instruments i ON i.id = b.instrument_id ORDER BY 1, 3')
    .raw()
    .all();
  const counts = ['instruments', 'bars', 'imports'].map((t) =>
    connection(store).prepare(`SELECT count(*) FROM ${t}`).pluck().get(),
  );
  return JSON.stringify([counts, bars]);
}

const big = barsCsv(200_000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-import-thread-'));
  const importWorker = await buildImportWorkerEntry();
  server = await startServer({ dbPath: join(dir, 'qd.db'), port: 0, staticDir: join(dir, 'none'), importWorker });
  client = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
  const sub = client.reply('sub');
  client.send({ id: 'sub', type: 'subscribe', topic: 'data:import-progressed' });
  expect((await sub).ok).toBe(true);
});

afterAll(async () => {
  client?.socket.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a CSV import through the served host runs off its thread', () => {
  it('keeps app:info answering during a 200,000-row upload commit; the host then sees the same rows and fingerprint as an in-thread import', async () => {
    const store = server.services.store;
    const before = dataFingerprint(store); // primes the fingerprint's in-process cache
    const uploadId = await upload('bars', 'big.csv', big);

    // A second client probes the host with app:info, one call after another, during the commit.
    const probe = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    const latencies: number[] = [];
    let importing = true;
    const probing = (async () => {
      while (importing) {
        const t = performance.now();
        const r = await probe.call('app:info');
        latencies.push(performance.now() - t);
        expect(r.ok).toBe(true);
        await new Promise((res) => setTimeout(res, 5)); // a client's pace, not a CPU-bound loop
      }
    })();
    const t0 = performance.now();
    const commit = await client.call('data:upload-commit', { uploadId });
    const importMs = performance.now() - t0;
    importing = false;
    await probing;
    probe.socket.close();

    expect(commit.ok, JSON.stringify(commit.error)).toBe(true);
    const report = commit.value as { rows: number; changed: number; sha256: string; source: string };
    expect(report).toMatchObject({ rows: 200_000, changed: 200_020, source: 'big.csv' }); // 20 new instruments with their bars
    const maxProbe = Math.max(...latencies);
    // Held on the host's thread, one probe would wait for (almost) the whole import.
    expect(
      maxProbe,
      `max app:info ${maxProbe.toFixed(1)} ms during a ${importMs.toFixed(0)} ms import (${latencies.length} probes)`,
    ).toBeLessThan(importMs * 0.25);
    expect(latencies.length).toBeGreaterThan(10);
    console.log(
      `import ${importMs.toFixed(0)} ms; app:info max ${maxProbe.toFixed(1)} ms over ${latencies.length} probes`,
    );

    // The same file imported on the calling thread into a fresh file store.
    const ref = openStore(join(dir, 'ref.db'));
    const r = await importCsv(ref, 'bars', { fileName: 'big.csv', content: big });
    expect(r.ok && { rows: r.value.rows, changed: r.value.changed, sha256: r.value.sha256 }).toEqual({
      rows: report.rows,
      changed: report.changed,
      sha256: report.sha256,
    });
    // The host's own connection sees the thread's commit: data, and the fingerprint past its cache.
    expect(dataFingerprint(store)).not.toBe(before);
    expect(dataFingerprint(store)).toBe(dataFingerprint(ref));
    expect(snapshot(store)).toBe(snapshot(ref));
    const coverage = await client.call('data:instruments');
    expect((coverage.value as unknown[]).length).toBe(20);
    ref.close();
  });

  it('reports a bad file as FILE:LINE: column: reason, exactly as in-thread, and stores nothing', async () => {
    const store = server.services.store;
    const before = { fp: dataFingerprint(store), snap: snapshot(store) };
    const lines = barsCsv(2_000, 7).split('\n');
    lines[5] = lines[5].replace(/,(\d+)$/, ',-3'); // line 6: a negative volume
    lines[1500] = lines[1500].replace(/^(S\d+,[\d-]+),[\d.]+,/, '$1,0x1C,'); // line 1501: a hex price
    const text = lines.join('\n');
    const viaUpload = await client.call('data:upload-commit', { uploadId: await upload('bars', 'bad.csv', text) });
    const viaImport = await client.call('data:import', { kind: 'bars', fileName: 'bad.csv', content: text });
    const inThread = await importCsv(openStore(':memory:'), 'bars', { fileName: 'bad.csv', content: text });
    for (const r of [viaUpload, viaImport] as HostFrame[]) {
      expect(r.ok).toBe(false);
      expect(r.error!.code).toBe('invalid-input');
      const details = (r.error as { details?: string[] }).details!;
      expect(details).toHaveLength(2);
      expect(details[0]).toMatch(/^bad\.csv:6: volume: /);
      expect(details[1]).toMatch(/^bad\.csv:1501: open: /);
      expect(!inThread.ok && inThread.error.details).toEqual(details);
    }
    expect(dataFingerprint(store)).toBe(before.fp);
    expect(snapshot(store)).toBe(before.snap);
  });

  it('cancels an import running on its thread: answers cancelled and stores nothing', async () => {
    const store = server.services.store;
    const before = { fp: dataFingerprint(store), snap: snapshot(store) };
    const uploadId = await upload('bars', 'big2.csv', barsCsv(200_000, 1));
    const seen = client.events.length;
    const commit = client.call('data:upload-commit', { uploadId });
    await client.event((f) => client.events.indexOf(f) >= seen && f.topic === 'data:import-progressed');
    const cancel = await client.call('data:upload-cancel', { uploadId });
    expect(cancel.value).toEqual({ cancelled: true });
    const r = await commit;
    expect(r.ok).toBe(false);
    expect(r.error!.code).toBe('cancelled');
    expect(dataFingerprint(store)).toBe(before.fp);
    expect(snapshot(store)).toBe(before.snap);
  });

  it('imports on the calling thread when the thread cannot start (an entry that fails to load), storing the same', async () => {
    const broken = join(dir, 'broken-worker.js');
    writeFileSync(broken, "throw new Error('cannot load');\n");
    const a = openStore(join(dir, 'fallback.db'));
    const text = barsCsv(500);
    const r = await importCsvOffThread(a, 'bars', { fileName: 'f.csv', content: text }, { workerEntry: broken });
    expect(r.ok && r.value.rows).toBe(500);
    const b = openStore(':memory:');
    await importCsv(b, 'bars', { fileName: 'f.csv', content: text });
    expect(snapshot(a)).toBe(snapshot(b));
    expect(dataFingerprint(a)).toBe(dataFingerprint(b));
    a.close();
    b.close();
  });
});
