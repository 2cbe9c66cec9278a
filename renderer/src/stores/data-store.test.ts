import { beforeEach, describe, expect, it } from 'vitest';
import { importFile, inspectPit, revisionRows, kindFromFileName, setPitInput, useImportStore, usePitStore } from './data-store';
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

  it('imports dropped text with progress, then reloads the coverage', async () => {
    const fake = installFakeApi({
      'data:import': () => {
        fake.emit('data:import-progressed', { importId: '1', phase: 'parse', rows: 10, bytes: 50, totalBytes: 100, done: false });
        expect(useImportStore.getState().progress?.rows).toBe(10);
        return { ok: true, value: { kind: 'bars', source: 'p.csv', importId: 3, rows: 2, changed: 2, sha256: 'x', durationMs: 1 } };
      },
      'data:instruments': () => ({ ok: true, value: [{ id: 1, symbol: 'ZZ', name: 'Z', sector: 'T', currency: 'USD', listedOn: null, delistedOn: null, firstDate: 1, lastDate: 2, bars: 2, gaps: 0 }] }),
    });
    await importFile('p.csv', 'symbol,date\n', 'bars');
    expect(fake.calls[0]).toEqual({ channel: 'data:import', input: { kind: 'bars', fileName: 'p.csv', content: 'symbol,date\n' } });
    expect(useImportStore.getState().report?.changed).toBe(2);
    expect(useImportStore.getState().isRunning).toBe(false);
    expect(useInstrumentsStore.getState().instruments.map((i) => i.symbol)).toEqual(['ZZ']);
  });

  it('keeps the importer line errors for display and does not reload', async () => {
    const fake = installFakeApi({
      'data:import': () => ({ ok: false, error: { code: 'invalid-input', message: 'bad.csv: 1 bad row', details: ['bad.csv:3: close: "abc" is not a number'] } }),
    });
    await importFile('bad.csv', 'x', 'bars');
    expect(useImportStore.getState().error?.details).toEqual(['bad.csv:3: close: "abc" is not a number']);
    expect(fake.calls.map((c) => c.channel)).toEqual(['data:import']);
  });

  it('inspects a field as of a date with its revisions, and refuses a bad date without calling', async () => {
    const fake = installFakeApi({
      'data:asof': () => ({ ok: true, value: { symbol: 'AAA', field: 'eps', asOf: Date.UTC(2020, 5, 30), value: 1.5, periodEnd: 1, knownAt: 2 } }),
      'data:revisions': () => ({ ok: true, value: [{ periodEnd: 1, knownAt: 2, value: 1.5 }, { periodEnd: 1, knownAt: 9, value: 1.4 }] }),
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
    const value = { symbol: 'AAA', field: 'eps', asOf: D('2020-09-01'), value: 1.5, periodEnd: D('2020-06-30'), knownAt: D('2020-08-15') };
    const rows = revisionRows(revisions, value);
    expect(rows.map((r) => [r.version, r.restates, r.isUsed, r.isFuture])).toEqual([
      [0, null, false, false],
      [1, 1.0, false, false],
      [2, 1.1, false, true],
      [0, null, true, false],
    ]);
    // As of a date where the restatement is the value used, it is still marked as one.
    const used = revisionRows(revisions, { ...value, asOf: D('2020-08-05'), value: 1.1, periodEnd: D('2020-03-31'), knownAt: D('2020-08-01') });
    expect(used[1]).toMatchObject({ version: 1, isUsed: true });
  });
});
