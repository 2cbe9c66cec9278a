import { CONNECTOR_NAMES, runFetch } from '../../connectors/fetch';
import type { ConnectorName, FetchReport, FetchRequest } from '../../connectors/types';
import { parseDate } from '../../model/time';
import { parseFlags, UsageError } from '../args';
import { EXIT, type CliIO, type Command } from '../io';
import { openWritableStore } from './import';

const USAGE = `Usage: quantdesk fetch SOURCE --db DB [--base-url URL] [--symbols A,B] [--from YYYY-MM-DD] [--url FEED ...] [--json]
                       [--adjusted] [--rate-ms N] [--retries N] [--timeout-ms N]

Downloads from SOURCE, validates, and stores through the same atomic path as \`quantdesk import\`.
Prints what changed; the same fetch twice changes nothing the second time.
  stooq         daily CSV (https://stooq.com/q/d/l/?s=aapl.us&i=d); --symbols AAPL.US,SPY.US
  alphavantage  TIME_SERIES_DAILY JSON; key from ALPHAVANTAGE_API_KEY; --symbols IBM,MSFT; --adjusted asks for
                TIME_SERIES_DAILY_ADJUSTED (premium): dividends and splits become corporate actions
  dart          DART OpenAPI corpCode.xml + fnlttSinglAcntAll (CFS) → fundamentals, known_at = receipt
                date (rcept_no); key from DART_API_KEY; --symbols 005930,000660
  news          RSS/Atom feeds into the news table (sentiment, symbol links); --url FEED (repeatable)
--base-url points the connector elsewhere (a mirror, a test server). --rate-ms is the minimum gap
between requests (provider defaults: stooq 500, alphavantage 12000, dart 100, news 1000).
Exit 0 ok, 1 provider unavailable (quota, timeout, network), 2 bad input (key refused, malformed data).
--json prints {"source","changed","imports":[…],"news","quality","warnings","requests","durationMs"}.`;

/** Parses the `fetch` flags shared by the command and scheduled jobs (`--db` excluded). */
export function parseFetchArgs(args: string[]) {
  const { values, positionals } = parseFlags(args, {
    db: { type: 'string' },
    'base-url': { type: 'string' },
    symbols: { type: 'string' },
    from: { type: 'string' },
    url: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    adjusted: { type: 'boolean' },
    'rate-ms': { type: 'string' },
    retries: { type: 'string' },
    'timeout-ms': { type: 'string' },
  });
  const [source, ...extra] = positionals;
  if (!CONNECTOR_NAMES.includes(source as ConnectorName))
    throw new UsageError(`unknown SOURCE "${source ?? ''}" (${CONNECTOR_NAMES.join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (values.from !== undefined && (values.from.length !== 10 || parseDate(values.from) === null))
    throw new UsageError(`--from: "${values.from}" is not YYYY-MM-DD`);
  const int = (name: 'rate-ms' | 'retries' | 'timeout-ms') => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: "${v}" is not a whole number >= 0`);
    return n;
  };
  if (values['base-url'] !== undefined && !/^https?:\/\//.test(values['base-url']))
    throw new UsageError(`--base-url: "${values['base-url']}" is not an http(s) URL`);
  const request: FetchRequest = {
    symbols: (values.symbols ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    from: values.from,
    urls: values.url ?? [],
    adjusted: values.adjusted === true,
  };
  const http = {
    baseUrl: values['base-url'],
    minIntervalMs: int('rate-ms'),
    retries: int('retries'),
    timeoutMs: int('timeout-ms'),
  };
  return { source: source as ConnectorName, request, http, json: values.json === true, db: values.db };
}

/** One line per kind that changed, then warnings; what `quantdesk fetch` prints without --json. */
export function formatFetchReport(r: FetchReport): string {
  const parts = r.imports.map((i) => `${i.kind} ${i.rows} rows, ${i.changed} changed`);
  if (r.news) parts.push(`news ${r.news.items} items, ${r.news.inserted} new, ${r.news.links} symbol links`);
  const head = `${r.source}: ${r.changed === 0 ? 'nothing changed' : `${r.changed} rows changed`} (${parts.join('; ') || 'no data'}; ${r.requests} requests, ${Math.round(r.durationMs)} ms)\n`;
  const dq =
    r.quality > 0 ? `${r.quality} new data-quality finding${r.quality === 1 ? '' : 's'} (see dq_findings)\n` : '';
  return head + dq + r.warnings.map((w) => `warning: ${w}\n`).join('');
}

/** `quantdesk fetch SOURCE --db DB …`. */
export const fetchCommand: Command = {
  name: 'fetch',
  summary: 'Fetch prices (Stooq, Alpha Vantage), DART fundamentals or RSS/Atom news into the store',
  usage: USAGE,
  async run(args, io: CliIO) {
    const p = parseFetchArgs(args);
    if (p.db === undefined) throw new UsageError('missing required option --db');
    const store = openWritableStore(p.db);
    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    try {
      const r = await runFetch(store, p.source, p.request, { http: p.http, signal: ac.signal });
      if (!r.ok) {
        io.err(`quantdesk fetch: ${r.error.message}\n`);
        for (const d of r.error.details ?? []) io.err(`${d}\n`);
        return r.error.code === 'invalid-input' || r.error.code === 'not-found' ? EXIT.badInput : EXIT.failure;
      }
      io.out(p.json ? `${JSON.stringify(r.value)}\n` : formatFetchReport(r.value));
      return EXIT.ok;
    } finally {
      process.off('SIGINT', onSigint);
      store.close();
    }
  },
};
