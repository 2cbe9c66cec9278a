import { existsSync } from 'node:fs';
import { BROKERS, createBroker } from '../../live/brokers/registry';
import type { Broker, BrokerAccount, BrokerOrder, BrokerPosition } from '../../live/brokers/types';
import { BrokerError } from '../../live/brokers/types';
import { Journal } from '../../store/journal';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';

const USAGE = `Usage: quantdesk broker account|positions|orders --broker paper|kis|alpaca [--account NAME] [--base-url URL] [--live] [--db DB] [--json]

Reads an account as the broker reports it (nothing is sent that could trade):
  account    cash, equity and buying power; paper or live
  positions  --json: [{"symbol","qty","avgCost","last","unrealized"}] (qty signed, negative = short)
  orders     working orders
Keys come from the environment as each broker's own tools read them: Alpaca APCA_API_KEY_ID / APCA_API_SECRET_KEY;
KIS KIS_APP_KEY / KIS_APP_SECRET / KIS_ACCOUNT (12345678-01; --account overrides) and KIS_HTS_ID for its stream.
Paper endpoints are the default (Alpaca paper, KIS 모의투자); --live reads the real-money endpoint. --base-url points
the adapter at another endpoint (a test server). --broker paper reads a live session's journal: --db DB --account SESSION.`;

/** A number for JSON: NaN (no mark) becomes null. */
const j = (x: number) => (Number.isFinite(x) ? x : null);

function paperFromJournal(db: string, session: string): { account: BrokerAccount; positions: BrokerPosition[] } {
  if (!existsSync(db)) throw new UsageError(`${db}: no such database`);
  const store = openStore(db, { readonly: true });
  try {
    const journal = new Journal(store);
    const positions = journal
      .loadPositions(session)
      .filter((p) => p.qty !== 0)
      .map((p) => ({ symbol: p.symbol, qty: p.qty, avgCost: p.avgCost, last: Number.NaN, unrealized: Number.NaN }));
    return {
      account: {
        id: session,
        currency: 'USD',
        cash: Number.NaN,
        equity: Number.NaN,
        buyingPower: Number.NaN,
        mode: 'paper',
      },
      positions,
    };
  } finally {
    store.close();
  }
}

/** `quantdesk broker account|positions|orders`. */
export const brokerCommand: Command = {
  name: 'broker',
  summary: 'Read a broker account (paper, Alpaca, KIS): account, positions, working orders',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        broker: { type: 'string' },
        account: { type: 'string' },
        'base-url': { type: 'string' },
        live: { type: 'boolean' },
        db: { type: 'string' },
        json: { type: 'boolean' },
      },
      ['broker'],
    );
    const what = positionals[0];
    if (what !== 'account' && what !== 'positions' && what !== 'orders')
      throw new UsageError(
        what === undefined
          ? 'expected account, positions or orders'
          : `unknown subcommand "${what}" (account, positions, orders)`,
      );
    const name = values.broker as string;
    if (!(name in BROKERS))
      throw new UsageError(`--broker: expected ${Object.keys(BROKERS).join(', ')}, got "${name}"`);
    let broker: Broker | null = null;
    try {
      let account: BrokerAccount | undefined;
      let positions: BrokerPosition[] | undefined;
      let orders: BrokerOrder[] = [];
      if (name === 'paper' && values.db) {
        ({ account, positions } = paperFromJournal(
          values.db as string,
          (values.account as string | undefined) ?? 'default',
        ));
      } else {
        broker = createBroker(name, {
          env: process.env,
          baseUrl: values['base-url'] as string | undefined,
          mode: values.live ? 'live' : 'paper',
          account: values.account as string | undefined,
        });
        if (what === 'account') account = await broker.account();
        if (what === 'positions') positions = await broker.positions();
        if (what === 'orders') orders = await broker.openOrders();
      }
      if (what === 'account') {
        const a = account!;
        if (values.json)
          io.out(
            JSON.stringify({
              broker: name,
              id: a.id,
              mode: a.mode,
              currency: a.currency,
              cash: j(a.cash),
              equity: j(a.equity),
              buyingPower: j(a.buyingPower),
            }) + '\n',
          );
        else
          io.out(
            `${name} ${a.mode.toUpperCase()} account ${a.id} (${a.currency}): cash ${a.cash.toFixed(2)}, equity ${a.equity.toFixed(2)}, buying power ${a.buyingPower.toFixed(2)}\n`,
          );
      } else if (what === 'positions') {
        const list = positions!;
        if (values.json)
          io.out(
            JSON.stringify(
              list.map((p) => ({
                symbol: p.symbol,
                qty: p.qty,
                avgCost: j(p.avgCost),
                last: j(p.last),
                unrealized: j(p.unrealized),
              })),
            ) + '\n',
          );
        else {
          for (const p of list)
            io.out(
              `${p.symbol.padEnd(10)} ${String(p.qty).padStart(10)} @ ${p.avgCost.toFixed(4)}  last ${Number.isFinite(p.last) ? p.last.toFixed(4) : '-'}  unrealized ${Number.isFinite(p.unrealized) ? p.unrealized.toFixed(2) : '-'}\n`,
            );
          io.out(`${list.length} position(s)\n`);
        }
      } else if (values.json) {
        io.out(
          JSON.stringify(
            orders.map((o) => ({
              id: o.id,
              clientOrderId: o.clientOrderId,
              symbol: o.symbol,
              side: o.side,
              type: o.type,
              qty: o.qty,
              limitPrice: o.limitPrice,
              stopPrice: o.stopPrice,
              status: o.status,
              filledQty: o.filledQty,
            })),
          ) + '\n',
        );
      } else {
        for (const o of orders)
          io.out(
            `${o.id}  ${o.symbol.padEnd(8)} ${o.side.padEnd(4)} ${o.type.padEnd(6)} ${o.qty}${o.limitPrice !== null ? ` @ ${o.limitPrice}` : ''}  ${o.status} (filled ${o.filledQty})  ${o.clientOrderId}\n`,
          );
        io.out(`${orders.length} working order(s)\n`);
      }
      return EXIT.ok;
    } catch (e) {
      if (e instanceof BrokerError) {
        io.err(`quantdesk broker: ${e.message}\n`);
        return e.code === 'no-credentials' || e.code === 'account' ? EXIT.badInput : EXIT.failure;
      }
      throw e;
    } finally {
      await broker?.close();
    }
  },
};
