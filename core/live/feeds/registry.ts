import type { Panel } from '../../data/panel-types';
import { binanceUrl } from './parsers';
import { ReplayFeed } from './replay';
import type { Feed } from './types';
import { WebSocketFeed } from './websocket';

/** What a feed is built from: the session's symbols and the start request's feed options. */
export interface FeedInput {
  readonly symbols: readonly string[];
  readonly url?: string;
  readonly staleMs?: number;
  /** Replay only: the resolved panel and the bar range to replay (epoch ms), and the pace (0 = as fast as possible). */
  readonly replay?: {
    readonly panel: Panel;
    readonly from: number | undefined;
    readonly to: number | undefined;
    readonly speed: number;
    /** The session's last journaled step (a resume): steps up to it are re-read at once, not at the pace. */
    readonly catchUpUntil?: number;
  };
}

/** One live feed kind: whether it replays the store (needs the panel) or streams, whether it needs a URL, and how to build it. */
export interface FeedKind {
  /** Replays stored bars (the spec is resolved against the store) rather than streaming symbols the store need not hold. */
  readonly replaysStore: boolean;
  readonly needsUrl: boolean;
  create(input: FeedInput): Feed;
}

/**
 * The live feeds by name: the one registry the service, the CLI and the contract read. Adding a feed is its
 * own file plus one entry here.
 */
export const FEEDS = {
  replay: {
    replaysStore: true,
    needsUrl: false,
    create: (i: FeedInput) => {
      if (!i.replay) throw new Error('the replay feed needs the resolved panel');
      return new ReplayFeed({
        panel: i.replay.panel,
        symbols: i.symbols,
        from: i.replay.from,
        to: i.replay.to,
        speed: i.replay.speed,
        catchUpUntil: i.replay.catchUpUntil,
      });
    },
  },
  websocket: {
    replaysStore: false,
    needsUrl: true,
    create: (i: FeedInput) => new WebSocketFeed({ url: i.url!, staleMs: i.staleMs }),
  },
  binance: {
    replaysStore: false,
    needsUrl: false,
    create: (i: FeedInput) =>
      new WebSocketFeed({ url: i.url ?? binanceUrl(i.symbols), name: 'binance', staleMs: i.staleMs }),
  },
} as const satisfies Record<string, FeedKind>;

/** A feed's name. */
export type FeedName = keyof typeof FEEDS;

/** The feed names, in registry order (for enums and usage text). */
export const FEED_NAMES = Object.keys(FEEDS) as [FeedName, ...FeedName[]];

/** Whether `name` is a registered feed. */
export function isFeedName(name: string): name is FeedName {
  return Object.hasOwn(FEEDS, name);
}
