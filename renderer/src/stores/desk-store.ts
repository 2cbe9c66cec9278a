import { create } from 'zustand';
import type {
  AppError,
  ArgOf,
  DeskActionReport,
  DeskBookDetail,
  DeskOverview,
  TicketPreview,
} from '../../../core/contract';
import { createLatestBatcher, type FrameScheduler } from '../lib/batch';

/** Which part of the desk is shown: the portfolio overview, one book, or the read-only wall. */
export type DeskTab = 'overview' | 'book' | 'wall';

interface DeskState {
  readonly overview: DeskOverview | null;
  readonly tab: DeskTab;
  /** The book drilled into (and the ticket's default book). */
  readonly book: string | null;
  readonly detail: DeskBookDetail | null;
  readonly preview: TicketPreview | null;
  /** What the last desk-wide action (kill switch, flatten, re-arm) did, for its dialog. */
  readonly report: { readonly title: string; readonly value: DeskActionReport } | null;
  readonly error: AppError | null;
}

export const useDeskStore = create<DeskState>()(() => ({
  overview: null,
  tab: 'overview',
  book: null,
  detail: null,
  preview: null,
  report: null,
  error: null,
}));

function setError(error: AppError | null): void {
  useDeskStore.setState({ error });
}

/** Loads the overview (and the selected book) from the host: the store and the journal hold the state, not the page. */
export async function loadDesk(): Promise<void> {
  const r = await window.api.invoke('desk:overview');
  if (!r.ok) return setError(r.error);
  useDeskStore.setState({ overview: r.value });
  const book = useDeskStore.getState().book;
  if (book) await loadBook(book);
}

let bookLoadedAt = 0;

/** Loads a book's drill-down. */
export async function loadBook(name: string): Promise<void> {
  bookLoadedAt = performance.now();
  const r = await window.api.invoke('desk:book', { book: name });
  if (useDeskStore.getState().book !== name) return;
  if (!r.ok) return setError(r.error);
  useDeskStore.setState({ detail: r.value });
}

/** Opens a book's drill-down. */
export function openBook(name: string): void {
  useDeskStore.setState({ book: name, tab: 'book', detail: null, preview: null });
  void loadBook(name);
}

export function showDeskTab(tab: DeskTab): void {
  useDeskStore.setState({ tab });
}

/** The overview repaints at most this often (ms): the host pushes every 25 ms while books run; people read slower. */
export const DESK_REPAINT_MS = 100;

/**
 * Follows `desk:changed`: the latest overview at most every {@link DESK_REPAINT_MS}, on an animation frame, and
 * the open book's detail at most twice a second.
 */
export function subscribeDesk(schedule?: FrameScheduler): () => void {
  const batcher = createLatestBatcher<DeskOverview>(
    () => 'o',
    (latest) => {
      const o = latest.get('o')!;
      useDeskStore.setState({ overview: o });
      const { book, tab } = useDeskStore.getState();
      if (book && tab === 'book' && performance.now() - bookLoadedAt > 500) void loadBook(book);
    },
    schedule,
  );
  let latest: DeskOverview | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let appliedAt = Number.NEGATIVE_INFINITY;
  const apply = () => {
    timer = null;
    appliedAt = performance.now();
    if (latest) batcher.push(latest);
    latest = null;
  };
  const off = window.api.on('desk:changed', (o) => {
    latest = o;
    if (timer === null) timer = setTimeout(apply, Math.max(0, DESK_REPAINT_MS - (performance.now() - appliedAt)));
  });
  return () => {
    off();
    if (timer !== null) clearTimeout(timer);
    batcher.dispose();
  };
}

async function after<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: AppError }>): Promise<T | null> {
  const r = await p;
  if (!r.ok) {
    setError(r.error);
    return null;
  }
  setError(null);
  return r.value;
}

/** Starts (or restarts with a new configuration) a book. */
export async function startBook(input: ArgOf<'desk:book-start'>): Promise<boolean> {
  const o = await after(window.api.invoke('desk:book-start', input));
  if (o) useDeskStore.setState({ overview: o });
  return o !== null;
}

export async function stopBook(book: string): Promise<void> {
  const o = await after(window.api.invoke('desk:book-stop', { book }));
  if (o) useDeskStore.setState({ overview: o });
}

export async function resumeBook(book: string): Promise<void> {
  const o = await after(window.api.invoke('desk:book-resume', { book }));
  if (o) useDeskStore.setState({ overview: o });
}

/** The ticket's pre-trade checks for an order (shown before sending). */
export async function checkOrder(order: ArgOf<'desk:order-check'>): Promise<void> {
  const r = await window.api.invoke('desk:order-check', order);
  useDeskStore.setState(r.ok ? { preview: r.value } : { preview: null, error: r.error });
}

/** Sends a ticket order; answers the journaled order (rejected ones carry the reason). */
export async function submitOrder(order: ArgOf<'desk:order-submit'>) {
  const o = await after(window.api.invoke('desk:order-submit', order));
  await loadDesk();
  return o;
}

export async function cancelOrder(book: string, id: string): Promise<void> {
  await after(window.api.invoke('desk:order-cancel', { book, id }));
  await loadDesk();
}

export async function replaceOrder(book: string, id: string, change: { qty?: number; price?: number }): Promise<void> {
  await after(window.api.invoke('desk:order-replace', { book, id, ...change }));
  await loadDesk();
}

/** Flattens a book, or every book without `book`; the report dialog then says what was sent. */
export async function flatten(book?: string): Promise<void> {
  const v = await after(
    window.api.invoke('desk:flatten', { book, reason: book ? `flatten book ${book}` : 'flatten desk' }),
  );
  if (v) useDeskStore.setState({ report: { title: book ? `Flattened book ${book}` : 'Flattened the desk', value: v } });
  await loadDesk();
}

/** Trips the desk kill switch; the report dialog says what it did (and that positions stay open). */
export async function killDesk(reason: string): Promise<void> {
  const v = await after(window.api.invoke('desk:kill', { reason }));
  if (v) useDeskStore.setState({ report: { title: 'Desk kill switch tripped', value: v } });
  await loadDesk();
}

export async function rearmDesk(): Promise<void> {
  await after(window.api.invoke('desk:rearm'));
  await loadDesk();
}

export async function setDeskLimits(limits: ArgOf<'desk:limits-set'>): Promise<void> {
  await after(window.api.invoke('desk:limits-set', limits));
  await loadDesk();
}

export async function ackBookAlert(book: string, id: string): Promise<void> {
  await after(window.api.invoke('desk:alert-ack', { book, id }));
  await loadBook(book);
}

export function closeReport(): void {
  useDeskStore.setState({ report: null });
}
