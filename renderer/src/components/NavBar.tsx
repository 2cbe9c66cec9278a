import { showView, useNavStore, VIEW_LABELS, VIEWS } from '../stores/nav-store';

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
          title={`${VIEW_LABELS[v]} (${i + 1})`}
        >
          <span className="nav-key">{i + 1}</span>
          <span className="nav-label">{VIEW_LABELS[v]}</span>
        </button>
      ))}
    </nav>
  );
}
