import { afterEach, describe, expect, it } from 'vitest';
import { DATA_IMPORT_MAX_CHARS, DATA_UPLOAD_CHUNK_BYTES, type DataBars, type Events } from '../contract';
import { parseDate } from '../model/time';
import { decodeFrame, encodeFrame } from '../model/wire';
import { openStore } from '../store/sqlite-bar-store';
import { FIXTURE, loadFixture, tempDir } from '../store/test-helpers';
import { Uploads } from '../store/uploads';
import { dataHandlers } from './data-handlers';
import { dispatch, type Handlers } from './registry';
import type { Services } from './services';
import { connection } from '../store/internal';

const D = (s: string) => parseDate(s)!;

const disposals: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of disposals.splice(0)) await d();
});

function setup() {
  const store = openStore(':memory:');
  const events: [string, unknown][] = [];
  const uploads = new Uploads();
  disposals.push(() => uploads.dispose());
  const services = {
    store,
    dbPath: ':memory:',
    host: 'serve',
    emit: (ch: keyof Events, p: unknown) => events.push([ch, p]),
    uploads,
  } as unknown as Services;
  const handlers = dataHandlers(services) as unknown as Handlers;
  const call = (ch: string, input?: unknown, signal = new AbortController().signal) =>
    dispatch(handlers, ch, input, { signal });
  return { store, events, call };
}

/** Uploads `text` through `data:upload-*` in chunks of `chunk` bytes; the commit's result. */
async function upload(
  call: ReturnType<typeof setup>['call'],
  kind: string,
  fileName: string,
  text: string,
  chunk = DATA_UPLOAD_CHUNK_BYTES,
) {
  const bytes = Buffer.from(text);
  const b = await call('data:upload-begin', { kind, fileName, size: bytes.length });
  if (!b.ok) return b;
  const { uploadId } = b.value as { uploadId: string };
  for (let at = 0, seq = 0; at < bytes.length; at += chunk, seq++) {
    const c = await call('data:upload-chunk', {
      uploadId,
      seq,
      data: bytes.subarray(at, at + chunk).toString('base64'),
    });
    if (!c.ok) return c;
  }
  return call('data:upload-commit', { uploadId });
}

