import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { newsAsOf, type NewsRow } from '../connectors/news-store';
import { AlertCenter, type WebhookTarget } from '../live/alerts';
import { fail, ok, type Result } from '../model/result';
import { DAY_MS, formatDate, startOfDay } from '../model/time';
import { listFindings, type QualityFinding } from '../quality/checks';
import { jobHistory, type JobRun } from '../scheduler/jobs';
import { runSignals } from '../signals/run-signals';
import type { HorizonStats } from '../signals/signal-stats';
import { Journal } from '../store/journal';
import type { Store } from '../store/sqlite-bar-store';
import { allPositions, lastCloseReader, listReports, recordReport, reportableAlerts } from '../store/reports';

export { listReports };

/** A watched strategy: a backtest spec (strategy, params, symbols or universe, fill) and a label. */
export interface WatchedSpec {
  readonly label: string;
  readonly spec: Record<string, unknown>;
}

/** One signal of the report day with its strategy's historical record on that symbol (h = 5 bars). */
export interface ReportSignal {
  readonly strategy: string;
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly price: number | null;
  /** Past signals on this symbol with a 5-bar outcome, their success rate and average return. */
  readonly history: HorizonStats;
}

/** A live session's position and its PnL at the last close known on the report day. */
export interface ReportPosition {
  readonly session: string;
  readonly symbol: string;
  readonly qty: number;
  readonly avgCost: number;
  readonly last: number | null;
  readonly realized: number;
  readonly unrealized: number;
}

/** A live alert of the day (risk limits, kill switch, anomalies), data-quality and report alerts excluded. */
export interface ReportAlert {
  readonly session: string;
  readonly time: number;
  readonly kind: string;
  readonly severity: string;
  readonly symbol: string | null;
  readonly message: string;
}

/** Everything the daily report shows; also what `--json` would carry and what the store records. */
export interface DailyReport {
  /** The report day (00:00 UTC): signals of this bar date; findings, alerts and runs since it. */
  readonly day: number;
  readonly createdAt: number;
  readonly signals: readonly ReportSignal[];
  readonly signalErrors: readonly string[];
  readonly positions: readonly ReportPosition[];
  readonly alerts: readonly ReportAlert[];
  readonly findings: readonly QualityFinding[];
  readonly news: readonly NewsRow[];
  readonly failedJobs: readonly JobRun[];
}

/**
 * Builds the daily report for `day` (EpochMs, any instant of the UTC day; default yesterday):
 * the watched specs' entry signals on that bar date, each with the strategy's past success rate on the
 * symbol (5-bar forward returns from `quantdesk signals`, only signals before the day count); live
 * sessions' positions with realized and unrealized PnL at the last close known by the end of the day;
 * live alerts, data-quality findings, failed or abandoned job runs since the day began; and the ten
 * news items known by now with the strongest sentiment (either sign) since the day began.
 */
