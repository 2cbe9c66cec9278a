import { fail, ok, type Result } from '../model/result';
import { parseDate } from '../model/time';
import { CsvOut } from './csv-out';
import { HttpError } from './http';
import type { Connector, FetchBatch } from './types';

/** Alpha Vantage's daily series row: `"1. open"` … `"5. volume"`; the adjusted series adds dividends and splits. */
type AvRow = Record<string, string>;

/**
 * Alpha Vantage, `GET {base}/query?function=TIME_SERIES_DAILY&symbol=IBM&outputsize=full&datatype=json&apikey=KEY`
 * (`ALPHAVANTAGE_API_KEY`). The answer is `{"Meta Data": {…}, "Time Series (Daily)": {"2024-01-02":
 * {"1. open": "…", …}}}`; errors come as HTTP 200 with `{"Error Message": …}` (invalid symbol or key)
 * or `{"Note": …}` / `{"Information": …}` (rate limit, premium-only). Raw OHLCV is stored. When the
 * answer is the adjusted series (`TIME_SERIES_DAILY_ADJUSTED`: `--adjusted`, a premium endpoint), its
 * `"7. dividend amount"` and `"8. split coefficient"` become corporate actions whose `known_at` is
 * the ex date (the series carries no announcement date; ex date is the latest it can have been public,
 * so nothing is seen early); the adjusted close is not stored.
 */
export function alphaVantageConnector(
  fn: 'TIME_SERIES_DAILY' | 'TIME_SERIES_DAILY_ADJUSTED' = 'TIME_SERIES_DAILY',
): Connector {
  return {
    name: 'alphavantage',
    // Free tier: 5 requests a minute (and 25 a day).
    http: { baseUrl: 'https://www.alphavantage.co', minIntervalMs: 12_000 },
    keyEnv: 'ALPHAVANTAGE_API_KEY',
    async fetch(ctx, request): Promise<Result<FetchBatch>> {
      const key = ctx.env.ALPHAVANTAGE_API_KEY;
      if (!key) return fail('invalid-input', 'alphavantage: set ALPHAVANTAGE_API_KEY in the environment');
      if (request.symbols.length === 0)
        return fail('invalid-input', 'alphavantage: give the symbols to fetch with --symbols');
      const bars = new CsvOut('bars');
      const actions = new CsvOut('actions');
      const warnings: string[] = [];
      const from = request.from ? parseDate(request.from) : null;
      for (const raw of request.symbols) {
        const symbol = raw.toUpperCase();
        let body: string;
        try {
          const query = {
            function: request.adjusted ? 'TIME_SERIES_DAILY_ADJUSTED' : fn,
            symbol,
            outputsize: 'full',
            datatype: 'json',
            apikey: key,
          };
          body = (await ctx.http.get('query', query, ctx.signal)).body.toString('utf8');
        } catch (e) {
          return fail(
            e instanceof HttpError && !e.transient ? 'invalid-input' : 'unavailable',
            `alphavantage: ${(e as Error).message}`,
          );
        }
        const r = parseAlphaVantageDaily(symbol, body, bars, actions, from);
        if (!r.ok) return r;
        if (r.value === 0)
          warnings.push(`alphavantage: ${symbol}: no rows${from !== null ? ` since ${request.from}` : ''}`);
      }
      return ok({ csv: { bars: bars.text(), actions: actions.text() }, warnings, requests: request.symbols.length });
    },
  };
}

/** Appends one answer's rows (dates >= `from` when given) to `bars` and `actions`; returns the bar count. */
export function parseAlphaVantageDaily(
  symbol: string,
  body: string,
  bars: CsvOut,
  actions: CsvOut,
  from: number | null,
): Result<number> {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return fail('invalid-input', `alphavantage: ${symbol}: the answer is not JSON: "${body.slice(0, 80)}"`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return fail('invalid-input', `alphavantage: ${symbol}: the answer is not a JSON object`);
  if (typeof doc['Error Message'] === 'string') {
    // The provider sends the same field for a bad key and an unknown symbol; its text tells which.
    return fail('invalid-input', `alphavantage: ${symbol}: ${redactKey(doc['Error Message'])}`);
  }
  for (const k of ['Note', 'Information']) {
    if (typeof doc[k] === 'string')
      return fail('unavailable', `alphavantage: ${symbol}: quota or plan limit: ${redactKey(doc[k] as string)}`);
  }
  const seriesKey = Object.keys(doc).find((k) => k.startsWith('Time Series'));
  if (seriesKey === undefined) {
    if (Object.keys(doc).length === 0) return ok(0);
    return fail(
      'invalid-input',
      `alphavantage: ${symbol}: no "Time Series (Daily)" in the answer (keys: ${Object.keys(doc).join(', ')})`,
    );
  }
  const series = doc[seriesKey] as Record<string, AvRow>;
  if (series === null || typeof series !== 'object')
    return fail('invalid-input', `alphavantage: ${symbol}: "${seriesKey}" is not an object`);
  let n = 0;
  // The provider lists newest first; the import does not care about order, but rows read better ascending.
  for (const date of Object.keys(series).sort()) {
    const ts = parseDate(date);
    if (ts === null || date.length !== 10)
      return fail('invalid-input', `alphavantage: ${symbol}: "${date}" is not a YYYY-MM-DD date`);
    if (from !== null && ts < from) continue;
    const row = series[date];
    const get = (k: string) => (row && typeof row === 'object' ? (row[k] ?? '') : '');
    const volume = get('5. volume') || get('6. volume');
    bars.add([symbol, date, get('1. open'), get('2. high'), get('3. low'), get('4. close'), volume]);
    n++;
    const div = Number(get('7. dividend amount'));
    if (div > 0) actions.add([symbol, 'dividend', date, div, date]);
    const split = Number(get('8. split coefficient'));
    if (split > 0 && split !== 1) actions.add([symbol, 'split', date, split, date]);
  }
  return ok(n);
}

/** Alpha Vantage echoes nothing secret in its messages today; mask anything that looks like `apikey=…` anyway. */
function redactKey(msg: string): string {
  return msg.replace(/(apikey=)[^&\s"]+/gi, '$1***');
}
