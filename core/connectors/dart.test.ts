import { crc32, deflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fundamentalAsOf, revisionHistory } from '../store/queries';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { runFetch, type RunFetchOptions } from './fetch';
import { startTestServer, type Reply } from './test-server';
import { readZip } from './zip';
import { connection } from '../store/internal';

/** A ZIP with one deflated file, laid out as the APPNOTE says (what DART's corpCode.xml answers). */
function zipOne(name: string, data: Buffer): Buffer {
  const comp = deflateRawSync(data);
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(comp.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(comp.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + n.length + comp.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + n.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, n, comp, central, n, eocd]);
}

const CORPCODE = `<?xml version="1.0" encoding="UTF-8"?>
<result>
  <list><corp_code>00126380</corp_code><corp_name>삼성전자</corp_name><stock_code>005930</stock_code><modify_date>20230110</modify_date></list>
  <list><corp_code>00164779</corp_code><corp_name>에스케이하이닉스</corp_name><stock_code>000660</stock_code><modify_date>20230307</modify_date></list>
  <list><corp_code>00434003</corp_code><corp_name>다코</corp_name><stock_code> </stock_code><modify_date>20170630</modify_date></list>
</result>`;

function account(rcept: string, id: string, amount: string, sj = 'BS') {
  return {
    rcept_no: rcept,
    reprt_code: '11011',
    bsns_year: '2023',
    corp_code: '00126380',
    sj_div: sj,
    sj_nm: '재무상태표',
    account_id: id,
    account_nm: id,
    account_detail: '-',
    thstrm_nm: '제 55 기',
    thstrm_amount: amount,
    ord: '1',
    currency: 'KRW',
  };
}

let amended = false;
function dartRoute(url: URL): Reply {
  const key = url.searchParams.get('crtfc_key');
  if (url.pathname === '/api/corpCode.xml') {
    if (key !== 'DARTKEY')
      return {
        body: '<?xml version="1.0" encoding="UTF-8"?><result><status>010</status><message>등록되지 않은 키입니다.</message></result>',
        type: 'application/xml',
      };
    return { body: zipOne('CORPCODE.xml', Buffer.from(CORPCODE)), type: 'application/x-msdownload' };
  }
  if (url.pathname !== '/api/fnlttSinglAcntAll.json') return { status: 404 };
  if (key === 'QUOTA') return { body: JSON.stringify({ status: '020', message: '요청 제한을 초과하였습니다.' }) };
  const corp = url.searchParams.get('corp_code');
  const year = url.searchParams.get('bsns_year');
  const rep = url.searchParams.get('reprt_code');
  if (corp === '00164779') return { body: '{"status":"000","message":"정상","list":[{"rcept_no":' };
  if (corp !== '00126380' || year !== '2023' || rep !== '11011')
    return { body: JSON.stringify({ status: '013', message: '조회된 데이타가 없습니다.' }) };
  // The annual report filed 2024-03-12; an amended (정정) report filed 2024-04-30 restates equity.
  const rcept = amended ? '20240430000123' : '20240312000736';
  return {
    body: JSON.stringify({
      status: '000',
      message: '정상',
      list: [
        account(rcept, 'ifrs-full_Assets', '455905980000000'),
        account(rcept, 'ifrs-full_Equity', amended ? '363677865000000' : '363677864000000'),
        account(rcept, 'ifrs-full_ProfitLoss', '15487100000000', 'IS'),
        account(rcept, 'ifrs-full_ProfitLoss', '15487100000000', 'CIS'),
        account(rcept, 'ifrs-full_BasicEarningsLossPerShare', '2131', 'IS'),
        account(rcept, 'ifrs-full_CashAndCashEquivalents', '69080640000000'),
      ],
    }),
    type: 'application/json',
  };
}

let store: Store;
let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
afterEach(async () => {
  store?.close();
  await server?.close();
  server = undefined;
  amended = false;
});
const opts = (base: string, key = 'DARTKEY'): RunFetchOptions => ({
  http: { baseUrl: `${base}/api`, minIntervalMs: 0, backoffMs: 1, timeoutMs: 2000 },
  env: { DART_API_KEY: key },
  now: () => Date.UTC(2024, 5, 1),
});

