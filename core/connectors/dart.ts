import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { fail, ok, type Result } from '../model/result';
import { parseDate } from '../model/time';
import type { Store } from '../store/sqlite-bar-store';
import { CsvOut } from './csv-out';
import { HttpError, type HttpClient } from './http';
import type { Connector, FetchBatch } from './types';
import { readZip } from './zip';
import { corpByStockCodeReader, instrumentExistsReader, storeCorpCodes } from '../store/dart';

export { storeCorpCodes };

/** A company in DART's code list (`corpCode.xml`). `stockCode` is '' for unlisted companies. */
export interface DartCorp {
  readonly corpCode: string;
  readonly corpName: string;
  readonly stockCode: string;
  readonly modifyDate: string;
}

/** DART's status codes (OpenAPI guide), for messages. 000 is success, 013 "no data". */
export const DART_STATUS: Readonly<Record<string, string>> = {
  '000': 'OK',
  '010': 'unregistered API key',
  '011': 'API key not usable',
  '012': 'IP address not allowed for this key',
  '013': 'no data',
  '014': 'file does not exist',
  '020': 'request limit exceeded (20,000 a day)',
  '021': 'too many companies in one request',
  '100': 'invalid field value',
  '101': 'unauthorised access',
  '800': 'system maintenance',
  '900': 'undefined error',
  '901': 'API key expired (personal information retention period)',
};

/** Statuses that mean the key, not the request, is at fault. */
const KEY_STATUSES = new Set(['010', '011', '012', '901']);

/** The report codes and the period end each covers (a December fiscal year, as most KRX listings have). */
export const DART_REPORTS: readonly { readonly code: string; readonly monthDay: string; readonly label: string }[] = [
  { code: '11013', monthDay: '03-31', label: 'Q1' },
  { code: '11012', monthDay: '06-30', label: 'half-year' },
  { code: '11014', monthDay: '09-30', label: 'Q3' },
  { code: '11011', monthDay: '12-31', label: 'annual' },
];

/** DART `account_id` (IFRS/DART taxonomy) → our fundamentals field. Other accounts are not stored. */
export const DART_FIELDS: Readonly<Record<string, string>> = {
  'ifrs-full_Revenue': 'revenue',
  dart_OperatingIncomeLoss: 'operating_income',
  'ifrs-full_ProfitLoss': 'net_income',
  'ifrs-full_ProfitLossAttributableToOwnersOfParent': 'net_income_parent',
  'ifrs-full_Assets': 'total_assets',
  'ifrs-full_Liabilities': 'total_liabilities',
  'ifrs-full_Equity': 'total_equity',
  'ifrs-full_EquityAttributableToOwnersOfParent': 'equity_parent',
  'ifrs-full_BasicEarningsLossPerShare': 'eps',
};

const xml = new XMLParser({ parseTagValue: false, trimValues: true, isArray: (name) => name === 'list' });

function statusError(where: string, status: string, message: string): Result<never> {
  const what = DART_STATUS[status] ?? 'unknown status';
  const code = KEY_STATUSES.has(status) || status === '100' || status === '021' ? 'invalid-input' : 'unavailable';
  return fail(code, `dart: ${where}: status ${status} (${what}): ${message}`);
}

