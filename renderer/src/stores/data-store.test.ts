import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  cancelImport,
  importFile,
  inspectPit,
  revisionRows,
  kindFromFileName,
  setPitInput,
  useImportStore,
  usePitStore,
} from './data-store';
import { useInstrumentsStore } from './instruments-store';
import { installFakeApi } from './test-api';

const importInitial = useImportStore.getState();
const pitInitial = usePitStore.getState();

describe('data store', () => {
  beforeEach(() => {
    useImportStore.setState(importInitial, true);
    usePitStore.setState(pitInitial, true);
    useInstrumentsStore.setState({ instruments: [], isLoaded: false, error: null });
  });

  it('guesses the import kind from the file name', () => {
    expect(kindFromFileName('Instruments-2024.csv')).toBe('instruments');
    expect(kindFromFileName('fundamentals.csv')).toBe('fundamentals');
    expect(kindFromFileName('splits_and_dividends.csv')).toBe('actions');
    expect(kindFromFileName('daily_prices.csv')).toBe('bars');
    expect(kindFromFileName('x.csv')).toBeNull();
  });

  /** A picked file as the page sees it: sliced and read one chunk at a time (counted). */
  function file(name: string, text: string | Uint8Array) {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    const reads: [number, number][] = [];
    return {
      reads,
      name,
      size: bytes.length,
      slice: (a: number, b: number) => ({
        arrayBuffer: async () => {
          reads.push([a, b]);
          return bytes.slice(a, b).buffer;
        },
      }),
    };
  }

  /** A fake host upload: keeps the chunks it got, answers the receipt; `commit` decides the result. */
  function uploadApi(
    commit: (got: Uint8Array) => Promise<unknown> | unknown,
    extra: Parameters<typeof installFakeApi>[0] = {},
  ) {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const fake = installFakeApi({
      'data:upload-begin': (i) => {
        size = (i as { size: number }).size;
        return { ok: true, value: { uploadId: 'up-1', chunkBytes: 4, maxBytes: 64 * 1024 * 1024, idleMs: 120_000 } };
      },
      'data:upload-chunk': (i) => {
        const c = i as { uploadId: string; seq: number; data: string };
        expect(c.seq).toBe(chunks.length);
        chunks.push(Uint8Array.from(atob(c.data), (ch) => ch.charCodeAt(0)));
        return { ok: true, value: { uploadId: c.uploadId, received: chunks.reduce((n, x) => n + x.length, 0), size } };
      },
      'data:upload-commit': async () => commit(Uint8Array.from(chunks.flatMap((c) => [...c]))) as never,
      'data:upload-cancel': () => ({ ok: true, value: { cancelled: true } }),
      ...extra,
    });
    return { fake, chunks };
  }

  it('uploads a picked file in the chunks the host asks for, with progress, imports it on commit, then reloads the coverage', async () => {
    const text = 'symbol,date\nÉTÉ,2020-01-02\n';
    const f = file('p.csv', text);
    const sentSeen: number[] = [];
    const off = useImportStore.subscribe((s) => {
      if (s.stage === 'uploading' && sentSeen.at(-1) !== s.sent) sentSeen.push(s.sent);
    });
    const { fake, chunks } = uploadApi(
      (got) => {
        expect(new TextDecoder().decode(got)).toBe(text);
        expect(useImportStore.getState().stage).toBe('importing');
        fake.emit('data:import-progressed', {
          importId: '1',
          phase: 'parse',
          rows: 10,
          bytes: 50,
          totalBytes: 100,
          done: false,
        });
        expect(useImportStore.getState().progress?.rows).toBe(10);
        return {
          ok: true,
          value: { kind: 'bars', source: 'p.csv', importId: 3, rows: 2, changed: 2, sha256: 'x', durationMs: 1 },
        };
      },
      {
        'data:instruments': () => ({
          ok: true,
          value: [
            {
              id: 1,
              symbol: 'ZZ',
              name: 'Z',
              sector: 'T',
              currency: 'USD',
              listedOn: null,
              delistedOn: null,
              firstDate: 1,
              lastDate: 2,
              bars: 2,
              gaps: 0,
            },
          ],
        }),
      },
    );
    await importFile(f, 'bars');
    off();
    expect(fake.calls[0]).toEqual({
      channel: 'data:upload-begin',
      input: { kind: 'bars', fileName: 'p.csv', size: f.size },
    });
    expect(chunks.length).toBe(Math.ceil(f.size / 4));
    // One slice in memory at a time, never the whole file.
    expect(f.reads.every(([a, b]) => b - a <= 4)).toBe(true);
    expect(sentSeen).toEqual([0, ...chunks.map((_, i) => Math.min(f.size, (i + 1) * 4))]);
    expect(fake.calls.map((c) => c.channel).filter((c) => c !== 'data:upload-chunk')).toEqual([
      'data:upload-begin',
      'data:upload-commit',
      'data:instruments',
    ]);
    expect(useImportStore.getState()).toMatchObject({ isRunning: false, stage: null, report: { changed: 2 } });
    expect(useInstrumentsStore.getState().instruments.map((i) => i.symbol)).toEqual(['ZZ']);
  });

  it('keeps the importer line errors for display and does not reload', async () => {
    const { fake } = uploadApi(() => ({
      ok: false,
      error: {
        code: 'invalid-input',
        message: 'bad.csv: 1 bad row',
        details: ['bad.csv:3: close: "abc" is not a number'],
      },
    }));
    await importFile(file('bad.csv', 'x'), 'bars');
    expect(useImportStore.getState().error?.details).toEqual(['bad.csv:3: close: "abc" is not a number']);
    expect(fake.calls.map((c) => c.channel)).toEqual(['data:upload-begin', 'data:upload-chunk', 'data:upload-commit']);
  });

  it('Cancel between chunks discards the upload without committing; nothing is stored', async () => {
    const { fake, chunks } = uploadApi(() => {
      throw new Error('must not commit');
    });
    const off = useImportStore.subscribe((s) => {
      if (s.sent >= 8 && !s.isCancelling) void cancelImport();
    });
    await importFile(file('big.csv', 'a'.repeat(40)), 'bars');
    off();
    expect(chunks.length).toBe(2);
    expect(fake.calls.at(-1)).toEqual({ channel: 'data:upload-cancel', input: { uploadId: 'up-1' } });
    expect(useImportStore.getState()).toMatchObject({
      isRunning: false,
      isCancelling: false,
      error: { code: 'cancelled', message: 'import of big.csv was cancelled; nothing was stored' },
    });
  });

  it('Cancel while the host imports asks the host to cancel the import', async () => {
    let release: (v: unknown) => void = () => {};
    const { fake } = uploadApi(() => new Promise((r) => (release = r)));
    const done = importFile(file('b.csv', 'abc'), 'bars');
    await vi.waitFor(() => expect(useImportStore.getState().stage).toBe('importing'));
    await cancelImport();
    expect(fake.calls.at(-1)).toEqual({ channel: 'data:upload-cancel', input: { uploadId: 'up-1' } });
    release({ ok: false, error: { code: 'cancelled', message: 'import of b.csv was cancelled; nothing was stored' } });
    await done;
    expect(useImportStore.getState().error?.code).toBe('cancelled');
  });

  it('refuses a file over the upload limit before reading or calling', async () => {
    const fake = installFakeApi({});
    const f = { ...file('huge.csv', ''), size: 64 * 1024 * 1024 + 1 };
    await importFile(f, 'bars');
    expect(fake.calls).toEqual([]);
    expect(f.reads).toEqual([]);
    expect(useImportStore.getState().error?.message).toMatch(
      /^huge\.csv: 67108865 bytes, over the 67108864-byte limit/,
    );
  });

  it('inspects a field as of a date with its revisions, and refuses a bad date without calling', async () => {
    const fake = installFakeApi({
      'data:asof': () => ({
        ok: true,
        value: { symbol: 'AAA', field: 'eps', asOf: Date.UTC(2020, 5, 30), value: 1.5, periodEnd: 1, knownAt: 2 },
      }),
      'data:revisions': () => ({
        ok: true,
        value: [
          { periodEnd: 1, knownAt: 2, value: 1.5 },
          { periodEnd: 1, knownAt: 9, value: 1.4 },
        ],
      }),
    });
    setPitInput({ symbol: 'aaa', field: 'eps', asOf: '2020-13-01' });
    await inspectPit();
    expect(usePitStore.getState().error?.code).toBe('invalid-input');
    expect(fake.calls).toHaveLength(0);
    setPitInput({ asOf: '2020-06-30' });
    await inspectPit();
    expect(fake.calls[0].input).toEqual({ symbol: 'AAA', field: 'eps', asOf: Date.UTC(2020, 5, 30) });
    expect(usePitStore.getState().value?.value).toBe(1.5);
    expect(usePitStore.getState().revisions).toHaveLength(2);
  });
});

