import { AlpacaBroker, alpacaFromEnv } from './alpaca';
import { KisBroker, kisFromEnv } from './kis';
import { PaperBrokerAdapter } from './paper';
import type { Broker } from './types';
import { BrokerError } from './types';

/** What {@link createBroker} needs: the environment holding the keys, and optional endpoint and account. */
export interface BrokerConfig {
  readonly env: NodeJS.ProcessEnv;
  /** Another endpoint (the broker's paper endpoint, a test server). */
  readonly baseUrl?: string;
  /** `live` selects the real-money endpoint where the broker has separate ones; default `paper`. */
  readonly mode?: 'paper' | 'live';
  /** Account name or number (KIS: `12345678-01`, overriding `KIS_ACCOUNT`; paper: the session). */
  readonly account?: string;
}

/** A broker by name: how to make one, and whether it can touch real money. */
export interface BrokerEntry {
  readonly name: string;
  readonly summary: string;
  create(c: BrokerConfig): Broker;
}

/** Every broker QuantDesk can talk to, by name (`--broker NAME`). */
export const BROKERS: Readonly<Record<string, BrokerEntry>> = {
  paper: {
    name: 'paper',
    summary: 'the built-in paper broker (default): no keys, no network',
    create: (c) => new PaperBrokerAdapter({ session: c.account ?? 'paper', cash: 100_000 }),
  },
  alpaca: {
    name: 'alpaca',
    summary: 'Alpaca (REST v2 + trade_updates), keys from APCA_API_KEY_ID / APCA_API_SECRET_KEY',
    create: (c) => new AlpacaBroker(alpacaFromEnv(c.env, c)),
  },
  kis: {
    name: 'kis',
    summary: 'Korea Investment & Securities Open API, keys from KIS_APP_KEY / KIS_APP_SECRET / KIS_ACCOUNT',
    create: (c) => new KisBroker(kisFromEnv(c.env, c)),
  },
};

/** Makes the broker `name`; throws a {@link BrokerError} naming the known ones, or the missing keys. */
export function createBroker(name: string, c: BrokerConfig): Broker {
  const e = BROKERS[name];
  if (!e)
    throw new BrokerError(name, 'unknown', `unknown broker "${name}" (${Object.keys(BROKERS).join(', ')})`, false);
  return e.create(c);
}
