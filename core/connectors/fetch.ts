import { fail, ok, type Result } from '../model/result';
import { checkQuality } from '../quality/checks';
import { importCsv, type ImportKind, type ImportReport } from '../store/import';
import type { Store } from '../store/sqlite-bar-store';
import { alphaVantageConnector } from './alphavantage';
import { dartConnector, storeCorpCodes } from './dart';
import { HTTP_DEFAULTS, HttpClient, type HttpOptions } from './http';
import { newsConnector } from './news';
import { storeNews } from './news-store';
import { stooqConnector } from './stooq';
import type { Connector, ConnectorName, FetchReport, FetchRequest } from './types';

/** Every connector by name: the one registry `quantdesk fetch`, the scheduler and the app resolve through. */
export const CONNECTORS: Readonly<Record<ConnectorName, Connector>> = {
  stooq: stooqConnector,
  alphavantage: alphaVantageConnector(),
  dart: dartConnector,
  news: newsConnector,
};

/** The connector names, for usage text and validation. */
export const CONNECTOR_NAMES = Object.keys(CONNECTORS) as ConnectorName[];

/** Options for {@link runFetch}: HTTP overrides, the environment (keys), a clock and cancellation. */
export interface RunFetchOptions {
  readonly http?: Partial<HttpOptions>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
}

const ORDER: readonly ImportKind[] = ['instruments', 'bars', 'actions', 'fundamentals'];

/**
 * Fetches from `source` and stores what it returned: every kind goes through `importCsv` (the CSV
 * import's validation and its one transaction per kind), news through `storeNews` (one transaction).
 * Nothing is written until the whole download succeeded and mapped cleanly, so a failed or killed
 * fetch leaves the store as it was, except for kinds already committed when the process died between
 * two kinds' transactions; a retry then finds those unchanged and completes the rest. A fetch that
 * brings nothing new reports `changed: 0` and records no import.
 */
export async function runFetch(
  store: Store,
  source: ConnectorName,
  request: FetchRequest,
  options: RunFetchOptions = {},
): Promise<Result<FetchReport>> {
  const t0 = performance.now();
  const connector = CONNECTORS[source];
  if (!connector) return fail('invalid-input', `unknown source "${source}" (${CONNECTOR_NAMES.join(', ')})`);
  const http = new HttpClient(
    { ...HTTP_DEFAULTS, ...connector.http, ...stripUndefined(options.http ?? {}) },
    options.sleep,
  );
  const now = options.now ?? Date.now;
  const env = options.env ?? process.env;
  const got = await connector.fetch({ store, http, env, now, signal: options.signal }, request);
  // Providers echo keys in their messages ("We have detected your API key as …"): never pass one on.
  if (!got.ok) return scrub(got, connector.keyEnv ? env[connector.keyEnv] : undefined);
  const batch = got.value;
  let changed = 0;
  if (batch.dartCorps) changed += storeCorpCodes(store, batch.dartCorps);
  const imports: ImportReport[] = [];
  for (const kind of ORDER) {
    const content = batch.csv[kind];
    if (content === undefined) continue;
    const r = await importCsv(store, kind, { fileName: `${source}:${kind}`, content }, { signal: options.signal });
    if (!r.ok)
      return fail(
        r.error.code,
        `${source}: the provider's data failed validation; nothing more was stored: ${r.error.message}`,
        r.error.details,
      );
    imports.push(r.value);
    changed += r.value.changed;
  }
  // Data quality over the symbols whose prices or actions changed (findings stored, alerts raised).
  const touched = imports.filter((i) => (i.kind === 'bars' || i.kind === 'actions') && i.changed > 0);
  let quality = 0;
  if (touched.length > 0) {
    const symbols = new Set<string>();
    for (const i of touched)
      for (const line of (batch.csv[i.kind] ?? '').split('\n').slice(1))
        if (line !== '') symbols.add(line.slice(0, line.indexOf(',')));
    quality = checkQuality(store, { symbols: [...symbols], now: now() }).length;
  }
  let news: FetchReport['news'] = null;
  if (batch.news) {
    news = storeNews(store, batch.news, now());
    changed += news.inserted;
  }
  return ok({
    source,
    changed,
    imports,
    news,
    quality,
    warnings: batch.warnings,
    requests: batch.requests,
    durationMs: performance.now() - t0,
  });
}

function scrub<T>(r: Result<T>, key: string | undefined): Result<T> {
  if (r.ok || !key) return r;
  const clean = (t: string) => t.split(key).join('***');
  return fail(r.error.code, clean(r.error.message), r.error.details?.map(clean));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
