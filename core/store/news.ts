import type { NewsRow } from '../connectors/news-store';
import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/** Every instrument's id, symbol and name (names may be empty). */
export function instrumentNames(store: Store): { id: number; symbol: string; name: string }[] {
  return connection(store).prepare('SELECT id, symbol, name FROM instruments').all() as {
    id: number;
    symbol: string;
    name: string;
  }[];
}

/** One news item to insert (`key` is its dedup key; `sentiment` the comparative score, `score` the raw one). */
export interface NewsInsert {
  readonly key: string;
  readonly feed: string;
  readonly title: string;
  readonly link: string;
  readonly summary: string;
  readonly publishedAt: number | null;
  readonly knownAt: number;
  readonly lang: string;
  readonly sentiment: number | null;
  readonly score: number | null;
}

/** Prepared news writers: `insert` returns the new row's id, or null when the dedup key is already stored; `link` returns rows added (0 or 1). */
export function newsWriters(store: Store): {
  insert(n: NewsInsert): number | null;
  link(newsId: number, instrumentId: number, matched: string): number;
} {
  const db = connection(store);
  const insert = db.prepare(
    `INSERT INTO news(dedup_key, feed, title, link, summary, published_at, known_at, lang, sentiment, sentiment_score)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dedup_key) DO NOTHING`,
  );
  const link = db.prepare(
    'INSERT INTO news_symbols(news_id, instrument_id, matched) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  return {
    insert: (n) => {
      const info = insert.run(
        n.key,
        n.feed,
        n.title,
        n.link,
        n.summary,
        n.publishedAt,
        n.knownAt,
        n.lang,
        n.sentiment,
        n.score,
      );
      return info.changes === 0 ? null : Number(info.lastInsertRowid);
    },
    link: (newsId, instrumentId, matched) => link.run(newsId, instrumentId, matched).changes,
  };
}

/** News known at `asOf` (no lookahead: `known_at <= asOf`), newest first, optionally for one symbol. */
export function newsAsOf(
  store: Store,
  asOf: number,
  options: { symbol?: string; limit?: number; since?: number } = {},
): NewsRow[] {
  const rows = connection(store)
    .prepare(
      `SELECT n.id, n.title, n.link, n.published_at AS publishedAt, n.known_at AS knownAt, n.lang, n.sentiment,
         (SELECT group_concat(i.symbol) FROM news_symbols ns JOIN instruments i ON i.id = ns.instrument_id WHERE ns.news_id = n.id) AS syms
       FROM news n
       WHERE n.known_at <= ? AND n.known_at >= ?
         AND (? IS NULL OR EXISTS (SELECT 1 FROM news_symbols ns JOIN instruments i ON i.id = ns.instrument_id WHERE ns.news_id = n.id AND i.symbol = ?))
       ORDER BY coalesce(n.published_at, n.known_at) DESC, n.id DESC LIMIT ?`,
    )
    .all(asOf, options.since ?? 0, options.symbol ?? null, options.symbol ?? null, options.limit ?? 50) as (Omit<
    NewsRow,
    'symbols'
  > & { syms: string | null })[];
  return rows.map(({ syms, ...r }) => ({ ...r, symbols: syms === null ? [] : syms.split(',') }));
}

/**
 * Every stored article linked to an instrument, as the feature store reads it: the symbol, the time it counts
 * from (the later of its publication and when it became known: no article counts before both) and its
 * sentiment (null when unscored), ordered by that time.
 */
export function newsSentimentRows(store: Store): { symbol: string; at: number; sentiment: number | null }[] {
  return connection(store)
    .prepare(
      `SELECT i.symbol AS symbol, max(coalesce(n.published_at, n.known_at), n.known_at) AS at, n.sentiment AS sentiment
       FROM news n JOIN news_symbols ns ON ns.news_id = n.id JOIN instruments i ON i.id = ns.instrument_id
       ORDER BY at, n.id`,
    )
    .all() as { symbol: string; at: number; sentiment: number | null }[];
}

/** A text that changes whenever news rows or their symbol links are added (newest news id and link count). */
export function newsVersion(store: Store): string {
  const r = connection(store)
    .prepare('SELECT (SELECT coalesce(max(id), 0) FROM news) AS n, (SELECT count(*) FROM news_symbols) AS l')
    .get() as { n: number; l: number };
  return `${r.n}:${r.l}`;
}
