import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, Events, PlatformApiKey, PlatformJobRun } from '../contract';
import { startTestServer, type Reply } from '../connectors/test-server';
import { startHostScheduler } from '../scheduler/host';
import { addJob, jobHistory } from '../scheduler/jobs';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch, type Handlers } from './registry';
import { createServices, disposeServices, type BrokerCredentials, type Services } from './services';
import { connection } from '../store/internal';

// Issue 19 item 1: in the app, a connector's key is set through the contract (stored by the host),
// a fetch job run through the host's handlers reads it there, and no answer, row or error carries it.

const KEY = 'SECRETKEY123';
const ctx = { signal: new AbortController().signal };

// Alpha Vantage's documented TIME_SERIES_DAILY answers (as in core/connectors/prices.test.ts), on loopback.
const AV_IBM = {
  'Meta Data': {
    '1. Information': 'Daily Prices (open, high, low, close) and Volumes',
    '2. Symbol': 'IBM',
    '3. Last Refreshed': '2024-01-05',
  },
  'Time Series (Daily)': {
    '2024-01-05': {
      '1. open': '160.9000',
      '2. high': '161.4900',
      '3. low': '160.3600',
      '4. close': '160.8600',
      '5. volume': '3654452',
    },
    '2024-01-04': {
      '1. open': '161.0000',
      '2. high': '161.9900',
      '3. low': '160.6700',
      '4. close': '161.1000',
      '5. volume': '4102532',
    },
  },
};
function avRoute(url: URL): Reply {
  if (url.pathname !== '/query') return { status: 404 };
  if (url.searchParams.get('apikey') !== KEY)
    return {
      body: JSON.stringify({
        'Error Message':
          'the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key).',
      }),
    };
  const s = url.searchParams.get('symbol');
  if (s === 'IBM') return { body: JSON.stringify(AV_IBM), type: 'application/json' };
  // The provider really echoes the key in this message.
  if (s === 'INFO')
    return {
      body: JSON.stringify({
        Information: `We have detected your API key as ${KEY} and our standard API rate limit is 25 requests per day.`,
      }),
    };
  return { body: JSON.stringify({ 'Error Message': 'Invalid API call.' }) };
}

/** A host store like the app's: environment first, then what was set (kept in memory here). */
function appCredentials(env: Record<string, string>): BrokerCredentials & { stored: Record<string, string> } {
  const stored: Record<string, string> = {};
  return {
    stored,
    get: () => ({ ...stored, ...env }),
    set: (values) => {
      for (const [k, v] of Object.entries(values))
        if (v === '') delete stored[k];
        else stored[k] = v;
    },
  };
}

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer(avRoute);
});
afterAll(async () => {
  await server.close();
});

let store: Store;
let services: Services;
let handlers: Handlers;
const events: unknown[] = [];
function host(credentials?: BrokerCredentials): void {
  store = openStore(':memory:');
  services = createServices({
    store,
    dbPath: ':memory:',
    host: credentials?.set ? 'electron' : 'serve',
    credentials,
    emit: <E extends EventChannel>(channel: E, payload: Events[E]) => void events.push({ channel, payload }),
  });
  handlers = createHandlers(services);
}
afterEach(async () => {
  await disposeServices(services);
  store.close();
});
const answers: unknown[] = [];
async function call<T>(channel: string, input?: unknown): Promise<T> {
  const r = await dispatch(handlers, channel, input, ctx);
  answers.push(r);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}
/** Every row of every table, as text: the key must be in none (jobs' command lines, run errors, imports, journal). */
function dumpStore(): string {
  const tables = connection(store)
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
    .pluck()
    .all() as string[];
  return tables.map((t) => JSON.stringify(connection(store).prepare(`SELECT * FROM "${t}"`).all())).join('\n');
}

