import { create } from 'zustand';
import type { AppError, BrokerInfoView, BrokerStatusView } from '../../../core/contract';

interface BrokerState {
  readonly brokers: readonly BrokerInfoView[];
  readonly status: BrokerStatusView;
  /** The phrase the user must type to arm a real-money account (set when a live connect asked for it). */
  readonly armPhrase: string | null;
  readonly isBusy: boolean;
  readonly error: AppError | null;
}

const PAPER: BrokerStatusView = {
  connected: false,
  broker: 'paper',
  mode: 'paper',
  accountId: null,
  currency: null,
  equity: null,
  cash: null,
  buyingPower: null,
  armed: false,
  session: null,
  reconcile: null,
};

export const useBrokerStore = create<BrokerState>()(() => ({
  brokers: [],
  status: PAPER,
  armPhrase: null,
  isBusy: false,
  error: null,
}));

/** What a connect asks for. */
export interface ConnectTarget {
  readonly broker: 'paper' | 'alpaca' | 'kis';
  readonly account?: string;
  readonly live: boolean;
}

/** Loads the broker list and the current connection. */
export async function loadBrokers(): Promise<void> {
  const [list, status] = await Promise.all([window.api.invoke('broker:list'), window.api.invoke('broker:status')]);
  useBrokerStore.setState({
    brokers: list.ok ? list.value : [],
    ...(status.ok ? { status: status.value } : {}),
    error: !list.ok ? list.error : !status.ok ? status.error : null,
  });
}

/** The arming phrase a `broker:connect` refusal names (`type "LIVE PA123" to arm`), or null. */
export function armPhraseFrom(e: AppError): string | null {
  const m = /type "([^"]+)" to arm/.exec(e.message);
  return e.code === 'invalid-input' && m ? m[1] : null;
}

/**
 * Connects the running session to a broker. A real-money account first answers with the phrase to type;
 * the store keeps it so the view can ask for it, and `confirm` sends what the user typed.
 */
export async function connectBroker(t: ConnectTarget, confirm?: string): Promise<void> {
  useBrokerStore.setState({ isBusy: true, error: null });
  const r = await window.api.invoke('broker:connect', {
    broker: t.broker,
    live: t.live,
    ...(t.account ? { account: t.account } : {}),
    ...(confirm !== undefined ? { confirm } : {}),
  });
  if (r.ok) return useBrokerStore.setState({ status: r.value, armPhrase: null, isBusy: false });
  const phrase = armPhraseFrom(r.error);
  useBrokerStore.setState({
    isBusy: false,
    armPhrase: phrase,
    error: phrase && confirm === undefined ? null : r.error,
  });
}

/** Back to paper: the session's orders stop going to the broker. */
export async function disconnectBroker(): Promise<void> {
  const r = await window.api.invoke('broker:disconnect');
  useBrokerStore.setState(r.ok ? { status: r.value, armPhrase: null, error: null } : { error: r.error });
}

/** Follows `broker:status-changed`; returns the unsubscribe. */
export function subscribeBroker(): () => void {
  return window.api.on('broker:status-changed', (s) => useBrokerStore.setState({ status: s }));
}

/**
 * Sends keys to the host to store encrypted (desktop app: Electron safeStorage). The page keeps nothing:
 * the caller clears its fields, and the answer says only which keys are now set.
 */
export async function saveBrokerKeys(broker: 'alpaca' | 'kis', values: Record<string, string>): Promise<boolean> {
  const r = await window.api.invoke('broker:credentials-set', { broker, values });
  useBrokerStore.setState(r.ok ? { brokers: r.value, error: null } : { error: r.error });
  return r.ok;
}
