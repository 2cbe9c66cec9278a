/** The `broker` slice of the contract (composed in `core/contract.ts`): its input schemas and its method and event tables. Value types are the domain's, imported. */
import { z } from 'zod';
import { event, method, noInput } from './define';
import { BrokerTargetSchema } from '../live/brokers/target';
import type { BrokerInfo, BrokerStatus } from '../live/brokers/service';
import type { BrokerAccount, BrokerOrder, BrokerPosition } from '../live/brokers/types';

export type { BrokerInfo as BrokerInfoView, BrokerStatus as BrokerStatusView } from '../live/brokers/service';
export type {
  BrokerAccount as BrokerAccountView,
  BrokerOrder as BrokerOrderView,
  BrokerPosition as BrokerPositionView,
} from '../live/brokers/types';
export type { ReconcileReport as BrokerReconcileView } from '../live/brokers/gateway';

/** Which broker (and endpoint) a `broker:*` call means (the domain's schema). */
export const BrokerTargetInput = BrokerTargetSchema;
/** `broker:connect`: routes the running session's orders; a live account needs `confirm` = `LIVE <account id>`, typed by the user. */
export const BrokerConnectInput = BrokerTargetInput.extend({ confirm: z.string().max(100).optional() }).strict();
/** `broker:credentials-set`: stored encrypted by the desktop app (Electron safeStorage); `quantdesk serve` reads the environment instead. */
export const BrokerCredentialsInput = z
  .object({
    broker: z.enum(['alpaca', 'kis']),
    values: z.record(
      z.string().regex(/^(APCA_API_KEY_ID|APCA_API_SECRET_KEY|KIS_APP_KEY|KIS_APP_SECRET|KIS_ACCOUNT|KIS_HTS_ID)$/),
      z.string().max(512),
    ),
  })
  .strict();

/** The broker methods (a slice of `METHODS`). */
export const brokerMethods = {
  // -- brokers (issue 20)
  /** Every broker and whether its keys are configured (never the keys). */
  'broker:list': method(noInput).returns<readonly BrokerInfo[]>(),
  'broker:account': method(BrokerTargetInput).returns<BrokerAccount>(),
  'broker:positions': method(BrokerTargetInput).returns<readonly BrokerPosition[]>(),
  'broker:orders': method(BrokerTargetInput).returns<readonly BrokerOrder[]>(),
  /** Routes the running live session's orders to the broker; `invalid-input` naming the phrase to type when a live account is not armed. */
  'broker:connect': method(BrokerConnectInput).returns<BrokerStatus>(),
  'broker:disconnect': method(noInput).returns<BrokerStatus>(),
  'broker:status': method(noInput).returns<BrokerStatus>(),
  /** Stores keys encrypted (desktop app only); returns which keys are set. */
  'broker:credentials-set': method(BrokerCredentialsInput).returns<readonly BrokerInfo[]>(),
} as const;

/** The broker events (a slice of `EVENTS`). */
export const brokerEvents = {
  // -- brokers (issue 20)
  'broker:status-changed': event<BrokerStatus>(),
} as const;
