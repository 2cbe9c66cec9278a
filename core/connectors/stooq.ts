import { fail, ok, type Result } from '../model/result';
import { parseDate } from '../model/time';
import { CsvOut } from './csv-out';
import { HttpError } from './http';
import type { Connector, FetchBatch } from './types';

/**
 * Stooq's daily CSV download: `GET {base}/q/d/l/?s=aapl.us&i=d[&d1=YYYYMMDD&d2=YYYYMMDD]` answers
 * `Date,Open,High,Low,Close,Volume` rows (raw, unadjusted prices; indices have no Volume column),
 * the text `No data` for an unknown symbol, and `Exceeded the daily hits limit` when over quota.
 * The store symbol is the `--symbols` entry as given, upper-cased (`AAPL.US`); Stooq is asked in
 * lower case. No key.
 */
export const stooqConnector: Connector = {
  name: 'stooq',
  http: { baseUrl: 'https://stooq.com', minIntervalMs: 500 },
  async fetch(ctx, request): Promise<Result<FetchBatch>> {
    if (request.symbols.length === 0)
      return fail('invalid-input', 'stooq: give the symbols to fetch with --symbols (e.g. AAPL.US,SPY.US)');
    const bars = new CsvOut('bars');
    const warnings: string[] = [];
    const from = request.from?.replace(/-/g, '');
    const to = new Date(ctx.now()).toISOString().slice(0, 10).replace(/-/g, '');
    for (const raw of request.symbols) {
      const symbol = raw.toUpperCase();
      const query: Record<string, string> = { s: raw.toLowerCase(), i: 'd' };
      if (from) Object.assign(query, { d1: from, d2: to });
      let body: string;
      try {
        body = (await ctx.http.get('q/d/l/', query, ctx.signal)).body.toString('utf8');
      } catch (e) {
        return fail(
          e instanceof HttpError && !e.transient ? 'invalid-input' : 'unavailable',
          `stooq: ${(e as Error).message}`,
        );
      }
      const r = parseStooqCsv(symbol, body, bars);
      if (!r.ok) return r;
      if (r.value === 0) warnings.push(`stooq: ${symbol}: no data`);
    }
    return ok({ csv: { bars: bars.text() }, warnings, requests: request.symbols.length });
  },
};

/**
 * Appends Stooq CSV rows of `symbol` to `out`; returns the number of rows. A quota or other text
 * answer is an error naming the symbol; `No data` (or a header alone) is 0 rows.
 */
export function parseStooqCsv(symbol: string, body: string, out: CsvOut): Result<number> {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text === '' || /^no data/i.test(text)) return ok(0);
  if (/exceeded the daily hits limit/i.test(text))
    return fail(
      'unavailable',
      `stooq: ${symbol}: daily request quota exceeded ("${text.slice(0, 80)}"); try again tomorrow`,
    );
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  const col = (n: string) => header.indexOf(n);
  const [d, o, h, l, c, v] = ['date', 'open', 'high', 'low', 'close', 'volume'].map(col);
  if (d < 0 || o < 0 || h < 0 || l < 0 || c < 0)
    return fail(
      'invalid-input',
      `stooq: ${symbol}: unexpected answer (expected a Date,Open,High,Low,Close[,Volume] header): "${lines[0].slice(0, 80)}"`,
    );
  let n = 0;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const f = lines[i].split(',');
    const date = f[d]?.trim() ?? '';
    if (parseDate(date) === null || date.length !== 10)
      return fail('invalid-input', `stooq: ${symbol}: line ${i + 1}: date: "${date}" is not YYYY-MM-DD`);
    out.add([symbol, date, f[o], f[h], f[l], f[c], v >= 0 ? f[v] : '0']);
    n++;
  }
  return ok(n);
}