describe('connector keys through the host', () => {
  it('a key set through the contract is used by a fetch job run by the host, and never comes back', async () => {
    const creds = appCredentials({});
    host(creds);
    const job = (name: string, symbol: string) =>
      addJob(store, {
        name,
        cron: '0 8 * * 1-5',
        timezone: 'America/New_York',
        command: [
          'fetch',
          'alphavantage',
          '--symbols',
          symbol,
          '--base-url',
          server.base,
          '--rate-ms',
          '0',
          '--retries',
          '0',
          '--timeout-ms',
          '2000',
        ],
      });
    expect(job('av', 'IBM').ok).toBe(true);
    expect(job('av-info', 'INFO').ok).toBe(true);

    const before = await call<PlatformApiKey[]>('platform:api-keys');
    expect(before).toEqual([
      { connector: 'alphavantage', env: 'ALPHAVANTAGE_API_KEY', set: false, storable: true },
      { connector: 'dart', env: 'DART_API_KEY', set: false, storable: true },
    ]);
    // Without a key the job fails and says which variable to set; nothing is requested or stored.
    const noKey = await call<PlatformJobRun>('platform:job-run', { job: 'av' });
    expect(noKey).toMatchObject({ status: 'failed', error: expect.stringMatching(/ALPHAVANTAGE_API_KEY/) });
    expect(server.requests).toHaveLength(0);

    const after = await call<PlatformApiKey[]>('platform:api-key-set', {
      connector: 'alphavantage',
      value: ` ${KEY} `,
    });
    expect(after.find((k) => k.connector === 'alphavantage')).toEqual({
      connector: 'alphavantage',
      env: 'ALPHAVANTAGE_API_KEY',
      set: true,
      storable: true,
    });
    expect(creds.stored).toEqual({ ALPHAVANTAGE_API_KEY: KEY });

    const run = await call<PlatformJobRun>('platform:job-run', { job: 'av' });
    // 3 rows: the instrument IBM (created) and its two bars.
    expect(run).toMatchObject({ status: 'ok', rowsChanged: 3, error: null });
    expect(server.requests.at(-1)?.searchParams.get('apikey')).toBe(KEY);
    expect(connection(store).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(2);

    // The provider's message that echoes the key is scrubbed before it reaches the run history.
    const info = await call<PlatformJobRun>('platform:job-run', { job: 'av-info' });
    expect(info.status).toBe('failed');
    expect(info.error).toMatch(/rate limit/);

    await call('platform:jobs');
    await call('platform:job-runs', {});
    await call('broker:list');
    await call('platform:health');
    const everything = JSON.stringify([answers, events]);
    expect(everything).not.toContain(KEY);
    expect(dumpStore()).not.toContain(KEY);

    // '' removes the stored key.
    const cleared = await call<PlatformApiKey[]>('platform:api-key-set', { connector: 'alphavantage', value: '' });
    expect(cleared[0].set).toBe(false);
    expect(creds.stored).toEqual({});
  });

  it('the environment wins over a stored key; a host that reads only its environment refuses to store', async () => {
    const creds = appCredentials({ DART_API_KEY: 'from-env' });
    host(creds);
    await call('platform:api-key-set', { connector: 'dart', value: 'stored-one' });
    expect(creds.get().DART_API_KEY).toBe('from-env');
    expect((await call<PlatformApiKey[]>('platform:api-keys'))[1]).toMatchObject({ env: 'DART_API_KEY', set: true });
    await disposeServices(services);
    store.close();

    host({ get: () => ({}) });
    expect((await call<PlatformApiKey[]>('platform:api-keys')).every((k) => !k.set && !k.storable)).toBe(true);
    const refused = await dispatch(handlers, 'platform:api-key-set', { connector: 'alphavantage', value: KEY }, ctx);
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringMatching(/ALPHAVANTAGE_API_KEY/) },
    });
    expect(JSON.stringify(refused)).not.toContain(KEY);
    // Unknown connectors and oversize values are refused by the contract.
    expect(await dispatch(handlers, 'platform:api-key-set', { connector: 'stooq', value: 'x' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
  });

  it("the app's scheduler reads the key from the host's credentials at each run (a missed slot caught up on start)", async () => {
    const creds = appCredentials({});
    host(creds);
    creds.set!({ ALPHAVANTAGE_API_KEY: KEY });
    // Created a day ago: its 08:00 UTC slot was missed, so the scheduler runs it once as it starts.
    addJob(
      store,
      {
        name: 'av-daily',
        cron: '0 8 * * *',
        timezone: 'UTC',
        command: [
          'fetch',
          'alphavantage',
          '--symbols',
          'IBM',
          '--base-url',
          server.base,
          '--rate-ms',
          '0',
          '--retries',
          '0',
        ],
      },
      Date.now() - 26 * 3_600_000,
    );
    const scheduler = startHostScheduler(store, () => creds.get());
    try {
      const deadline = Date.now() + 10_000;
      while (jobHistory(store).find((r) => r.status !== 'running') === undefined && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await scheduler.stop();
    }
    expect(jobHistory(store)[0]).toMatchObject({ job: 'av-daily', trigger: 'catch-up', status: 'ok', rowsChanged: 3 });
    expect(dumpStore()).not.toContain(KEY);
  });
});
