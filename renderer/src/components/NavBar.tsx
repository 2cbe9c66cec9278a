import { keyForView, showView, useNavStore, VIEW_LABELS, VIEWS } from '../stores/nav-store';

/** Left navigation: one button per view with its shortcut. */
export function NavBar() {
  const view = useNavStore((s) => s.view);
  return (
    <nav className="nav">
      <div className="brand">QD</div>
      {VIEWS.map((v, i) => (
        <button
          key={v}
          className={v === view ? 'nav-item active' : 'nav-item'}
          onClick={() => showView(v)}
          data-view={v}
          title={keyForView(i) === null ? VIEW_LABELS[v] : `${VIEW_LABELS[v]} (${keyForView(i)})`}
        >
          <span className="nav-key">{keyForView(i) ?? ''}</span>
          <span className="nav-label">{VIEW_LABELS[v]}</span>
        </button>
      ))}
    </nav>
  );
}