export function buildDailyReport(
  store: Store,
  watched: readonly WatchedSpec[],
  options: { day?: number; now?: number } = {},
): DailyReport {
  const now = options.now ?? Date.now();
  const day = startOfDay(options.day ?? now - DAY_MS);
  const dayText = formatDate(day);
  const signals: ReportSignal[] = [];
  const signalErrors: string[] = [];
  for (const w of watched) {
    // History: signals strictly before the day, so the success rate does not include the day's own outcome.
    const past = runSignals(store, { ...w.spec, end: formatDate(day - DAY_MS) }, [5]);
    const today = runSignals(store, { ...w.spec, start: dayText, end: dayText }, [5]);
    if (!today.ok || !past.ok) {
      signalErrors.push(
        `${w.label}: ${(!today.ok ? today : (past as { ok: false; error: { message: string } })).error.message}`,
      );
      continue;
    }
    const hist = new Map(past.value.symbols.map((s) => [s.symbol, s.horizons[0].all]));
    for (const s of today.value.symbols) {
      for (const e of s.events) {
        if (e.time.slice(0, 10) !== dayText) continue;
        signals.push({
          strategy: w.label,
          symbol: s.symbol,
          side: e.side,
          price: e.price,
          history: hist.get(s.symbol) ?? { count: 0, successRate: null, avgReturn: null, sharpe: null },
        });
      }
    }
  }
  const endOfDay = day + DAY_MS - 1;
  const lastClose = lastCloseReader(store);
  const positions = allPositions(store).map((p) => {
    const last = lastClose(p.symbol, endOfDay) ?? null;
    return { ...p, last, unrealized: last === null ? 0 : p.qty * (last - p.avgCost) };
  });
  const alerts = reportableAlerts(store, day);
  const findings = listFindings(store, { since: day, limit: 100 });
  const news = newsAsOf(store, now, { since: day, limit: 500 })
    .filter((n) => n.sentiment !== null)
    .sort((a, b) => Math.abs(b.sentiment!) - Math.abs(a.sentiment!))
    .slice(0, 10);
  const failedJobs = [
    ...jobHistory(store, { status: 'failed', limit: 100 }),
    ...jobHistory(store, { status: 'abandoned', limit: 100 }),
  ]
    .filter((r) => r.startedAt >= day)
    .sort((a, b) => b.startedAt - a.startedAt);
  return { day, createdAt: now, signals, signalErrors, positions, alerts, findings, news, failedJobs };
}

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
const money = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const when = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 16);

function table(head: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}
const td = (v: unknown, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${esc(v)}</td>`;

/** The report as one self-contained HTML page (inline CSS, no scripts, no external resources). */
export function renderDailyHtml(r: DailyReport): string {
  const pnl = r.positions.reduce((s, p) => s + p.realized + p.unrealized, 0);
  const sections = [
    `<h2>Signals on ${formatDate(r.day)} <small>${r.signals.length}</small></h2>` +
      table(
        ['strategy', 'symbol', 'side', 'price', 'past signals', 'success (5 bars)', 'avg return (5 bars)'],
        r.signals.map((s) => [
          td(s.strategy),
          td(s.symbol),
          td(s.side, s.side),
          td(s.price === null ? '–' : s.price),
          td(s.history.count),
          td(pct(s.history.successRate)),
          td(pct(s.history.avgReturn)),
        ]),
        'No entry signals from the watched strategies on this day.',
      ) +
      r.signalErrors.map((e) => `<p class="error">${esc(e)}</p>`).join(''),
    `<h2>Live sessions <small>PnL ${money(pnl)}</small></h2>` +
      table(
        ['session', 'symbol', 'qty', 'avg cost', 'last', 'realized', 'unrealized'],
        r.positions.map((p) => [
          td(p.session),
          td(p.symbol),
          td(p.qty),
          td(money(p.avgCost)),
          td(p.last === null ? '–' : money(p.last)),
          td(money(p.realized), p.realized < 0 ? 'neg' : ''),
          td(money(p.unrealized), p.unrealized < 0 ? 'neg' : ''),
        ]),
        'No live positions.',
      ) +
      `<h3>Risk events and alerts</h3>` +
      table(
        ['time', 'session', 'kind', 'severity', 'symbol', 'message'],
        r.alerts.map((a) => [
          td(when(a.time)),
          td(a.session),
          td(a.kind),
          td(a.severity, a.severity),
          td(a.symbol ?? ''),
          td(a.message),
        ]),
        'None.',
      ),
    `<h2>Data quality <small>${r.findings.length}</small></h2>` +
      table(
        ['symbol', 'check', 'date', 'severity', 'detail'],
        r.findings.map((f) => [
          td(f.symbol),
          td(f.check),
          td(formatDate(f.ts)),
          td(f.severity, f.severity),
          td(f.detail),
        ]),
        'No new findings.',
      ),
    `<h2>Top news by sentiment</h2>` +
      table(
        ['sentiment', 'title', 'symbols', 'published'],
        r.news.map((n) => [
          td(n.sentiment!.toFixed(2), n.sentiment! < 0 ? 'neg' : 'pos'),
          `<td><a href="${esc(n.link)}">${esc(n.title)}</a></td>`,
          td(n.symbols.join(' ')),
          td(n.publishedAt === null ? '–' : when(n.publishedAt)),
        ]),
        'No news fetched since the day began.',
      ),
    `<h2>Failed jobs <small>${r.failedJobs.length}</small></h2>` +
      table(
        ['started', 'job', 'status', 'attempt', 'error'],
        r.failedJobs.map((j) => [
          td(when(j.startedAt)),
          td(j.job),
          td(j.status, 'critical'),
          td(j.attempt),
          td(j.error ?? ''),
        ]),
        'All jobs succeeded.',
      ),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>QuantDesk daily report ${formatDate(r.day)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1100px;color:#1c2430;background:#fff;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde3ea;padding-bottom:4px}h2 small{color:#6b7785;font-weight:normal;margin-left:6px}
h3{font-size:14px;margin:16px 0 6px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef1f4;vertical-align:top}
th{font-weight:600;color:#4a5563;background:#f6f8fa}.neg,.short{color:#c0392b}.pos,.long{color:#1e8449}.critical{color:#c0392b;font-weight:600}.warning{color:#b9770e}
.empty{color:#6b7785}.error{color:#c0392b}.meta{color:#6b7785}a{color:#1f5fa8;text-decoration:none}
</style></head><body>
<h1>QuantDesk daily report: ${formatDate(r.day)}</h1>
<p class="meta">Generated ${when(r.createdAt)} UTC. Signals use bars of ${formatDate(r.day)}; success rates count only earlier signals.</p>
${sections.join('\n')}
</body></html>
`;
}