describe('revisionRows (issue 11: restated rows are marked as restatements)', () => {
  const D = (s: string) => Date.parse(`${s}T00:00:00Z`);
  const revisions = [
    { periodEnd: D('2020-03-31'), knownAt: D('2020-05-10'), value: 1.0 },
    { periodEnd: D('2020-03-31'), knownAt: D('2020-08-01'), value: 1.1 },
    { periodEnd: D('2020-03-31'), knownAt: D('2020-10-01'), value: 1.2 },
    { periodEnd: D('2020-06-30'), knownAt: D('2020-08-15'), value: 1.5 },
  ];
  it('marks every later version of a period as a restatement of the one before, even the row used as of the date', () => {
    const value = {
      symbol: 'AAA',
      field: 'eps',
      asOf: D('2020-09-01'),
      value: 1.5,
      periodEnd: D('2020-06-30'),
      knownAt: D('2020-08-15'),
    };
    const rows = revisionRows(revisions, value);
    expect(rows.map((r) => [r.version, r.restates, r.isUsed, r.isFuture])).toEqual([
      [0, null, false, false],
      [1, 1.0, false, false],
      [2, 1.1, false, true],
      [0, null, true, false],
    ]);
    // As of a date where the restatement is the value used, it is still marked as one.
    const used = revisionRows(revisions, {
      ...value,
      asOf: D('2020-08-05'),
      value: 1.1,
      periodEnd: D('2020-03-31'),
      knownAt: D('2020-08-01'),
    });
    expect(used[1]).toMatchObject({ version: 1, isUsed: true });
  });
});
