import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { runFetch, type RunFetchOptions } from './fetch';
import { HttpClient, HTTP_DEFAULTS, redactUrl } from './http';
import { startTestServer, type Reply } from './test-server';
import { connection } from '../store/internal';

let store: Store;
let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
afterEach(async () => {
  store?.close();
  await server?.close();
  server = undefined;
});

const fast = (base: string): RunFetchOptions => ({
  http: { baseUrl: base, minIntervalMs: 0, backoffMs: 1, timeoutMs: 2000 },
  env: { ALPHAVANTAGE_API_KEY: 'SECRETKEY123' },
  now: () => Date.UTC(2024, 0, 10),
});

const STOOQ_AAPL = `Date,Open,High,Low,Close,Volume
2024-01-02,187.15,188.44,183.885,185.64,82488674
2024-01-03,184.22,185.88,183.43,184.25,58414460
2024-01-04,182.15,183.0872,180.88,181.91,71983570
`;

function stooqRoute(url: URL): Reply {
  if (url.pathname !== '/q/d/l/') return { status: 404, body: 'Not found' };
  const s = url.searchParams.get('s');
  if (s === 'aapl.us') return { body: STOOQ_AAPL, type: 'text/csv' };
  if (s === 'spx')
    return { body: 'Date,Open,High,Low,Close\n2024-01-02,4745.2,4754.33,4722.67,4742.83\n', type: 'text/csv' };
  if (s === 'quota.us') return { body: 'Exceeded the daily hits limit' };
  if (s === 'bad.us') return { body: 'Date,Open,High,Low,Close,Volume\n2024-01-02,10,9,8,9,100\n' };
  if (s === 'html.us') return { body: '<html>maintenance</html>' };
  return { body: 'No data' };
}

describe('stooq connector', () => {
  it('stores raw daily bars, reports what changed, and a second fetch changes nothing', async () => {
    server = await startTestServer(stooqRoute);
    store = openStore(':memory:');
    const r1 = await runFetch(store, 'stooq', { symbols: ['AAPL.US', 'SPX'] }, fast(server.base));
    expect(r1.ok && r1.value.changed).toBe(3 + 1 + 2); // 4 bars + 2 new instruments
    const close = connection(store)
      .prepare(
        "SELECT close FROM bars JOIN instruments i ON i.id = instrument_id WHERE i.symbol = 'AAPL.US' ORDER BY ts",
      )
      .pluck()
      .all();
    expect(close).toEqual([185.64, 184.25, 181.91]);
    expect(
      connection(store)
        .prepare("SELECT volume FROM bars JOIN instruments i ON i.id = instrument_id WHERE i.symbol = 'SPX'")
        .pluck()
        .get(),
    ).toBe(0);
    const r2 = await runFetch(store, 'stooq', { symbols: ['AAPL.US', 'SPX'] }, fast(server.base));
    expect(r2.ok && r2.value.changed).toBe(0);
    expect(connection(store).prepare('SELECT count(*) FROM imports').pluck().get()).toBe(1);
  });

  it('asks for the --from range as d1/d2, and an unknown symbol is a warning, not an error', async () => {
    server = await startTestServer(stooqRoute);
    store = openStore(':memory:');
    const r = await runFetch(store, 'stooq', { symbols: ['NOPE.US'], from: '2023-06-01' }, fast(server.base));
    expect(r.ok && r.value.warnings).toEqual(['stooq: NOPE.US: no data']);
    expect(server.requests[0].searchParams.get('d1')).toBe('20230601');
    expect(server.requests[0].searchParams.get('d2')).toBe('20240110');
  });

  it('quota, an inconsistent row and an unexpected body store nothing, even for the good symbol fetched first', async () => {
    server = await startTestServer(stooqRoute);
    store = openStore(':memory:');
    const q = await runFetch(store, 'stooq', { symbols: ['AAPL.US', 'QUOTA.US'] }, fast(server.base));
    expect(!q.ok && q.error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('quota') });
    const bad = await runFetch(store, 'stooq', { symbols: ['AAPL.US', 'BAD.US'] }, fast(server.base));
    expect(!bad.ok && bad.error.details).toEqual(['stooq:bars:5: high: open 10 > high 9']);
    const html = await runFetch(store, 'stooq', { symbols: ['HTML.US'] }, fast(server.base));
    expect(!html.ok && html.error.message).toMatch(/HTML.US: unexpected answer/);
    expect(connection(store).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(0);
  });
});