/** The one-paragraph message the report sends through the outbox. */
export function dailySummary(r: DailyReport, path: string): string {
  const pnl = r.positions.reduce((s, p) => s + p.realized + p.unrealized, 0);
  const top = r.signals
    .slice(0, 5)
    .map((s) => `${s.side} ${s.symbol} (${s.strategy}, ${pct(s.history.successRate)} of ${s.history.count})`);
  return `Daily report ${formatDate(r.day)}: ${r.signals.length} signals${top.length ? ` — ${top.join('; ')}` : ''}; live PnL ${money(pnl)}; ${r.alerts.length} risk alerts; ${r.findings.length} data-quality findings; ${r.failedJobs.length} failed jobs. ${path}`;
}

/**
 * Writes the report to `outPath` (`{date}` in the path becomes the day), atomically (temp file and
 * rename), records it in `reports`, and with `send` journals an alert (session `reports`) whose outbox
 * rows carry the summary to each webhook target, delivered by the outbox dispatcher.
 */
export function writeDailyReport(
  store: Store,
  report: DailyReport,
  outPath: string,
  send: readonly WebhookTarget[] | null,
): Result<{ path: string; summary: string }> {
  const path = outPath.replace(/\{date\}/g, formatDate(report.day));
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, renderDailyHtml(report));
    renameSync(`${path}.tmp`, path);
  } catch (e) {
    return fail('invalid-input', `${path}: ${(e as Error).message}`);
  }
  const summary = dailySummary(report, path);
  const counts = {
    signals: report.signals.length,
    positions: report.positions.length,
    alerts: report.alerts.length,
    findings: report.findings.length,
    news: report.news.length,
    failedJobs: report.failedJobs.length,
  };
  recordReport(store, { day: report.day, path, createdAt: report.createdAt, summary: { text: summary, ...counts } });
  if (send) {
    const center = new AlertCenter({ session: 'reports', journal: new Journal(store), webhooks: send, cooldownMs: 0 });
    center.raise({
      kind: 'daily-report',
      severity: 'info',
      time: report.createdAt,
      message: summary,
      payload: { path, day: formatDate(report.day), ...counts },
    });
  }
  return ok({ path, summary });
}

/** A stored report, for the Reports view. */
export interface ReportEntry {
  readonly id: number;
  readonly kind: string;
  readonly day: number;
  readonly path: string;
  readonly createdAt: number;
  readonly summary: string;
}
