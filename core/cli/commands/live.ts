import { existsSync, readFileSync } from 'node:fs';
import { LiveStartInput, RiskLimitsInput } from '../../contract';
import { INTERVALS, type IntervalName } from '../../live/aggregator';
import type { WebhookTarget } from '../../live/alerts';
import type { AnomalyConfig } from '../../live/anomalies';
import { LiveSpecError, replay } from '../../live/replay';
import type { RiskLimits } from '../../live/risk';
import { LiveService } from '../../live/service';
import { startBrokerRoute, type BrokerRoute } from '../../live/brokers/route';
import { BROKERS } from '../../live/brokers/registry';
import { BrokerError } from '../../live/brokers/types';
import type { LiveEvents } from '../../live/session';
import type { Alert, Severity } from '../../live/types';

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
import { formatTime } from '../../model/time';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, parseKeyValues, UsageError } from '../args';
import { EXIT, type CliIO, type Command } from '../io';
import { readSpecFile } from './backtest';
import { FEED_NAMES, FEEDS, isFeedName } from '../../live/feeds/registry';

const USAGE = `Usage: quantdesk live replay --spec FILE.json --db DB [--from D] [--to D] [--json]
       quantdesk live run --spec FILE.json --db DB --feed replay|websocket|binance [--url U] [--speed X]
                          [--from D] [--interval 1m|5m|1h|1d] [--session NAME] [--risk FILE.json] [--webhook URL] [--telegram TOKEN:CHAT_ID]
                          [--anomaly window=20 --anomaly z=4 --anomaly volume=5 --anomaly stale-ms=30000] [--cooldown-ms 60000] [--signal-severity info|warning|critical]
                          [--drain-ms 10000] [--json]
                          [--broker paper|kis|alpaca [--account NAME] [--base-url URL] [--live --arm-live]]

replay  runs the live path (replay feed, strategy runner, paper broker, journal) over stored history at
        full speed with a backtest spec; --json prints {"signals","fills","positions","alerts"}: each signal
        {symbol,time,side,price,target,reason}, each fill {orderId,symbol,time,side,qty,price,commission}, each
        position {symbol,qty,avgCost,realized,unrealized,last}, each alert {id,time,kind,severity,symbol,message}.
        Fills are the backtest's entries and exits, at the same times and prices.
run     runs continuously on a feed (replay at --speed time steps per second, 0 = full speed; a generic
        JSON WebSocket at --url; Binance's public trade stream of the spec's symbols, or --url), journaling
        every order, fill, position and alert in DB before printing it. Restores the session (default
        "default") after a crash. Trade feeds are aggregated into --interval bars (default 1m). Prints alerts as they come (--json: one alert object per line), status on
        stderr; stops cleanly on SIGINT/SIGTERM, or at the end of a replay.
--risk FILE.json: {"symbols":{"*":{"maxPosition":..,"maxOrderNotional":..,"fatFingerPct":..}},
        "maxGrossExposure":..,"maxDailyLoss":..,"hard":[...]}. --webhook / --telegram add alert webhooks
        (delivered through the persistent outbox, one lane per endpoint, retried with backoff, a dead letter
        after 8 failed attempts). On exit, alerts still waiting are delivered for up to --drain-ms (default
        10000); whatever still waits is reported with the command that delivers it (quantdesk outbox drain).
--broker routes the session's orders (after its risk checks and kill switch) to a broker: paper (default) keeps
        them in the paper broker; alpaca and kis send them with idempotent client order ids, journal every
        update before printing it, and reconcile journal and broker at connect and every 30 s (a mismatch is a
        critical alert). Paper endpoints by default; --live selects real money and needs --arm-live (per run).
        Keys from the environment (see quantdesk broker --help).`;

function alertJson(a: Alert) {
  return {
    id: a.id,
    time: formatTime(a.time),
    kind: a.kind,
    severity: a.severity,
    symbol: a.symbol,
    message: a.message,
  };
}