describe('dart connector', () => {
  it('reads the corpCode ZIP, maps fnlttSinglAcntAll to fundamentals known at the receipt date, and stores a later amendment as a restatement', async () => {
    server = await startTestServer(dartRoute);
    store = openStore(':memory:');
    const r = await runFetch(store, 'dart', { symbols: ['005930.KS'], from: '2023-01-01' }, opts(server.base));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.imports.map((i) => [i.kind, i.rows])).toEqual([
      ['instruments', 1],
      ['fundamentals', 4],
    ]);
    // 1 corpCode + 2023's four reports + 2024's Q1 (period ends after June 1st are not asked for).
    expect(r.value.requests).toBe(6);
    expect(connection(store).prepare("SELECT name, currency FROM instruments WHERE symbol = '005930'").get()).toEqual({
      name: '삼성전자',
      currency: 'KRW',
    });
    expect(connection(store).prepare('SELECT count(*) FROM dart_corps').pluck().get()).toBe(3);
    const before = fundamentalAsOf(store, '005930', 'total_equity', Date.UTC(2024, 2, 11));
    expect(before.ok && before.value.value).toBe(null);
    const known = fundamentalAsOf(store, '005930', 'total_equity', Date.UTC(2024, 2, 12));
    expect(known.ok && known.value).toMatchObject({
      value: 363677864000000,
      periodEnd: Date.UTC(2023, 11, 31),
      knownAt: Date.UTC(2024, 2, 12),
    });
    const same = await runFetch(store, 'dart', { symbols: ['005930'], from: '2023-01-01' }, opts(server.base));
    expect(same.ok && [same.value.changed, same.value.requests]).toEqual([0, 5]); // the code list is not fetched again
    amended = true;
    const re = await runFetch(store, 'dart', { symbols: ['005930'], from: '2023-01-01' }, opts(server.base));
    expect(re.ok && re.value.changed).toBe(4);
    const hist = revisionHistory(store, '005930', 'total_equity');
    expect(hist.ok && hist.value.map((h) => [h.knownAt, h.value])).toEqual([
      [Date.UTC(2024, 2, 12), 363677864000000],
      [Date.UTC(2024, 3, 30), 363677865000000],
    ]);
    const asOfApril = fundamentalAsOf(store, '005930', 'total_equity', Date.UTC(2024, 3, 1));
    expect(asOfApril.ok && asOfApril.value.value).toBe(363677864000000);
  });

  it('reports an unregistered key (XML status 010), quota (020), a malformed body, and an unknown code as a warning', async () => {
    server = await startTestServer(dartRoute);
    store = openStore(':memory:');
    const badKey = await runFetch(store, 'dart', { symbols: ['005930'] }, opts(server.base, 'NOPE'));
    expect(!badKey.ok && badKey.error).toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('status 010 (unregistered API key)'),
    });
    expect(!badKey.ok && badKey.error.message).not.toContain('NOPE');
    const unknown = await runFetch(store, 'dart', { symbols: ['999999'] }, opts(server.base));
    expect(unknown.ok && unknown.value.warnings).toEqual(["dart: 999999: not a listed company in DART's code list"]);
    const quota = await runFetch(store, 'dart', { symbols: ['005930'] }, opts(server.base, 'QUOTA'));
    expect(!quota.ok && quota.error).toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('status 020'),
    });
    const broken = await runFetch(
      store,
      'dart',
      { symbols: ['005930', '000660'], from: '2023-01-01' },
      opts(server.base),
    );
    expect(!broken.ok && broken.error.message).toMatch(/000660 2023-03-31: the answer is not JSON/);
    expect(connection(store).prepare('SELECT count(*) FROM fundamentals').pluck().get()).toBe(0);
    const noKey = await runFetch(store, 'dart', { symbols: ['005930'] }, { ...opts(server.base), env: {} });
    expect(!noKey.ok && noKey.error.message).toBe('dart: set DART_API_KEY in the environment');
  });

  it('readZip refuses a damaged archive and an entry that inflates past the limit', () => {
    const z = zipOne('a.xml', Buffer.alloc(10_000, 65));
    expect(readZip(z)[0].data.length).toBe(10_000);
    expect(() => readZip(z, 1000)).toThrow(/over the 1000-byte limit/);
    expect(() => readZip(Buffer.from('PK\u0003\u0004garbage'))).toThrow(/not a ZIP/);
  });
});
