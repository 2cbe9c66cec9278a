import { beforeEach, describe, expect, it } from 'vitest';
import { useBacktestStore } from './backtest-store';
import {
  backtestFromEditor,
  newFromTemplate,
  openStored,
  saveSource,
  setSource,
  typecheckSource,
  useEditorStore,
} from './editor-store';
import { useNavStore } from './nav-store';
import { useStrategiesStore } from './strategies-store';
import { installFakeApi } from './test-api';

const initial = {
  editor: useEditorStore.getState(),
  backtest: useBacktestStore.getState(),
  strategies: useStrategiesStore.getState(),
  nav: useNavStore.getState(),
};
const mine = {
  name: 'mine',
  description: 'user strategy mine',
  kind: 'single' as const,
  params: { type: 'object', properties: {} },
  source: 'user' as const,
};

describe('editor store', () => {
  beforeEach(() => {
    useEditorStore.setState(initial.editor, true);
    useBacktestStore.setState(initial.backtest, true);
    useStrategiesStore.setState(initial.strategies, true);
    useNavStore.setState(initial.nav, true);
  });

  it('a failed save keeps the text, shows the problems and does not leave the view', async () => {
    installFakeApi({
      'strategies:save': () => ({ ok: false, error: { code: 'invalid-input', message: '1:16: cannot import "fs"' } }),
      'strategies:compile': () => ({
        ok: true,
        value: {
          ok: false,
          problems: [{ line: 1, column: 16, message: 'cannot import "fs"' }],
          name: null,
          kind: null,
        },
      }),
    });
    setSource(`import fs from 'fs';`);
    expect(await saveSource()).toBeNull();
    const s = useEditorStore.getState();
    expect(s.problems).toEqual([{ line: 1, column: 16, message: 'cannot import "fs"' }]);
    expect(s.error?.message).toContain('cannot import');
    expect(s.source).toBe(`import fs from 'fs';`);
  });

  it('Backtest saves, selects the strategy, fills a symbol when the form has none, and starts the run in the Backtest view', async () => {
    const fake = installFakeApi({
      'strategies:save': () => ({ ok: true, value: { name: 'mine', version: 3, added: true } }),
      'strategies:source': () => ({
        ok: true,
        value: { name: 'mine', version: 3, source: 'x', versions: [{ version: 3, hash: 'h', addedAt: 0 }] },
      }),
      'strategies:list': () => ({ ok: true, value: [mine] }),
      'data:instruments': () => ({ ok: true, value: [{ symbol: 'ABAG' }] as never }),
      'backtest:start': () => ({ ok: false, error: { code: 'invalid-input', message: 'stop here' } }),
    });
    newFromTemplate('single');
    await backtestFromEditor();
    expect(useEditorStore.getState()).toMatchObject({ name: 'mine', status: 'saved mine v3' });
    expect(useStrategiesStore.getState().selected).toBe('mine');
    expect(useBacktestStore.getState().setup.symbols).toBe('ABAG');
    expect(useNavStore.getState().view).toBe('backtest');
    const start = fake.calls.find((c) => c.channel === 'backtest:start');
    expect((start?.input as { spec: { strategy: string; symbols: string[] } }).spec).toMatchObject({
      strategy: 'mine',
      symbols: ['ABAG'],
    });
  });

  it('opens a stored strategy with its history', async () => {
    installFakeApi({
      'strategies:source': () => ({
        ok: true,
        value: {
          name: 'mine',
          version: 2,
          source: 'src v2',
          versions: [
            { version: 2, hash: 'b', addedAt: 2 },
            { version: 1, hash: 'a', addedAt: 1 },
          ],
        },
      }),
    });
    await openStored('mine');
    expect(useEditorStore.getState()).toMatchObject({
      name: 'mine',
      source: 'src v2',
      savedSource: 'src v2',
      status: 'mine v2',
    });
    expect(useEditorStore.getState().versions.map((v) => v.version)).toEqual([2, 1]);
  });
  it('type checks one at a time: sources typed while one runs wait, and only the newest is checked', async () => {
    const gates: (() => void)[] = [];
    const fake = installFakeApi({
      'strategies:typecheck': (input) =>
        new Promise((resolve) => {
          const src = (input as { source: string }).source;
          gates.push(() =>
            resolve({
              ok: true,
              value: {
                diagnostics: [{ line: 1, col: 1, endLine: 1, endCol: 2, message: src, severity: 'error' }],
                timedOut: false,
                ms: 1,
              },
            }),
          );
        }),
    });
    const a = typecheckSource('a');
    const b = typecheckSource('b');
    const c = typecheckSource('c');
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.calls.map((x) => (x.input as { source: string }).source)).toEqual(['a']);
    gates.shift()!();
    expect((await a)[0].message).toBe('a');
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.calls.map((x) => (x.input as { source: string }).source)).toEqual(['a', 'c']);
    gates.shift()!();
    expect((await b)[0].message).toBe('c');
    expect((await c)[0].message).toBe('c');
    expect(useEditorStore.getState().typeErrors[0].message).toBe('c');
  });
});
