import { create } from 'zustand';
import type { PaneLayout, Workspace } from '../../../core/model/desk';
import { showView, useNavStore, VIEWS, type View } from './nav-store';

/** A pane's address in the layout tree: `''` is the root, then `a` / `b` per split level. */
export type PanePath = string;

interface LayoutState {
  readonly layout: PaneLayout;
  /** The pane the nav bar and the shortcuts act on. */
  readonly focus: PanePath;
  readonly workspaces: readonly Workspace[];
  /** The workspace last loaded or saved by name (shown in the switcher). */
  readonly workspace: string | null;
  /** True in a tab opened on one view (`#view=NAME`): its layout is not saved as the current one. */
  readonly isStandalone: boolean;
  readonly error: string | null;
}

/** The name of the stored layout in use, saved as it changes and restored at start. */
export const CURRENT = 'current';

export const useLayoutStore = create<LayoutState>()(() => ({
  layout: { view: 'chart' },
  focus: '',
  workspaces: [],
  workspace: null,
  isStandalone: false,
  error: null,
}));

function isView(v: string): v is View {
  return (VIEWS as readonly string[]).includes(v);
}

/** The view a `#view=NAME` hash asks for, or null. */
export function hashView(hash: string): View | null {
  const m = /(?:^#|&)view=([a-z-]+)/.exec(hash);
  return m && isView(m[1]) ? m[1] : null;
}

/** The sub-layout at `path`, or null. */
export function paneAt(l: PaneLayout, path: PanePath): PaneLayout | null {
  if (path === '') return l;
  if ('view' in l) return null;
  return paneAt(path[0] === 'a' ? l.a : l.b, path.slice(1));
}

/** `l` with the sub-layout at `path` replaced by `f(sub)`. */
export function replaceAt(l: PaneLayout, path: PanePath, f: (sub: PaneLayout) => PaneLayout): PaneLayout {
  if (path === '') return f(l);
  if ('view' in l) return l;
  return path[0] === 'a'
    ? { ...l, a: replaceAt(l.a, path.slice(1), f) }
    : { ...l, b: replaceAt(l.b, path.slice(1), f) };
}

/** The first leaf's path under `path` (focus moves there after a close). */
export function firstLeaf(l: PaneLayout, path: PanePath = ''): PanePath {
  const sub = paneAt(l, path);
  return !sub || 'view' in sub ? path : firstLeaf(l, `${path}a`);
}

/** Every leaf with its path, in reading order. */
export function leaves(l: PaneLayout, path: PanePath = ''): { path: PanePath; view: string }[] {
  return 'view' in l ? [{ path, view: l.view }] : [...leaves(l.a, `${path}a`), ...leaves(l.b, `${path}b`)];
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;

/** Saves the layout as the `current` workspace shortly after the last change (never in a one-view tab). */
function persistSoon(): void {
  if (useLayoutStore.getState().isStandalone || !window.api) return;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => void saveCurrent(), 250);
}

async function saveCurrent(): Promise<void> {
  const { layout } = useLayoutStore.getState();
  const r = await window.api.invoke('workspaces:save', { name: CURRENT, layout });
  if (!r.ok) useLayoutStore.setState({ error: r.error.message });
}

/** Flushes a pending save of the current layout now (tests, before a reload). */
export async function flushLayout(): Promise<void> {
  if (saveTimer === undefined) return;
  clearTimeout(saveTimer);
  saveTimer = undefined;
  await saveCurrent();
}

function setLayout(layout: PaneLayout, focus: PanePath): void {
  useLayoutStore.setState({ layout, focus });
  const leaf = paneAt(layout, focus);
  if (leaf && 'view' in leaf && isView(leaf.view) && useNavStore.getState().view !== leaf.view) showView(leaf.view);
  persistSoon();
}

/** Focuses a pane: the nav bar shows its view. */
export function focusPane(path: PanePath): void {
  const { layout, focus } = useLayoutStore.getState();
  if (path === focus) return;
  setLayout(layout, path);
}

/** Splits the pane at `path` in two (`row`: side by side, `column`: stacked); the new half shows `view`. */
export function splitPane(path: PanePath, split: 'row' | 'column', view?: string): void {
  const { layout } = useLayoutStore.getState();
  const sub = paneAt(layout, path);
  if (!sub || !('view' in sub) || path.length >= 7) return;
  setLayout(
    replaceAt(layout, path, (l) => ({
      split,
      ratio: 0.5,
      a: l,
      b: { view: view ?? ('view' in l ? l.view : 'chart') },
    })),
    `${path}b`,
  );
}

/** Closes the pane at `path`: its sibling takes the parent's place. */
export function closePane(path: PanePath): void {
  if (path === '') return;
  const { layout } = useLayoutStore.getState();
  const parent = path.slice(0, -1);
  const keep = path.endsWith('a') ? 'b' : 'a';
  const next = replaceAt(layout, parent, (l) => ('view' in l ? l : l[keep]));
  setLayout(next, firstLeaf(next, parent));
}

/** Sets the ratio of the split at `path` (clamped to 0.1..0.9). */
export function resizeSplit(path: PanePath, ratio: number): void {
  const { layout, focus } = useLayoutStore.getState();
  const r = Math.min(0.9, Math.max(0.1, Math.round(ratio * 1000) / 1000));
  setLayout(
    replaceAt(layout, path, (l) => ('view' in l ? l : { ...l, ratio: r })),
    focus,
  );
}

/** Shows `view` in the pane at `path`. */
export function setPaneView(path: PanePath, view: string): void {
  const { layout } = useLayoutStore.getState();
  setLayout(
    replaceAt(layout, path, (l) => ('view' in l ? { view } : l)),
    path,
  );
}

let offNav: (() => void) | null = null;

/** Loads the workspaces and restores the current layout (or, in a `#view=` tab, shows that one view). */
export async function initLayout(hash: string): Promise<void> {
  const only = hashView(hash);
  if (only) {
    useLayoutStore.setState({ layout: { view: only }, focus: '', isStandalone: true });
    showView(only);
  }
  // Nav clicks and shortcuts change the focused pane's view (one subscription per page).
  offNav?.();
  offNav = useNavStore.subscribe((s, prev) => {
    if (s.view === prev.view) return;
    const { layout, focus } = useLayoutStore.getState();
    const leaf = paneAt(layout, focus);
    if (leaf && 'view' in leaf && leaf.view !== s.view)
      setLayout(
        replaceAt(layout, focus, () => ({ view: s.view })),
        focus,
      );
  });
  await loadWorkspaces();
  if (only) return;
  const current = useLayoutStore.getState().workspaces.find((w) => w.name === CURRENT);
  if (current) setLayout(current.layout, firstLeaf(current.layout));
}

/** Reloads the named workspaces. */
export async function loadWorkspaces(): Promise<void> {
  const r = await window.api.invoke('workspaces:list');
  useLayoutStore.setState(r.ok ? { workspaces: r.value, error: null } : { error: r.error.message });
}

/** Saves the layout under `name`. */
export async function saveWorkspaceAs(name: string): Promise<boolean> {
  const { layout } = useLayoutStore.getState();
  const r = await window.api.invoke('workspaces:save', { name, layout });
  if (!r.ok) {
    useLayoutStore.setState({ error: r.error.message });
    return false;
  }
  useLayoutStore.setState({ workspace: name, error: null });
  await loadWorkspaces();
  return true;
}

/** Switches to workspace `name`. */
export function openWorkspace(name: string): void {
  const w = useLayoutStore.getState().workspaces.find((x) => x.name === name);
  if (!w) return;
  useLayoutStore.setState({ workspace: name });
  setLayout(w.layout, firstLeaf(w.layout));
}

/** Deletes workspace `name`. */
export async function deleteWorkspaceNamed(name: string): Promise<void> {
  await window.api.invoke('workspaces:delete', { name });
  if (useLayoutStore.getState().workspace === name) useLayoutStore.setState({ workspace: null });
  await loadWorkspaces();
}

/** Opens `view` on its own: a window of the desktop app, or a browser tab at `#view=NAME` under `quantdesk serve`. */
export async function tearOff(view: string): Promise<void> {
  const r = await window.api.invoke('app:open-view', { view });
  if (r.ok && r.value.opened) return;
  window.open(`${location.pathname}${location.search}#view=${view}`, '_blank');
}