const AV_IBM = {
  'Meta Data': {
    '1. Information': 'Daily Prices (open, high, low, close) and Volumes',
    '2. Symbol': 'IBM',
    '3. Last Refreshed': '2024-01-05',
    '4. Output Size': 'Full size',
    '5. Time Zone': 'US/Eastern',
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
const AV_ADJUSTED = {
  'Meta Data': { '2. Symbol': 'AAPL' },
  'Time Series (Daily)': {
    '2020-08-31': {
      '1. open': '127.58',
      '2. high': '131.0',
      '3. low': '126.0',
      '4. close': '129.04',
      '5. adjusted close': '126.7',
      '6. volume': '225702700',
      '7. dividend amount': '0.0000',
      '8. split coefficient': '4.0',
    },
    '2020-08-07': {
      '1. open': '452.82',
      '2. high': '454.7',
      '3. low': '441.17',
      '4. close': '444.45',
      '5. adjusted close': '109.1',
      '6. volume': '49511403',
      '7. dividend amount': '0.8200',
      '8. split coefficient': '1.0',
    },
  },
};

function avRoute(url: URL): Reply {
  if (url.pathname !== '/query') return { status: 404 };
  if (url.searchParams.get('apikey') !== 'SECRETKEY123')
    return {
      body: JSON.stringify({
        'Error Message':
          'the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key).',
      }),
    };
  const s = url.searchParams.get('symbol');
  const fn = url.searchParams.get('function');
  if (fn !== 'TIME_SERIES_DAILY' && fn !== 'TIME_SERIES_DAILY_ADJUSTED') return { body: '{}' };
  // The adjusted series (with dividend and split columns) only when asked for.
  if (s === 'AAPL' && fn !== 'TIME_SERIES_DAILY_ADJUSTED')
    return {
      body: JSON.stringify({
        ...AV_ADJUSTED,
        'Time Series (Daily)': Object.fromEntries(
          Object.entries(AV_ADJUSTED['Time Series (Daily)']).map(([d, r]) => [
            d,
            {
              '1. open': r['1. open'],
              '2. high': r['2. high'],
              '3. low': r['3. low'],
              '4. close': r['4. close'],
              '5. volume': r['6. volume'],
            },
          ]),
        ),
      }),
    };
  if (s === 'IBM') return { body: JSON.stringify(AV_IBM), type: 'application/json' };
  if (s === 'AAPL') return { body: JSON.stringify(AV_ADJUSTED), type: 'application/json' };
  if (s === 'NOTE')
    return {
      body: JSON.stringify({
        Note: 'Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day.',
      }),
    };
  if (s === 'INFO')
    return {
      body: JSON.stringify({
        Information:
          'We have detected your API key as SECRETKEY123 and our standard API rate limit is 25 requests per day.',
      }),
    };
  if (s === 'TRUNC')
    return { body: '{"Meta Data": {"2. Symbol": "TRUNC"}, "Time Series (Daily)": {"2024-01-05": {"1. op' };
  if (s === 'SLOW') return { hang: true };
  if (s === 'FLAKY') return flaky++ < 2 ? { status: 503, body: 'busy' } : { body: JSON.stringify(AV_IBM) };
  return {
    body: JSON.stringify({
      'Error Message':
        'Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for TIME_SERIES_DAILY.',
    }),
  };
}
let flaky = 0;

describe('alphavantage connector', () => {
  it('stores raw OHLCV, turns splits and dividends into actions known at their ex date, and is idempotent', async () => {
    server = await startTestServer(avRoute);
    store = openStore(':memory:');
    const r = await runFetch(store, 'alphavantage', { symbols: ['IBM', 'AAPL'], adjusted: true }, fast(server.base));
    expect(r.ok && r.value.imports.map((i) => [i.kind, i.rows, i.changed])).toEqual([
      ['bars', 4, 6],
      ['actions', 2, 2],
    ]);
    const raw = connection(store)
      .prepare("SELECT close FROM bars JOIN instruments i ON i.id = instrument_id WHERE symbol = 'AAPL' ORDER BY ts")
      .pluck()
      .all();
    expect(raw).toEqual([444.45, 129.04]); // raw, not the adjusted close
    const acts = connection(store)
      .prepare('SELECT kind, ex_date, value, known_at FROM corporate_actions ORDER BY ex_date')
      .all();
    expect(acts).toEqual([
      { kind: 'dividend', ex_date: Date.UTC(2020, 7, 7), value: 0.82, known_at: Date.UTC(2020, 7, 7) },
      { kind: 'split', ex_date: Date.UTC(2020, 7, 31), value: 4, known_at: Date.UTC(2020, 7, 31) },
    ]);
    const again = await runFetch(
      store,
      'alphavantage',
      { symbols: ['IBM', 'AAPL'], adjusted: true },
      fast(server.base),
    );
    expect(again.ok && again.value.changed).toBe(0);
    // The plain daily series of the same days: same raw bars, no actions, nothing changes.
    const plain = await runFetch(store, 'alphavantage', { symbols: ['AAPL'] }, fast(server.base));
    expect(plain.ok && plain.value.imports.map((i) => [i.kind, i.changed])).toEqual([['bars', 0]]);
    expect(server.requests.every((u) => u.searchParams.get('outputsize') === 'full')).toBe(true);
  });

  it('keeps only dates from --from on', async () => {
    server = await startTestServer(avRoute);
    store = openStore(':memory:');
    const r = await runFetch(store, 'alphavantage', { symbols: ['IBM'], from: '2024-01-05' }, fast(server.base));
    expect(r.ok && r.value.imports[0].rows).toBe(1);
  });

  it('reports invalid key, unknown symbol, quota notes, empty and truncated bodies without storing or echoing the key', async () => {
    server = await startTestServer(avRoute);
    store = openStore(':memory:');
    const cases: [string, RunFetchOptions['env'], string, RegExp][] = [
      ['IBM', { ALPHAVANTAGE_API_KEY: 'WRONG' }, 'invalid-input', /apikey is invalid/],
      ['IBM', {}, 'invalid-input', /set ALPHAVANTAGE_API_KEY/],
      ['ZZZZ', undefined, 'invalid-input', /Invalid API call/],
      ['NOTE', undefined, 'unavailable', /quota or plan limit: Thank you/],
      ['INFO', undefined, 'unavailable', /rate limit is 25 requests per day/],
      ['TRUNC', undefined, 'invalid-input', /not JSON/],
    ];
    for (const [sym, env, code, msg] of cases) {
      const r = await runFetch(
        store,
        'alphavantage',
        { symbols: ['IBM', sym] },
        { ...fast(server.base), ...(env ? { env } : {}) },
      );
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect([sym, r.error.code]).toEqual([sym, code]);
        expect(r.error.message).toMatch(msg);
        expect(r.error.message).not.toContain('SECRETKEY123');
      }
    }
    expect(connection(store).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(0);
  });

  it('times out a silent server after its retries, and retries a 503 with backoff until it answers', async () => {
    server = await startTestServer(avRoute);
    store = openStore(':memory:');
    const slow = await runFetch(
      store,
      'alphavantage',
      { symbols: ['SLOW'] },
      {
        ...fast(server.base),
        http: { baseUrl: server.base, minIntervalMs: 0, backoffMs: 1, timeoutMs: 150, retries: 1 },
      },
    );
    expect(!slow.ok && slow.error).toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/no answer within 150 ms \(after 2 attempts\)/),
    });
    expect(!slow.ok && slow.error.message).toContain('apikey=***');
    flaky = 0;
    const sleeps: number[] = [];
    const r = await runFetch(
      store,
      'alphavantage',
      { symbols: ['FLAKY'] },
      {
        ...fast(server.base),
        http: { baseUrl: server.base, minIntervalMs: 0, backoffMs: 100, retries: 3 },
        sleep: async (ms) => void sleeps.push(ms),
      },
    );
    expect(r.ok).toBe(true);
    expect(sleeps.length).toBe(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(100);
    expect(sleeps[1]).toBeGreaterThanOrEqual(200);
  });
});

describe('HttpClient', () => {
  it('spaces requests by minIntervalMs and refuses bodies over maxBytes', async () => {
    server = await startTestServer(() => ({ body: 'x'.repeat(5000) }));
    const sleeps: number[] = [];
    const c = new HttpClient(
      { ...HTTP_DEFAULTS, baseUrl: server.base, minIntervalMs: 1000, maxBytes: 4096 },
      async (ms) => void sleeps.push(ms),
    );
    await expect(c.get('a')).rejects.toThrow(/exceeds the 4096-byte limit/);
    await expect(c.get('b')).rejects.toThrow();
    expect(sleeps.length).toBe(1);
    expect(sleeps[0]).toBeGreaterThan(900);
    expect(redactUrl(new URL('http://x/api?crtfc_key=abc&corp_code=1'))).toBe('http://x/api?crtfc_key=***&corp_code=1');
  });
});
