import { createHash } from 'node:crypto';
import type { Store } from '../store/sqlite-bar-store';
import { scoreSentiment } from './sentiment';
import { instrumentNames, newsAsOf, newsWriters } from '../store/news';
import { inTransaction } from '../store/transaction';

export { newsAsOf };

/** One feed item as parsed, before storage. */
export interface NewsItem {
  readonly feed: string;
  /** The feed's id for the item (RSS guid, Atom id), or '' when it has none. */
  readonly guid: string;
  readonly title: string;
  readonly link: string;
  readonly summary: string;
  /** The feed's publication time (EpochMs), or null when missing or unparseable. */
  readonly publishedAt: number | null;
}

/** What {@link storeNews} did. */
export interface NewsWrite {
  readonly items: number;
  readonly inserted: number;
  readonly links: number;
}

/**
 * The identity of an item across fetches and feeds: its link when it has one (the same story syndicated
 * by two feeds is one row), else its guid, else a hash of title and publication time.
 */
export function newsKey(item: NewsItem): string {
  const raw =
    item.link !== ''
      ? `link:${item.link}`
      : item.guid !== ''
        ? `guid:${item.feed}\u0000${item.guid}`
        : `text:${item.title}\u0000${item.publishedAt ?? ''}`;
  return createHash('sha256').update(raw).digest('hex').slice(0, 32);
}

/** A matcher per instrument: the ticker as a whole word (case-sensitive, `$` optional), or the name. */
interface SymbolMatcher {
  readonly id: number;
  readonly symbol: string;
  readonly ticker: RegExp;
  readonly name: string | null;
}

function matchers(store: Store): SymbolMatcher[] {
  const rows = instrumentNames(store);
  return rows.map((r) => {
    // Tickers shorter than 2 letters (`A`, `T`) match too much prose; they link through the name only.
    const base = r.symbol.replace(/\.[A-Z]{1,3}$/i, '');
    const esc = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const ticker = base.length >= 2 ? new RegExp(`(?:^|[^\\p{L}\\p{N}])\\$?${esc}(?![\\p{L}\\p{N}])`, 'u') : /(?!)/;
    const name = r.name.trim().length >= 3 ? r.name.trim().toLowerCase() : null;
    return { id: r.id, symbol: r.symbol, ticker, name };
  });
}

/**
 * Stores feed items in one transaction: new items are inserted with `known_at = knownAt` (the fetch
 * time, which is when a strategy could have read them), scored for sentiment, and linked to every
 * instrument whose ticker or name appears in the title or summary. An item already stored (same
 * {@link newsKey}) is left as it is: its first `known_at` stands, so a second fetch changes nothing.
 */
export function storeNews(store: Store, items: readonly NewsItem[], knownAt: number): NewsWrite {
  const ms = matchers(store);
  const w = newsWriters(store);
  return inTransaction(store, () => {
    let inserted = 0;
    let links = 0;
    const seen = new Set<string>();
    for (const it of items) {
      const key = newsKey(it);
      if (seen.has(key)) continue;
      seen.add(key);
      const text = `${it.title}\n${it.summary}`;
      const s = scoreSentiment(text);
      const id = w.insert({
        key,
        feed: it.feed,
        title: it.title,
        link: it.link,
        summary: it.summary,
        publishedAt: it.publishedAt,
        knownAt,
        lang: s.lang,
        sentiment: s.comparative,
        score: s.score,
      });
      if (id === null) continue;
      inserted++;
      const lower = text.toLowerCase();
      for (const m of ms) {
        const how = m.ticker.test(text) ? 'ticker' : m.name !== null && lower.includes(m.name) ? 'name' : null;
        if (how !== null) links += w.link(id, m.id, how);
      }
    }
    return { items: items.length, inserted, links };
  });
}

/** A stored news item as read back (for reports, the feature store and the UI). */
export interface NewsRow {
  readonly id: number;
  readonly title: string;
  readonly link: string;
  readonly publishedAt: number | null;
  readonly knownAt: number;
  readonly lang: string;
  readonly sentiment: number | null;
  readonly symbols: readonly string[];
}