/** Parses the `corpCode.xml` answer: a ZIP holding `CORPCODE.xml`, or an XML/JSON status when the key is refused. */
export function parseCorpCodes(body: Buffer): Result<DartCorp[]> {
  let text: string;
  if (body.length >= 4 && body.readUInt32LE(0) === 0x04034b50) {
    let entries;
    try {
      entries = readZip(body);
    } catch (e) {
      return fail('invalid-input', `dart: corpCode.xml: ${(e as Error).message}`);
    }
    const entry = entries.find((e) => /\.xml$/i.test(e.name));
    if (!entry)
      return fail(
        'invalid-input',
        `dart: corpCode.xml: the ZIP holds no XML file (${entries.map((e) => e.name).join(', ')})`,
      );
    text = entry.data.toString('utf8');
  } else {
    text = body.toString('utf8').trim();
    if (text.startsWith('{')) {
      try {
        const j = JSON.parse(text) as { status?: string; message?: string };
        return statusError('corpCode.xml', String(j.status), String(j.message ?? ''));
      } catch {
        return fail('invalid-input', `dart: corpCode.xml: malformed answer: "${text.slice(0, 80)}"`);
      }
    }
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    return fail('invalid-input', `dart: corpCode.xml: malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  const doc = xml.parse(text) as { result?: { status?: string; message?: string; list?: Record<string, string>[] } };
  const result = doc.result;
  if (!result) return fail('invalid-input', 'dart: corpCode.xml: no <result> element');
  if (result.status !== undefined && result.status !== '000')
    return statusError('corpCode.xml', String(result.status), String(result.message ?? ''));
  const corps = (result.list ?? []).map((l) => ({
    corpCode: String(l.corp_code ?? '').trim(),
    corpName: String(l.corp_name ?? '').trim(),
    stockCode: String(l.stock_code ?? '').trim(),
    modifyDate: String(l.modify_date ?? '').trim(),
  }));
  const bad = corps.findIndex((c) => !/^\d{8}$/.test(c.corpCode));
  if (bad >= 0)
    return fail(
      'invalid-input',
      `dart: corpCode.xml: entry ${bad + 1}: corp_code "${corps[bad].corpCode}" is not 8 digits`,
    );
  return ok(corps);
}

/** One `fnlttSinglAcntAll` row (the fields we read). */
interface DartAccount {
  rcept_no?: string;
  account_id?: string;
  thstrm_amount?: string;
  sj_div?: string;
  currency?: string;
}

/**
 * Maps one `fnlttSinglAcntAll.json` answer to fundamentals rows of `symbol` for the period ending
 * `periodEnd` (YYYY-MM-DD). `known_at` is the receipt date, the first eight digits of `rcept_no`:
 * an amended (정정) report has a later receipt number, so it becomes a restatement beside the
 * original. Returns the rows added, 0 for status 013 (no data), or an error for any other status.
 */
export function parseFinancials(symbol: string, periodEnd: string, body: string, out: CsvOut): Result<number> {
  let doc: { status?: string; message?: string; list?: DartAccount[] };
  try {
    doc = JSON.parse(body) as typeof doc;
  } catch {
    return fail('invalid-input', `dart: ${symbol} ${periodEnd}: the answer is not JSON: "${body.slice(0, 80)}"`);
  }
  const status = String(doc?.status ?? '');
  if (status === '013') return ok(0);
  if (status !== '000') return statusError(`${symbol} ${periodEnd}`, status || '(none)', String(doc?.message ?? ''));
  if (!Array.isArray(doc.list))
    return fail('invalid-input', `dart: ${symbol} ${periodEnd}: status 000 without a "list" array`);
  const seen = new Set<string>();
  let n = 0;
  for (const [i, a] of doc.list.entries()) {
    const field = DART_FIELDS[a.account_id ?? ''];
    if (field === undefined || seen.has(field)) continue;
    const rcept = String(a.rcept_no ?? '');
    const m = /^(\d{4})(\d{2})(\d{2})\d{6}$/.exec(rcept);
    const knownAt = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
    if (!m || parseDate(knownAt) === null)
      return fail(
        'invalid-input',
        `dart: ${symbol} ${periodEnd}: list[${i}]: rcept_no "${rcept}" is not 14 digits starting with a date`,
      );
    const amount = String(a.thstrm_amount ?? '')
      .replace(/,/g, '')
      .trim();
    if (amount === '' || amount === '-') continue;
    if (!Number.isFinite(Number(amount)))
      return fail(
        'invalid-input',
        `dart: ${symbol} ${periodEnd}: list[${i}]: thstrm_amount "${amount}" is not a number`,
      );
    seen.add(field);
    out.add([symbol, field, periodEnd, amount, knownAt]);
    n++;
  }
  return ok(n);
}

async function getBody(
  http: HttpClient,
  path: string,
  query: Record<string, string>,
  signal?: AbortSignal,
): Promise<Result<Buffer>> {
  try {
    return ok((await http.get(path, query, signal)).body);
  } catch (e) {
    return fail(
      e instanceof HttpError && !e.transient ? 'invalid-input' : 'unavailable',
      `dart: ${(e as Error).message}`,
    );
  }
}

/**
 * DART OpenAPI (`https://opendart.fss.or.kr/api`, key `DART_API_KEY`). `--symbols` are KRX stock codes
 * (`005930`, a `.KS`/`.KQ` suffix is dropped); each resolves to a `corp_code` through `corpCode.xml`
 * (fetched when the store's list lacks one). For each year from `--from` (default: three years back)
 * to now, the four periodic reports' consolidated statements (`fs_div=CFS`) are mapped to fundamentals
 * (see {@link DART_FIELDS}); the instrument is created (currency KRW) if the store lacks it.
 */
export const dartConnector: Connector = {
  name: 'dart',
  // DART allows 20,000 requests a day and throttles bursts; one request per 100 ms is polite.
  http: { baseUrl: 'https://opendart.fss.or.kr/api', minIntervalMs: 100 },
  keyEnv: 'DART_API_KEY',
  async fetch(ctx, request): Promise<Result<FetchBatch>> {
    const key = ctx.env.DART_API_KEY;
    if (!key) return fail('invalid-input', 'dart: set DART_API_KEY in the environment');
    if (request.symbols.length === 0)
      return fail('invalid-input', 'dart: give KRX stock codes with --symbols (e.g. 005930,000660)');
    const codes = request.symbols.map((s) => s.replace(/\.(KS|KQ)$/i, ''));
    const lookup = corpByStockCodeReader(ctx.store);
    let known = codes.map((c) => lookup(c));
    let requests = 0;
    let corps: DartCorp[] | undefined;
    if (known.some((k) => k === undefined)) {
      const body = await getBody(ctx.http, 'corpCode.xml', { crtfc_key: key }, ctx.signal);
      requests++;
      if (!body.ok) return body;
      const parsed = parseCorpCodes(body.value);
      if (!parsed.ok) return parsed;
      corps = parsed.value;
      const byStock = new Map(corps.filter((c) => c.stockCode !== '').map((c) => [c.stockCode, c]));
      known = codes.map((c) => byStock.get(c));
    }
    const warnings: string[] = [];
    const funda = new CsvOut('fundamentals');
    const instruments = new CsvOut('instruments');
    const hasInstrument = instrumentExistsReader(ctx.store);
    const now = ctx.now();
    const thisYear = new Date(now).getUTCFullYear();
    const fromYear = request.from ? Number(request.from.slice(0, 4)) : thisYear - 3;
    for (const [i, code] of codes.entries()) {
      const corp = known[i];
      if (corp === undefined) {
        warnings.push(`dart: ${code}: not a listed company in DART's code list`);
        continue;
      }
      let rows = 0;
      for (let year = fromYear; year <= thisYear; year++) {
        for (const rep of DART_REPORTS) {
          const periodEnd = `${year}-${rep.monthDay}`;
          if ((parseDate(periodEnd) ?? 0) > now) continue;
          const query = {
            crtfc_key: key,
            corp_code: corp.corpCode,
            bsns_year: String(year),
            reprt_code: rep.code,
            fs_div: 'CFS',
          };
          const body = await getBody(ctx.http, 'fnlttSinglAcntAll.json', query, ctx.signal);
          requests++;
          if (!body.ok) return body;
          const r = parseFinancials(code, periodEnd, body.value.toString('utf8'), funda);
          if (!r.ok) return r;
          rows += r.value;
        }
      }
      if (rows === 0) warnings.push(`dart: ${code}: no consolidated statements since ${fromYear}`);
      else if (!hasInstrument(code)) instruments.add([code, corp.corpName, '', 'KRW', '', '']);
    }
    return ok({
      csv: { instruments: instruments.text(), fundamentals: funda.text() },
      dartCorps: corps,
      warnings,
      requests,
    });
  },
};
