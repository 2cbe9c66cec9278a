import type { Result } from '../model/result';
import type { ImportKind, ImportReport } from '../store/import';
import type { Store } from '../store/sqlite-bar-store';
import type { HttpClient, HttpOptions } from './http';
import type { DartCorp } from './dart';
import type { NewsItem } from './news-store';

/** The sources `quantdesk fetch` knows. */
export type ConnectorName = 'stooq' | 'alphavantage' | 'dart' | 'news';

/** What to fetch. Each connector reads the fields that apply to it. */
export interface FetchRequest {
  /** Store symbols to fetch (prices, DART); empty: the connector's own rule (see each connector). */
  readonly symbols: readonly string[];
  /** First date wanted (`YYYY-MM-DD`), or undefined for the connector's default history. */
  readonly from?: string;
  /** Feed URLs (news only). */
  readonly urls?: readonly string[];
  /** Alpha Vantage only: ask for TIME_SERIES_DAILY_ADJUSTED (premium) to get dividends and splits as actions. */
  readonly adjusted?: boolean;
}

/** What a connector hands to the import path: CSV text per import kind, plus news items. */
export interface FetchBatch {
  /** CSV (with the kind's header) per kind; imported in the order instruments, bars, actions, fundamentals. */
  readonly csv: Partial<Record<ImportKind, string>>;
  readonly news?: readonly NewsItem[];
  /** DART's company code list, when it was downloaded (stored before the imports). */
  readonly dartCorps?: readonly DartCorp[];
  /** Non-fatal per-symbol notes (an unknown symbol, an empty series). */
  readonly warnings: readonly string[];
  /** HTTP requests made. */
  readonly requests: number;
}

/** Everything a connector may use: the store (read-only use), its HTTP client, the environment and a clock. */
export interface ConnectorContext {
  readonly store: Store;
  readonly http: HttpClient;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Wall-clock now in EpochMs; `known_at` of what has no publication date of its own. */
  readonly now: () => number;
  readonly signal?: AbortSignal;
}

/**
 * A data source. `fetch` only downloads and maps to the import formats; it never writes. The caller
 * ({@link runFetch}) validates and imports through the same path as CSV files, so a connector cannot
 * store anything a CSV import would refuse. Errors a user can cause (missing key, quota, malformed
 * body) come back as `Result` errors whose message names the source and never the key.
 */
export interface Connector {
  readonly name: ConnectorName;
  /** Default HTTP settings (base URL, the provider's rate limit). */
  readonly http: Pick<HttpOptions, 'baseUrl' | 'minIntervalMs'>;
  /** The environment variable holding the API key, if the provider needs one. */
  readonly keyEnv?: string;
  fetch(ctx: ConnectorContext, request: FetchRequest): Promise<Result<FetchBatch>>;
}

/** What one fetch changed: one import report per kind written, news counts, notes. */
export interface FetchReport {
  readonly source: ConnectorName;
  /** Rows inserted or changed across every kind (0: already up to date). */
  readonly changed: number;
  readonly imports: readonly ImportReport[];
  readonly news: { readonly items: number; readonly inserted: number; readonly links: number } | null;
  readonly warnings: readonly string[];
  /** New data-quality findings over the symbols this fetch changed (see `checkQuality`). */
  readonly quality: number;
  readonly requests: number;
  readonly durationMs: number;
}
