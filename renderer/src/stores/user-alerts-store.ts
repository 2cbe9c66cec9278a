import { create } from 'zustand';
import type { DeskAlert, UserAlertFire, UserAlertRule } from '../../../core/model/desk';
import type { ArgOf } from '../../../core/contract';
import { notifyAlert, shouldNotify, type NotificationApi } from './alerts-logic';
import { useConnectionStore } from './connection-store';

interface UserAlertsState {
  readonly rules: readonly UserAlertRule[];
  /** The rule whose history is shown. */
  readonly selected: string | null;
  readonly history: readonly UserAlertFire[];
  /** The rule being edited (null: a new one). */
  readonly editing: UserAlertRule | null;
  readonly alerts: readonly DeskAlert[];
  readonly books: readonly string[];
  readonly kinds: readonly string[];
  readonly filter: { readonly book: string; readonly kind: string; readonly unacknowledged: boolean };
  readonly error: string | null;
  readonly errors: readonly string[];
}

export const useUserAlertsStore = create<UserAlertsState>()(() => ({
  rules: [],
  selected: null,
  history: [],
  editing: null,
  alerts: [],
  books: [],
  kinds: [],
  filter: { book: '', kind: '', unacknowledged: false },
  error: null,
  errors: [],
}));

/** Loads rules, the alert list (with its filters) and the filters' choices. */
export async function loadUserAlerts(): Promise<void> {
  const [rules, facets] = await Promise.all([
    window.api.invoke('user-alerts:list'),
    window.api.invoke('alerts:facets'),
  ]);
  useUserAlertsStore.setState({
    rules: rules.ok ? rules.value : [],
    books: facets.ok ? facets.value.books : [],
    kinds: facets.ok ? facets.value.kinds : [],
    error: rules.ok ? null : rules.error.message,
  });
  await Promise.all([loadAlertList(), loadHistory()]);
}

/** Reloads the alert list with the current filters. */
export async function loadAlertList(): Promise<void> {
  const { book, kind, unacknowledged } = useUserAlertsStore.getState().filter;
  const r = await window.api.invoke('alerts:query', {
    ...(book ? { book } : {}),
    ...(kind ? { kind } : {}),
    unacknowledged,
    limit: 500,
  });
  if (r.ok) useUserAlertsStore.setState({ alerts: r.value });
}

/** Changes the alert list's filters and reloads it. */
export function setAlertListFilter(patch: Partial<UserAlertsState['filter']>): void {
  useUserAlertsStore.setState((s) => ({ filter: { ...s.filter, ...patch } }));
  void loadAlertList();
}

/** Acknowledges every alert the filters show (by book and kind); returns how many. */
export async function ackAllShown(): Promise<number> {
  const { book, kind } = useUserAlertsStore.getState().filter;
  const r = await window.api.invoke('alerts:ack-all', { ...(book ? { book } : {}), ...(kind ? { kind } : {}) });
  await loadAlertList();
  return r.ok ? r.value.acknowledged : 0;
}

/** Acknowledges one alert. */
export async function ackOne(id: string): Promise<void> {
  await window.api.invoke('alerts:ack', { id });
  await loadAlertList();
}

/** Shows a rule's history. */
export async function selectRule(id: string | null): Promise<void> {
  useUserAlertsStore.setState({ selected: id });
  await loadHistory();
}

async function loadHistory(): Promise<void> {
  const id = useUserAlertsStore.getState().selected;
  if (!id) return useUserAlertsStore.setState({ history: [] });
  const r = await window.api.invoke('user-alerts:history', { id, limit: 200 });
  useUserAlertsStore.setState({ history: r.ok ? r.value : [] });
}

/** Opens the editor on a rule (null: a new rule). */
export function editRule(rule: UserAlertRule | null): void {
  useUserAlertsStore.setState({ editing: rule, errors: [] });
}

/** Saves a rule from the editor; returns true when stored. */
export async function saveRule(input: ArgOf<'user-alerts:save'>): Promise<boolean> {
  const r = await window.api.invoke('user-alerts:save', input);
  if (!r.ok) {
    useUserAlertsStore.setState({ errors: r.error.details ?? [r.error.message] });
    return false;
  }
  useUserAlertsStore.setState({ editing: null, errors: [], selected: r.value.id });
  await loadUserAlerts();
  return true;
}

/** Pauses or resumes a rule. */
export async function pauseRule(id: string, paused: boolean): Promise<void> {
  await window.api.invoke('user-alerts:pause', { id, paused });
  await loadUserAlerts();
}

/** Deletes a rule. */
export async function deleteRule(id: string): Promise<void> {
  await window.api.invoke('user-alerts:delete', { id });
  if (useUserAlertsStore.getState().selected === id) useUserAlertsStore.setState({ selected: null });
  await loadUserAlerts();
}

/** Follows firings: the list, the rules' counts and the open history refresh. */
export function subscribeUserAlerts(): () => void {
  let pending = false;
  const refresh = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      void loadUserAlerts();
    }, 200);
  };
  const a = window.api.on('user-alert:fired', refresh);
  const b = window.api.on('alert:raised', refresh);
  return () => {
    a();
    b();
  };
}

/**
 * Whichever view is open, a firing of the user's own rule raises the page's desktop notification under
 * `quantdesk serve` (Electron's main process shows its own). The alert id is the notification's tag, so the
 * Live view's notifier showing the same alert does not double it.
 */
export function subscribeUserAlertNotifications(
  api: NotificationApi | undefined = globalThis.Notification as unknown as NotificationApi | undefined,
): () => void {
  return window.api.on('alert:raised', (a) => {
    if (a.kind === 'user-alert' && shouldNotify(a, useConnectionStore.getState().host)) void notifyAlert(a, api);
  });
}