function readRisk(file: string): RiskLimits {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  const r = RiskLimitsInput.safeParse(raw);
  if (!r.success)
    throw new UsageError(
      r.error.issues.map((i) => `${file}: ${i.path.join('.') || '(risk)'}: ${i.message}`).join('\n'),
    );
  return r.data;
}

const ANOMALY_KEYS: Record<string, keyof AnomalyConfig> = {
  window: 'window',
  z: 'zThreshold',
  volume: 'volumeMultiple',
  'stale-ms': 'staleMs',
};

/** `--anomaly z=3 --anomaly stale-ms=10000` → an {@link AnomalyConfig}. */
function readAnomalies(pairs: readonly string[] | undefined): AnomalyConfig | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parseKeyValues(pairs))) {
    const key = ANOMALY_KEYS[k];
    if (!key) throw new UsageError(`--anomaly: unknown key "${k}" (${Object.keys(ANOMALY_KEYS).join(', ')})`);
    if (typeof v !== 'number' || !(v >= 0)) throw new UsageError(`--anomaly ${k}: expected a number >= 0, got "${v}"`);
    out[key] = v;
  }
  return out as AnomalyConfig;
}

async function runReplay(args: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(
    args,
    {
      spec: { type: 'string' },
      db: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean' },
    },
    ['spec', 'db'],
  );
  const spec = readSpecFile(values.spec as string);
  const db = values.db as string;
  if (!existsSync(db)) throw new UsageError(`${db}: no such database`);
  const store = openStore(db);
  try {
    let r;
    try {
      r = await replay(store, spec, { from: values.from, to: values.to });
    } catch (e) {
      if (e instanceof LiveSpecError) throw new UsageError(e.errors.map((x) => `${values.spec}: ${x}`).join('\n'));
      throw e;
    }
    if (values.json) {
      io.out(
        JSON.stringify({
          signals: r.signals.map((s) => ({
            symbol: s.symbol,
            time: formatTime(s.time),
            side: s.side,
            price: s.price,
            target: s.target,
            reason: s.reason,
          })),
          fills: r.fills.map((f) => ({
            orderId: f.orderId,
            symbol: f.symbol,
            time: formatTime(f.time),
            side: f.side,
            qty: f.qty,
            price: f.price,
            commission: f.commission,
          })),
          positions: r.positions,
          alerts: r.alerts.map(alertJson),
        }) + '\n',
      );
    } else {
      for (const f of r.fills)
        io.out(
          `${formatTime(f.time)}  ${f.symbol.padEnd(8)} ${f.side.padEnd(4)} ${String(f.qty).padStart(10)} @ ${f.price.toFixed(4)}\n`,
        );
      const open = r.positions.filter((p) => p.qty !== 0);
      io.out(
        `${r.signals.length} signals, ${r.fills.length} fills, ${open.length} open positions, ${r.alerts.length} alerts\n`,
      );
    }
    return EXIT.ok;
  } finally {
    store.close();
  }
}