describe('data:* handlers through dispatch', () => {
  it('imports dropped CSV text with progress events, then lists coverage and serves bars as arrays', async () => {
    const { store, events, call } = setup();
    const r = await call('data:import', {
      kind: 'instruments',
      fileName: 'instruments.csv',
      content: FIXTURE.instruments,
    });
    expect(r.ok && r.value).toMatchObject({ kind: 'instruments', rows: 3, changed: 3 });
    await call('data:import', { kind: 'bars', fileName: 'bars.csv', content: FIXTURE.bars });
    const done = events.filter(([ch, p]) => ch === 'data:import-progressed' && (p as { done: boolean }).done);
    expect(done.map(([, p]) => (p as { importId: string; rows: number }).rows)).toEqual([3, 8]);
    expect(new Set(done.map(([, p]) => (p as { importId: string }).importId)).size).toBe(2);
    const inst = await call('data:instruments');
    expect(inst.ok && (inst.value as { symbol: string; bars: number }[]).map((x) => [x.symbol, x.bars])).toEqual([
      ['AAA', 5],
      ['BBB', 2],
      ['CCC', 0],
      ['ZZZ', 1],
    ]);
    await loadFixture(store); // actions and fundamentals too (instruments and bars re-import as no-ops)
    const bars = await call('data:bars', { symbol: 'AAA', adjustment: { asOf: D('2020-01-07') } });
    expect(bars.ok).toBe(true);
    if (!bars.ok) return;
    // Typed columns with EpochMs times, as both transports carry them; the WebSocket frame restores them bit for bit.
    const v = bars.value as DataBars;
    expect(v.close).toBeInstanceOf(Float64Array);
    expect(v.time).toBeInstanceOf(Float64Array);
    expect(Array.from(v.time)).toEqual(['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07', '2020-01-08'].map(D));
    expect(Array.from(v.close, (x) => +x.toFixed(10))).toEqual([4.75, 5.225, 5.7, 6.2, 6.3]);
    const back = decodeFrame(encodeFrame(v)) as typeof v;
    expect(back.time).toBeInstanceOf(Float64Array);
    expect(back.close).toEqual(v.close);
  });

  it('returns invalid-input with FILE:LINE details for a bad file, and stores nothing', async () => {
    const { store, call } = setup();
    const r = await call('data:import', {
      kind: 'bars',
      fileName: 'drop.csv',
      content: 'symbol,date,open,high,low,close,volume\nAAA,2020-01-02,1,1,1,1,-3\n',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid-input');
    expect(r.error.details).toEqual(['drop.csv:2: volume: must be >= 0, got -3']);
    expect(connection(store).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(0);
    const bad = await call('data:import', { kind: 'widgets', fileName: 'x.csv', content: '' });
    expect(bad.ok === false && bad.error.code).toBe('invalid-input');
  });

  it('refuses a host path (the page sends text it chose), answers asof, revisions and universe, and not-found for unknown symbols', async () => {
    const { store, call } = setup();
    const d = tempDir();
    try {
      const secret = d.write('secret.csv', 'root:x:0:0:root:/root:/bin/bash\n');
      for (const input of [
        { kind: 'instruments', path: secret },
        { kind: 'instruments', fileName: 'x.csv', content: '', path: secret },
        { kind: 'bars', path: '/dev/zero' },
      ]) {
        const r = await call('data:import', input);
        expect(r.ok === false && r.error.code).toBe('invalid-input');
        expect(JSON.stringify(r)).not.toContain('root:x');
      }
      expect(connection(store).prepare('SELECT count(*) FROM imports').pluck().get()).toBe(0);
      for (const kind of ['instruments', 'bars', 'actions', 'fundamentals'] as const) {
        const r = await call('data:import', { kind, fileName: `${kind}.csv`, content: FIXTURE[kind] });
        expect(r.ok).toBe(true);
      }
    } finally {
      d.cleanup();
    }
    const v = await call('data:asof', { symbol: 'AAA', field: 'eps', asOf: D('2020-06-01') });
    expect(v.ok && v.value).toMatchObject({ value: 1.6, periodEnd: D('2020-03-31'), knownAt: D('2020-06-01') });
    const h = await call('data:revisions', { symbol: 'AAA', field: 'eps' });
    expect(h.ok && (h.value as { value: number }[]).length).toBe(4);
    const u = await call('data:universe', { asOf: D('2020-07-01') });
    expect(u.ok && u.value).toEqual(['AAA', 'ZZZ']);
    const nf = await call('data:bars', { symbol: 'NOPE' });
    expect(nf.ok === false && nf.error.code).toBe('not-found');
  });

  it('never echoes a long line: a 10 MB line uploaded in chunks comes back as a short error, and a NUL-laden text as binary', async () => {
    const { store, call } = setup();
    const huge = `symbol,name,sector,currency,listed_on,delisted_on\nAAA,${'x'.repeat(10 * 1024 * 1024)},Tech,USD,2020-01-01,\n`;
    const r = await upload(call, 'instruments', 'huge.csv', huge);
    expect(r.ok === false && r.error.code).toBe('invalid-input');
    expect(JSON.stringify(r).length).toBeLessThan(1000);
    expect(!r.ok && r.error.details).toEqual(['huge.csv:2: (record): line longer than 65536 bytes']);
    const z = await call('data:import', { kind: 'bars', fileName: 'z.csv', content: 'symbol,date\n\u0000\u0000' });
    expect(z.ok === false && z.error.message).toBe(
      'z.csv:2: binary data (a NUL byte); not a CSV text file; nothing was imported',
    );
    const zu = await upload(call, 'bars', 'z.csv', 'symbol,date\n\u0000\u0000');
    expect(zu.ok === false && zu.error.message).toBe(
      'z.csv:2: binary data (a NUL byte); not a CSV text file; nothing was imported',
    );
    const big = await call('data:import', {
      kind: 'bars',
      fileName: 'big.csv',
      content: 'x'.repeat(DATA_IMPORT_MAX_CHARS + 1),
    });
    expect(big.ok === false && big.error.code).toBe('invalid-input');
    expect(JSON.stringify(big).length).toBeLessThan(1000);
    const over = await call('data:upload-begin', { kind: 'bars', fileName: 'big.csv', size: 64 * 1024 * 1024 + 1 });
    expect(over.ok === false && over.error.message).toContain('at most 67108864 bytes from the app');
    expect(connection(store).prepare('SELECT count(*) FROM imports').pluck().get()).toBe(0);
  });

  it('imports a file in chunks as data:import imports its text, with progress events', async () => {
    const { store, events, call } = setup();
    const r = await upload(call, 'bars', 'bars.csv', FIXTURE.bars, 37);
    expect(r.ok && r.value).toMatchObject({ kind: 'bars', source: 'bars.csv', rows: 8 });
    const one = openStore(':memory:');
    const o = await dataHandlers({ store: one, emit: () => {}, uploads: null } as unknown as Services)['data:import'](
      { kind: 'bars', fileName: 'bars.csv', content: FIXTURE.bars },
      { signal: new AbortController().signal },
    );
    expect(r.ok && o.ok && (r.value as { sha256: string }).sha256).toBe(o.ok && o.value.sha256);
    expect(connection(store).prepare('SELECT * FROM bars ORDER BY 1, 2').all()).toEqual(
      connection(one).prepare('SELECT * FROM bars ORDER BY 1, 2').all(),
    );
    expect(
      events.some(
        ([ch, p]) =>
          ch === 'data:import-progressed' &&
          (p as { done: boolean; rows: number }).done &&
          (p as { rows: number }).rows === 8,
      ),
    ).toBe(true);
    one.close();
  });

  it('validates every upload input at the schema: base64 only, bounded chunks and sizes, strict objects', async () => {
    const { store, call } = setup();
    const b = await call('data:upload-begin', { kind: 'bars', fileName: 'x.csv', size: 100 });
    expect(b.ok).toBe(true);
    const uploadId = b.ok && (b.value as { uploadId: string }).uploadId;
    for (const [input, field] of [
      [{ uploadId, seq: 0, data: 'not base64!' }, 'data'],
      [{ uploadId, seq: 0, data: Buffer.alloc(DATA_UPLOAD_CHUNK_BYTES + 3).toString('base64') }, 'data'],
      [{ uploadId, seq: -1, data: 'QUJD' }, 'seq'],
      [{ uploadId, seq: 0.5, data: 'QUJD' }, 'seq'],
      [{ uploadId, seq: 0, data: 'QUJD', path: '/etc/passwd' }, '(input)'],
    ] as const) {
      const r = await call('data:upload-chunk', input);
      expect(r.ok === false && r.error.code, JSON.stringify(input).slice(0, 80)).toBe('invalid-input');
      expect(r.ok === false && r.error.details?.[0], JSON.stringify(input).slice(0, 80)).toMatch(
        new RegExp(`^${field.replace(/[()]/g, '\\$&')}: `),
      );
    }
    for (const input of [
      { kind: 'bars', fileName: 'x.csv', size: -1 },
      { kind: 'bars', fileName: 'a\u0000b', size: 1 },
      { kind: 'bars', fileName: 'x.csv', size: 1, path: '/etc/passwd' },
    ]) {
      expect((await call('data:upload-begin', input)).ok).toBe(false);
    }
    // The upload survived the refused frames (they never reached it) and takes its first chunk.
    expect((await call('data:upload-chunk', { uploadId, seq: 0, data: 'QUJD' })).ok).toBe(true);
    expect(await call('data:upload-cancel', { uploadId })).toEqual({ ok: true, value: { cancelled: true } });
    const gone = await call('data:upload-commit', { uploadId });
    expect(gone.ok === false && gone.error.code).toBe('not-found');
    expect(connection(store).prepare('SELECT count(*) FROM imports').pluck().get()).toBe(0);
  });

  it('a full chunk fits in one 1 MiB WebSocket frame (the cap of `quantdesk serve`), as does a full data:import of ASCII text', () => {
    const frame = encodeFrame({
      id: 2 ** 31,
      method: 'data:upload-chunk',
      params: {
        uploadId: `up-${'f'.repeat(24)}`,
        seq: 127,
        data: Buffer.alloc(DATA_UPLOAD_CHUNK_BYTES, 0xff).toString('base64'),
      },
    });
    expect(Buffer.byteLength(frame)).toBeLessThan(1024 * 1024);
    const text = encodeFrame({
      id: 2 ** 31,
      method: 'data:import',
      params: { kind: 'fundamentals', fileName: 'f'.repeat(255), content: 'x'.repeat(DATA_IMPORT_MAX_CHARS) },
    });
    expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024);
  });

  it('a cancelled import call stores nothing and answers cancelled', async () => {
    const { store, call } = setup();
    const ac = new AbortController();
    ac.abort();
    const r = await call('data:import', { kind: 'bars', fileName: 'b.csv', content: FIXTURE.bars }, ac.signal);
    expect(r.ok === false && r.error.code).toBe('cancelled');
    expect(connection(store).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(0);
  });
});
