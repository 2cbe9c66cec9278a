import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { fail, ok, type Result } from '../model/result';
import type { NewsItem } from './news-store';
import type { Connector, FetchBatch } from './types';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  processEntities: true,
  htmlEntities: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'item' || name === 'entry' || name === 'link',
});

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'object' && '#text' in (v as Record<string, unknown>))
    return text((v as Record<string, unknown>)['#text']);
  return '';
}

function stripHtml(s: string): string {
  return s
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function time(s: string): number | null {
  if (s === '') return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

/** Atom `link` elements: the `rel="alternate"` (or rel-less) href. */
function atomLink(v: unknown): string {
  const links = (Array.isArray(v) ? v : [v]) as Record<string, unknown>[];
  const alt =
    links.find((l) => l && typeof l === 'object' && (l['@rel'] === undefined || l['@rel'] === 'alternate')) ?? links[0];
  if (alt && typeof alt === 'object') return text(alt['@href']) || text(alt);
  return text(alt);
}

/**
 * Parses an RSS 2.0, RSS 1.0 (RDF) or Atom 1.0 document into items. Returns an error naming the feed
 * for malformed XML or a document that is none of the three.
 */
export function parseFeed(feed: string, xml: string): Result<NewsItem[]> {
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    return fail('invalid-input', `${feed}: malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  const doc = parser.parse(xml) as Record<string, Record<string, unknown>>;
  const items: NewsItem[] = [];
  if (doc.rss || doc['rdf:RDF']) {
    const channel = (doc.rss ? doc.rss.channel : doc['rdf:RDF']) as Record<string, unknown> | undefined;
    const raw = ((doc.rss ? channel?.item : doc['rdf:RDF'].item) ?? []) as Record<string, unknown>[];
    for (const it of raw) {
      items.push({
        feed,
        guid: text(it.guid),
        title: stripHtml(text(it.title)),
        link: text(it.link).trim(),
        summary: stripHtml(text(it.description)),
        publishedAt: time(text(it.pubDate) || text(it['dc:date'])),
      });
    }
    return ok(items);
  }
  if (doc.feed) {
    for (const it of (doc.feed.entry ?? []) as Record<string, unknown>[]) {
      items.push({
        feed,
        guid: text(it.id),
        title: stripHtml(text(it.title)),
        link: atomLink(it.link).trim(),
        summary: stripHtml(text(it.summary) || text(it.content)),
        publishedAt: time(text(it.published) || text(it.updated)),
      });
    }
    return ok(items);
  }
  return fail(
    'invalid-input',
    `${feed}: not an RSS or Atom feed (root element ${Object.keys(doc).filter((k) => k !== '?xml')[0] ?? 'missing'})`,
  );
}

/**
 * RSS and Atom feeds (any URL: `--url`, repeatable). Items become rows of the `news` table (see
 * `storeNews`), so `--symbols` and `--from` do not apply. The design documents poll Investing and
 * Yahoo every 90 minutes; schedule it with `quantdesk jobs add`.
 */
export const newsConnector: Connector = {
  name: 'news',
  http: { baseUrl: 'http://127.0.0.1/', minIntervalMs: 1000 },
  async fetch(ctx, request): Promise<Result<FetchBatch>> {
    const urls = request.urls ?? [];
    if (urls.length === 0) return fail('invalid-input', 'news: give at least one feed with --url FEED');
    const all: NewsItem[] = [];
    const warnings: string[] = [];
    for (const url of urls) {
      let r;
      try {
        r = await ctx.http.get(url, {}, ctx.signal);
      } catch (e) {
        return fail('unavailable', `news: ${(e as Error).message}`);
      }
      const parsed = parseFeed(url, r.body.toString('utf8'));
      if (!parsed.ok) return parsed;
      if (parsed.value.length === 0) warnings.push(`${url}: the feed has no items`);
      const bad = parsed.value.filter((i) => i.title === '' && i.link === '');
      if (bad.length > 0) warnings.push(`${url}: ${bad.length} item(s) without title or link skipped`);
      all.push(...parsed.value.filter((i) => !(i.title === '' && i.link === '')));
    }
    return ok({ csv: {}, news: all, warnings, requests: urls.length });
  },
};