async function runLive(args: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(
    args,
    {
      spec: { type: 'string' },
      db: { type: 'string' },
      feed: { type: 'string' },
      url: { type: 'string' },
      speed: { type: 'string' },
      from: { type: 'string' },
      interval: { type: 'string' },
      session: { type: 'string' },
      risk: { type: 'string' },
      webhook: { type: 'string', multiple: true },
      telegram: { type: 'string', multiple: true },
      anomaly: { type: 'string', multiple: true },
      'cooldown-ms': { type: 'string' },
      'signal-severity': { type: 'string' },
      'drain-ms': { type: 'string' },
      json: { type: 'boolean' },
      broker: { type: 'string' },
      account: { type: 'string' },
      'base-url': { type: 'string' },
      live: { type: 'boolean' },
      'arm-live': { type: 'boolean' },
    },
    ['spec', 'db', 'feed'],
  );
  const brokerName = (values.broker as string | undefined) ?? 'paper';
  if (!(brokerName in BROKERS))
    throw new UsageError(`--broker: expected ${Object.keys(BROKERS).join(', ')}, got "${brokerName}"`);
  const feed = values.feed as string;
  if (!isFeedName(feed))
    throw new UsageError(
      `--feed: expected ${FEED_NAMES.slice(0, -1).join(', ')} or ${FEED_NAMES.at(-1)}, got "${feed}"`,
    );
  if (FEEDS[feed].needsUrl && !values.url) throw new UsageError(`--url: the ${feed} feed needs a URL`);
  const speed = values.speed === undefined ? 0 : Number(values.speed);
  if (!(speed >= 0)) throw new UsageError(`--speed: expected a number >= 0, got "${values.speed}"`);
  const interval = (values.interval as string | undefined) ?? '1m';
  if (!(interval in INTERVALS))
    throw new UsageError(`--interval: expected ${Object.keys(INTERVALS).join(', ')}, got "${interval}"`);
  const sessionName = LiveStartInput.shape.session.safeParse(values.session);
  if (!sessionName.success) throw new UsageError(`--session: ${sessionName.error.issues[0].message}`);
  const spec = readSpecFile(values.spec as string);
  const risk = values.risk ? readRisk(values.risk as string) : undefined;
  const webhooks: WebhookTarget[] = [];
  for (const url of (values.webhook as string[] | undefined) ?? []) webhooks.push({ kind: 'json', url });
  for (const t of (values.telegram as string[] | undefined) ?? []) {
    const cut = t.lastIndexOf(':');
    if (cut <= 0) throw new UsageError(`--telegram: expected TOKEN:CHAT_ID, got "${t}"`);
    webhooks.push({ kind: 'telegram', token: t.slice(0, cut), chatId: t.slice(cut + 1) });
  }
  const anomalies = readAnomalies(values.anomaly as string[] | undefined);
  const cooldownMs = values['cooldown-ms'] === undefined ? undefined : Number(values['cooldown-ms']);
  if (cooldownMs !== undefined && !(cooldownMs >= 0))
    throw new UsageError(`--cooldown-ms: expected a number >= 0, got "${values['cooldown-ms']}"`);
  const signalSeverity = values['signal-severity'] as Severity | undefined;
  if (signalSeverity !== undefined && !SEVERITIES.includes(signalSeverity)) {
    throw new UsageError(`--signal-severity: expected ${SEVERITIES.join(', ')}, got "${signalSeverity}"`);
  }
  const drainMs = values['drain-ms'] === undefined ? 10_000 : Number(values['drain-ms']);
  if (!(drainMs >= 0 && drainMs <= 3_600_000))
    throw new UsageError(`--drain-ms: expected 0..3600000, got "${values['drain-ms']}"`);
  const db = values.db as string;
  if (!existsSync(db)) throw new UsageError(`${db}: no such database`);
  const store = openStore(db);
  const emit = <E extends keyof LiveEvents>(channel: E, payload: LiveEvents[E]) => {
    if (channel === 'alert:raised') {
      const a = payload as Alert;
      io.out(
        values.json
          ? JSON.stringify(alertJson(a)) + '\n'
          : `${formatTime(a.time)} [${a.severity}] ${a.kind}${a.symbol ? ' ' + a.symbol : ''}: ${a.message}\n`,
      );
    } else if (channel === 'feed:status-changed') {
      const s = payload as LiveEvents['feed:status-changed'];
      io.err(`feed ${s.feed}: ${s.state}${s.detail ? ` (${s.detail})` : ''}\n`);
    }
  };
  const service = new LiveService(store, emit, 500);
  let stopping: Promise<void> | null = null;
  let route: BrokerRoute | null = null;
  let interrupted = false;
  // Stop the feed, then give the outbox --drain-ms to deliver what waits (at once on a second signal),
  // and say what is left: alerts are never silently left behind.
  const stop = () =>
    (stopping ??= (async () => {
      await service.stop();
      const r = await service.drainOutbox(interrupted ? Math.min(drainMs, 2_000) : drainMs);
      await service.dispose();
      if (r.pending > 0 || r.dead > 0) {
        io.err(
          `${r.pending} alert(s) wait in the webhook outbox${r.dead > 0 ? ` and ${r.dead} dead letter(s) failed every attempt` : ''}; ` +
            `deliver them with: quantdesk outbox drain --db ${db}${r.dead > 0 ? ' --retry-dead' : ''}\n`,
        );
      }
    })());
  const onSignal = () => {
    interrupted = true;
    void stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const started = service.start({
      spec,
      feed,
      url: values.url,
      speed,
      from: values.from,
      interval: interval as IntervalName,
      session: sessionName.data,
      risk,
      webhooks,
      anomalies,
      cooldownMs,
      signalSeverity,
    });
    if (!started.ok) {
      if (started.error.code === 'invalid-input') throw new UsageError(started.error.message);
      io.err(`quantdesk live run: ${started.error.message}\n`);
      return EXIT.failure;
    }
    const rr = service.lastRestore!;
    if (brokerName !== 'paper') {
      try {
        route = await startBrokerRoute({
          store,
          session: started.value.session!,
          broker: brokerName,
          env: process.env,
          baseUrl: values['base-url'] as string | undefined,
          live: values.live as boolean | undefined,
          account: values.account as string | undefined,
          armLive: values['arm-live'] as boolean | undefined,
          onAlert: (a) => emit('alert:raised', a),
        });
      } catch (e) {
        if (!(e instanceof BrokerError)) throw e;
        io.err(`quantdesk live run: ${e.message}\n`);
        return e.code === 'not-armed' || e.code === 'no-credentials' ? EXIT.badInput : EXIT.failure;
      }
      const acct = route.account;
      const rec = route.firstReconcile;
      io.err(
        `${acct.mode === 'live' ? '*** LIVE (REAL MONEY) ***' : 'PAPER'} ${brokerName} account ${acct.id}: equity ${acct.equity.toFixed(2)} ${acct.currency}; ` +
          `reconciled: ${rec.ok ? 'journal matches the broker' : `${rec.mismatches.length} MISMATCH(ES)`}${rec.resynced ? `, ${rec.resynced} order(s) resynced` : ''}\n`,
      );
    }
    io.err(
      `session ${started.value.session}: restored ${rr.orders} orders (${rr.openOrders} open), ${rr.fills} fills, ${rr.positions.filter((p) => p.qty !== 0).length} open positions; ` +
        `positions ${rr.positionsMatch ? 'match' : 'DO NOT match'} the fills; ${rr.undeliveredAlerts} undelivered alert(s); kill switch ${rr.killSwitch.tripped ? 'TRIPPED' : 'armed'}` +
        `${rr.resumeAfter !== null ? `; resuming after ${formatTime(rr.resumeAfter)}` : ''}\n`,
    );
    const cr = service.lastCanaryRestore;
    if (cr)
      io.err(
        `canary ${started.value.session}~challenger: restored ${cr.fills} fills, ${cr.positions.filter((p) => p.qty !== 0).length} open positions; ` +
          `positions ${cr.positionsMatch ? 'match' : 'DO NOT match'} the fills${cr.resumeAfter !== null ? `; resuming after ${formatTime(cr.resumeAfter)}` : ''}\n`,
      );
    await service.feed!.done;
    const session = service.session;
    await stop();
    await route?.stop();
    if (session) {
      const a = session.broker.account();
      io.err(
        `stopped: ${session.fills.length} fills this run, equity ${a.equity.toFixed(2)}, realized ${a.realized.toFixed(2)}\n`,
      );
    }
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop();
    await route?.stop();
    store.close();
  }
}

/** `quantdesk live replay|run`. */
export const liveCommand: Command = {
  name: 'live',
  summary: 'paper-trade a spec on a live feed (replay, WebSocket, Binance) or replay history through the live path',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'replay') return runReplay(rest, io);
    if (sub === 'run') return runLive(rest, io);
    throw new UsageError(
      sub === undefined ? 'expected a subcommand: replay or run' : `unknown subcommand "${sub}" (replay, run)`,
    );
  },
};
