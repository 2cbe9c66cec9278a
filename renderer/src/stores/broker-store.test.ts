import { beforeEach, describe, expect, it } from 'vitest';
import type { BrokerStatusView } from '../../../core/contract';
import { armPhraseFrom, connectBroker, loadBrokers, useBrokerStore } from './broker-store';
import { installFakeApi } from './test-api';

const LIVE: BrokerStatusView = {
  connected: true, broker: 'alpaca', mode: 'live', accountId: 'PA1', currency: 'USD', equity: 10, cash: 10, buyingPower: 20, armed: true, session: 's', reconcile: null,
};

beforeEach(() => useBrokerStore.setState({ brokers: [], armPhrase: null, isBusy: false, error: null }));

describe('broker store', () => {
  it('a live connect first asks for the phrase, then sends what the user typed', async () => {
    const fake = installFakeApi({
      'broker:connect': (input) =>
        (input as { confirm?: string }).confirm === 'LIVE PA1'
          ? { ok: true, value: LIVE }
          : { ok: false, error: { code: 'invalid-input', message: 'alpaca: this account trades REAL money: type "LIVE PA1" to arm this session' } },
    });
    await connectBroker({ broker: 'alpaca', live: true });
    expect(useBrokerStore.getState()).toMatchObject({ armPhrase: 'LIVE PA1', error: null });
    await connectBroker({ broker: 'alpaca', live: true }, 'LIVE PA1');
    expect(useBrokerStore.getState()).toMatchObject({ armPhrase: null, status: { mode: 'live', armed: true } });
    expect(fake.calls.map((c) => c.input)).toEqual([{ broker: 'alpaca', live: true }, { broker: 'alpaca', live: true, confirm: 'LIVE PA1' }]);
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
});
