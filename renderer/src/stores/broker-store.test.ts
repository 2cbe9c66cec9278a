import { beforeEach, describe, expect, it } from 'vitest';
import type { BrokerStatusView } from '../../../core/contract';
import { armPhraseFrom, connectBroker, loadBrokers, saveBrokerKeys, useBrokerStore } from './broker-store';
import { installFakeApi } from './test-api';

const LIVE: BrokerStatusView = {
  connected: true,
  broker: 'alpaca',
  mode: 'live',
  accountId: 'PA1',
  currency: 'USD',
  equity: 10,
  cash: 10,
  buyingPower: 20,
  armed: true,
  session: 's',
  reconcile: null,
};

beforeEach(() => useBrokerStore.setState({ brokers: [], armPhrase: null, isBusy: false, error: null }));

describe('broker store', () => {
  it('a live connect first asks for the phrase, then sends what the user typed', async () => {
    const fake = installFakeApi({
      'broker:connect': (input) =>
        (input as { confirm?: string }).confirm === 'LIVE PA1'
          ? { ok: true, value: LIVE }
          : {
              ok: false,
              error: {
                code: 'invalid-input',
                message: 'alpaca: this account trades REAL money: type "LIVE PA1" to arm this session',
              },
            },
    });
    await connectBroker({ broker: 'alpaca', live: true });
    expect(useBrokerStore.getState()).toMatchObject({ armPhrase: 'LIVE PA1', error: null });
    await connectBroker({ broker: 'alpaca', live: true }, 'LIVE PA1');
    expect(useBrokerStore.getState()).toMatchObject({ armPhrase: null, status: { mode: 'live', armed: true } });
    expect(fake.calls.map((c) => c.input)).toEqual([
      { broker: 'alpaca', live: true },
      { broker: 'alpaca', live: true, confirm: 'LIVE PA1' },
    ]);
  });

  it('loads brokers and status; other errors are shown', async () => {
    installFakeApi({
      'broker:list': () => ({ ok: true, value: [{ name: 'paper', summary: '', configured: true, keys: [] }] }),
      'broker:status': () => ({ ok: true, value: LIVE }),
    });
    await loadBrokers();
    expect(useBrokerStore.getState().status.accountId).toBe('PA1');
    expect(armPhraseFrom({ code: 'unavailable', message: 'x' })).toBeNull();
  });

  it('saving keys keeps only what the host answers (which keys are set), and shows a refusal', async () => {
    const fake = installFakeApi({
      'broker:credentials-set': () => ({
        ok: true,
        value: [{ name: 'kis', summary: '', configured: true, keys: ['KIS_APP_KEY'] }],
      }),
    });
    expect(await saveBrokerKeys('kis', { KIS_APP_KEY: 'k', KIS_APP_SECRET: 'sec-9f3' })).toBe(true);
    expect(useBrokerStore.getState().brokers).toEqual([
      { name: 'kis', summary: '', configured: true, keys: ['KIS_APP_KEY'] },
    ]);
    expect(JSON.stringify(useBrokerStore.getState())).not.toContain('sec-9f3');
    expect(fake.calls[0]).toEqual({
      channel: 'broker:credentials-set',
      input: { broker: 'kis', values: { KIS_APP_KEY: 'k', KIS_APP_SECRET: 'sec-9f3' } },
    });
    installFakeApi({
      'broker:credentials-set': () => ({
        ok: false,
        error: { code: 'unavailable', message: 'this host reads broker keys from its environment' },
      }),
    });
    expect(await saveBrokerKeys('kis', {})).toBe(false);
    expect(useBrokerStore.getState().error?.code).toBe('unavailable');
  });
});
