import { afterEach, describe, expect, it } from 'vitest';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { runFetch, type RunFetchOptions } from './fetch';
import { parseFeed } from './news';
import { newsAsOf } from './news-store';
import { scoreSentiment } from './sentiment';
import { startTestServer, type Reply } from './test-server';
import { connection } from '../store/internal';

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Markets</title><link>https://example.com</link><description>d</description>
<item><title>Apple beats estimates, shares surge to record high</title><link>https://example.com/a1</link>
  <guid isPermaLink="false">a1</guid><pubDate>Tue, 02 Jan 2024 14:30:00 GMT</pubDate>
  <description><![CDATA[<p>Strong iPhone sales lifted <b>AAPL</b>.</p>]]></description></item>
<item><title>$MSFT faces lawsuit over outage; losses feared</title><link>https://example.com/m1</link>
  <pubDate>Tue, 02 Jan 2024 15:00:00 +0000</pubDate><description>Terrible quarter &amp; weak guidance</description></item>
<item><title>삼성전자 실적 개선 기대에 주가 상승세</title><link>https://example.com/k1</link>
  <pubDate>Wed, 03 Jan 2024 01:00:00 +0900</pubDate><description>반도체 수요 회복</description></item>
</channel></rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:wire</id><updated>2024-01-02T16:00:00Z</updated>
<entry><title>Apple beats estimates, shares surge to record high</title><link rel="alternate" href="https://example.com/a1"/>
  <id>urn:wire:1</id><updated>2024-01-02T16:00:00Z</updated><summary>Syndicated copy of the same story</summary></entry>
<entry><title type="html">Market wrap: stocks flat</title><link href="https://example.com/w2"/><id>urn:wire:2</id>
  <published>2024-01-02T21:00:00Z</published><updated>2024-01-02T21:05:00Z</updated><content type="html">&lt;p&gt;Quiet day&lt;/p&gt;</content></entry>
</feed>`;

let store: Store;
let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
afterEach(async () => {
  store?.close();
  await server?.close();
  server = undefined;
});

function route(url: URL): Reply {
  if (url.pathname === '/rss.xml') return { body: RSS, type: 'application/rss+xml' };
  if (url.pathname === '/atom.xml') return { body: ATOM, type: 'application/atom+xml' };
  if (url.pathname === '/broken.xml') return { body: '<rss><channel><item><title>x</title></channel></rss>' };
  if (url.pathname === '/html') return { body: '<html><body>hi</body></html>' };
  return { status: 404, body: 'nope' };
}

async function seed(s: Store): Promise<void> {
  const csv =
    'symbol,name,sector,currency,listed_on,delisted_on\nAAPL,Apple Inc,Tech,USD,,\nMSFT,Microsoft,Tech,USD,,\n005930,삼성전자,,KRW,,\nT,AT&T,Telecom,USD,,\n';
  const r = await importCsv(s, 'instruments', { fileName: 'i.csv', content: csv });
  expect(r.ok).toBe(true);
}

describe('news connector', () => {
  it('stores RSS and Atom items once (same link across feeds), known at fetch time, linked and scored', async () => {
    server = await startTestServer(route);
    store = openStore(':memory:');
    await seed(store);
    const fetchedAt = Date.UTC(2024, 0, 3, 6, 0);
    const o: RunFetchOptions = { http: { minIntervalMs: 0 }, now: () => fetchedAt };
    const urls = [`${server.base}/rss.xml`, `${server.base}/atom.xml`];
    const r = await runFetch(store, 'news', { symbols: [], urls }, o);
    expect(r.ok && r.value.news).toEqual({ items: 5, inserted: 4, links: 3 });
    const again = await runFetch(store, 'news', { symbols: [], urls }, { ...o, now: () => fetchedAt + 5_400_000 });
    expect(again.ok && [again.value.changed, again.value.news?.inserted]).toEqual([0, 0]);
    expect(newsAsOf(store, fetchedAt - 1)).toEqual([]); // not known before we fetched it, whatever pubDate says
    const rows = newsAsOf(store, fetchedAt);
    expect(rows.map((n) => [n.title, n.symbols, n.lang])).toEqual([
      ['Market wrap: stocks flat', [], 'en'],
      ['삼성전자 실적 개선 기대에 주가 상승세', ['005930'], 'ko'],
      ['$MSFT faces lawsuit over outage; losses feared', ['MSFT'], 'en'],
      ['Apple beats estimates, shares surge to record high', ['AAPL'], 'en'],
    ]);
    const s = Object.fromEntries(rows.map((n) => [n.symbols[0] ?? 'none', n.sentiment!]));
    expect(s.AAPL).toBeGreaterThan(0);
    expect(s.MSFT).toBeLessThan(0);
    expect(s['005930']).toBeGreaterThan(0);
    expect(rows[2].publishedAt).toBe(Date.UTC(2024, 0, 2, 15));
    expect(newsAsOf(store, fetchedAt, { symbol: 'AAPL' }).length).toBe(1);
  });

  it('refuses malformed XML and a non-feed document naming the URL, storing nothing', async () => {
    server = await startTestServer(route);
    store = openStore(':memory:');
    const o: RunFetchOptions = { http: { minIntervalMs: 0, retries: 0 } };
    const bad = await runFetch(
      store,
      'news',
      { symbols: [], urls: [`${server.base}/rss.xml`, `${server.base}/broken.xml`] },
      o,
    );
    expect(!bad.ok && bad.error.message).toMatch(/broken\.xml: malformed XML at line 1/);
    const html = await runFetch(store, 'news', { symbols: [], urls: [`${server.base}/html`] }, o);
    expect(!html.ok && html.error.message).toMatch(/not an RSS or Atom feed \(root element html\)/);
    const missing = await runFetch(store, 'news', { symbols: [], urls: [`${server.base}/gone.xml`] }, o);
    expect(!missing.ok && missing.error.message).toMatch(/HTTP 404/);
    expect(connection(store).prepare('SELECT count(*) FROM news').pluck().get()).toBe(0);
  });

  it('parses RSS 1.0 (RDF) dc:date and scores Korean by the finance lexicon', () => {
    const rdf = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <item rdf:about="https://x/1"><title>One</title><link>https://x/1</link><dc:date>2024-01-02T00:00:00Z</dc:date></item></rdf:RDF>`;
    const r = parseFeed('f', rdf);
    expect(r.ok && r.value.map((i) => [i.title, i.publishedAt])).toEqual([['One', Date.UTC(2024, 0, 2)]]);
    expect(scoreSentiment('주가 급락, 적자 우려').score).toBe(-3 - 2 - 1);
    expect(scoreSentiment('Great results').lang).toBe('en');
  });
});
