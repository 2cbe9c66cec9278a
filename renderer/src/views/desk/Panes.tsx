import { useRef, useState } from 'react';
import type { PaneLayout } from '../../../../core/model/desk';
import { ErrorBoundary } from '../../components/ErrorBoundary';
import {
  closePane,
  deleteWorkspaceNamed,
  focusPane,
  openWorkspace,
  resizeSplit,
  saveWorkspaceAs,
  setPaneView,
  splitPane,
  tearOff,
  useLayoutStore,
  CURRENT,
  type PanePath,
} from '../../stores/layout-store';
import { VIEW_LABELS, VIEWS, type View } from '../../stores/nav-store';
import './desk.css';

type Render = (view: View) => React.JSX.Element;

function label(v: string): string {
  return (VIEW_LABELS as Record<string, string>)[v] ?? v;
}

/** One pane: a slim header (view, split, tear off, close) over its view. */
function Leaf({ view, path, render }: { view: string; path: PanePath; render: Render }) {
  const focus = useLayoutStore((s) => s.focus);
  const isRoot = path === '';
  const known = (VIEWS as readonly string[]).includes(view);
  return (
    <section
      className={`pane ${focus === path ? 'focused' : ''}`}
      data-testid="pane"
      data-path={path}
      data-view={view}
      onMouseDownCapture={() => focusPane(path)}
    >
      <header className="pane-bar">
        <select
          className="pane-view"
          value={view}
          onChange={(e) => setPaneView(path, e.target.value)}
          aria-label="View in this pane"
          data-testid="pane-view"
        >
          {VIEWS.map((v) => (
            <option key={v} value={v}>
              {label(v)}
            </option>
          ))}
        </select>
        <span className="spacer" />
        <button
          className="btn-ghost"
          title="Split side by side"
          onClick={() => splitPane(path, 'row')}
          data-testid="pane-split-row"
        >
          ◫
        </button>
        <button
          className="btn-ghost"
          title="Split stacked"
          onClick={() => splitPane(path, 'column')}
          data-testid="pane-split-column"
        >
          ⊟
        </button>
        <button
          className="btn-ghost"
          title="Open in its own window (desktop) or tab (browser)"
          onClick={() => void tearOff(view)}
          data-testid="pane-tear-off"
        >
          ↗
        </button>
        {!isRoot && (
          <button
            className="btn-ghost"
            title="Close this pane"
            onClick={() => closePane(path)}
            data-testid="pane-close"
          >
            ✕
          </button>
        )}
      </header>
      <div className="pane-body">
        {known ? (
          <ErrorBoundary key={view} name={label(view)}>
            {render(view as View)}
          </ErrorBoundary>
        ) : (
          <div className="muted" style={{ padding: 12 }}>
            Unknown view “{view}”
          </div>
        )}
      </div>
    </section>
  );
}

/** A split: two layouts and a divider that drags the ratio. */
function Split({ l, path, render }: { l: Extract<PaneLayout, { split: string }>; path: PanePath; render: Render }) {
  const host = useRef<HTMLDivElement>(null);
  const isRow = l.split === 'row';
  const onDown = (e: React.PointerEvent) => {
    e.preventDefault();
    const box = host.current!.getBoundingClientRect();
    const move = (ev: PointerEvent) =>
      resizeSplit(path, isRow ? (ev.clientX - box.left) / box.width : (ev.clientY - box.top) / box.height);
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  return (
    <div ref={host} className={`split split-${l.split}`} data-testid="split" data-path={path} data-ratio={l.ratio}>
      <div className="split-child" style={{ flexBasis: `${l.ratio * 100}%` }}>
        <Node l={l.a} path={`${path}a`} render={render} />
      </div>
      <div
        className="split-divider"
        role="separator"
        aria-orientation={isRow ? 'vertical' : 'horizontal'}
        onPointerDown={onDown}
        data-testid="split-divider"
      />
      <div className="split-child" style={{ flexBasis: `${(1 - l.ratio) * 100}%` }}>
        <Node l={l.b} path={`${path}b`} render={render} />
      </div>
    </div>
  );
}

function Node({ l, path, render }: { l: PaneLayout; path: PanePath; render: Render }) {
  return 'view' in l ? <Leaf view={l.view} path={path} render={render} /> : <Split l={l} path={path} render={render} />;
}

/** The workspace switcher: save the layout under a name, open or delete a saved one. */
function WorkspaceBar() {
  const workspaces = useLayoutStore((s) => s.workspaces);
  const current = useLayoutStore((s) => s.workspace);
  const isStandalone = useLayoutStore((s) => s.isStandalone);
  const error = useLayoutStore((s) => s.error);
  const [name, setName] = useState('');
  if (isStandalone) return null;
  const named = workspaces.filter((w) => w.name !== CURRENT);
  return (
    <div className="workspace-bar" data-testid="workspace-bar">
      <span className="muted">Workspace</span>
      <select
        value={current ?? ''}
        onChange={(e) => e.target.value && openWorkspace(e.target.value)}
        data-testid="workspace-select"
        aria-label="Open a workspace"
      >
        <option value="">—</option>
        {named.map((w) => (
          <option key={w.name} value={w.name}>
            {w.name}
          </option>
        ))}
      </select>
      <input
        placeholder="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        data-testid="workspace-name"
        style={{ width: 110 }}
      />
      <button
        className="btn-ghost"
        disabled={!name.trim()}
        onClick={() => void saveWorkspaceAs(name.trim()).then((ok) => ok && setName(''))}
        data-testid="workspace-save"
      >
        Save
      </button>
      {current && (
        <button
          className="btn-ghost"
          onClick={() => void deleteWorkspaceNamed(current)}
          data-testid="workspace-delete"
          title={`Delete “${current}”`}
        >
          Delete
        </button>
      )}
      {error && <span className="neg">{error}</span>}
    </div>
  );
}

/** The panes of the current layout, with the workspace switcher above them. */
export function Panes({ render }: { render: Render }) {
  const layout = useLayoutStore((s) => s.layout);
  return (
    <div className="panes-host">
      <WorkspaceBar />
      <div className="panes" data-testid="panes">
        <Node l={layout} path="" render={render} />
      </div>
    </div>
  );
}
