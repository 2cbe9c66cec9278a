import { useCallback, useEffect, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { fmtMoney } from '../../lib/format';
import {
  closeReport,
  flatten,
  killDesk,
  loadDesk,
  rearmDesk,
  showDeskTab,
  subscribeDesk,
  useDeskStore,
} from '../../stores/desk-store';
import { BookDetail } from './BookDetail';
import { BookForm } from './BookForm';
import { DeskOverviewPanel } from './DeskOverviewPanel';
import { WallMode } from './WallMode';
import './books.css';

/**
 * The monitoring desk (issue 16): books side by side, the portfolio overview, a book's drill-down with the
 * order ticket, the desk kill switch and flatten (behind confirmations that then say what was done), and the
 * read-only wall mode. All state is the host's (store and journal): a reload shows the same desk.
 */
export function DeskView() {
  const { overview, tab, detail, report, error } = useDeskStore();
  const [isAdding, setAdding] = useState(false);
  const [confirm, setConfirm] = useState<{ kind: 'kill' } | { kind: 'flatten'; book?: string } | null>(null);
  useEffect(() => {
    const off = subscribeDesk();
    void loadDesk();
    if (location.hash === '#wall') showDeskTab('wall');
    return off;
  }, []);
  const exitWall = useCallback(() => showDeskTab('overview'), []);
  const askFlatten = useCallback((book?: string) => setConfirm({ kind: 'flatten', book }), []);
  if (!overview) return <div className="view-body muted">Loading the desk…</div>;
  if (tab === 'wall') return <WallMode overview={overview} onExit={exitWall} />;
  const kill = overview.killSwitch;
  const open = overview.books.reduce((n, b) => n + b.openPositions, 0);
  const flatBook = confirm?.kind === 'flatten' ? confirm.book : undefined;
  const flatView = flatBook ? overview.books.find((b) => b.name === flatBook) : undefined;
  return (
    <div className="view-body desk" data-view-ready="desk" data-desk-killed={kill.tripped ? 'true' : 'false'}>
      <div className="toolbar">
        <button
          className={`btn ${tab === 'overview' ? 'btn-primary' : ''}`}
          onClick={() => showDeskTab('overview')}
          data-testid="desk-tab-overview"
        >
          Overview
        </button>
        <button
          className={`btn ${tab === 'book' ? 'btn-primary' : ''}`}
          onClick={() => showDeskTab('book')}
          disabled={!useDeskStore.getState().book}
          data-testid="desk-tab-book"
        >
          Book{useDeskStore.getState().book ? `: ${useDeskStore.getState().book}` : ''}
        </button>
        <button
          className="btn"
          onClick={() => showDeskTab('wall')}
          data-testid="desk-tab-wall"
          title="Read-only, large type, cycles the books (or open #wall in its own tab)"
        >
          Wall mode
        </button>
        <button className="btn" onClick={() => setAdding(!isAdding)} data-testid="desk-add-book">
          + Book
        </button>
        <span className="spacer" />
        <span className="muted">
          {overview.books.length} books · {overview.books.filter((b) => b.status === 'running').length} running
        </span>
        <button className="btn" onClick={() => askFlatten(undefined)} disabled={open === 0} data-testid="desk-flatten">
          Flatten desk
        </button>
        {kill.tripped ? (
          <>
            <span className="badge bad" data-testid="desk-kill-tripped" title={kill.reason ?? ''}>
              DESK HALTED: {kill.reason}
            </span>
            <button className="btn" onClick={() => void rearmDesk()} data-testid="desk-rearm">
              Re-arm
            </button>
          </>
        ) : (
          <button className="btn btn-danger" onClick={() => setConfirm({ kind: 'kill' })} data-testid="desk-kill">
            Desk kill switch
          </button>
        )}
      </div>
      {error && <ErrorBanner error={error} onDismiss={() => useDeskStore.setState({ error: null })} />}
      {isAdding && <BookForm onDone={() => setAdding(false)} />}
      {tab === 'book' && detail ? (
        <BookDetail detail={detail} onFlatten={askFlatten} />
      ) : (
        <DeskOverviewPanel overview={overview} onFlatten={askFlatten} />
      )}
      {confirm?.kind === 'kill' && (
        <ConfirmDialog
          title="Trip the desk kill switch?"
          confirmLabel="Halt every book"
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            setConfirm(null);
            void killDesk('manual');
          }}
        >
          Every book ({overview.books.length}) stops: the running ones&apos; feeds (
          {overview.books.filter((b) => b.status === 'running').length}) are stopped, working orders are cancelled and
          new orders are refused until you re-arm, then resume each book. Open positions ({open}, gross{' '}
          {fmtMoney(overview.totals.grossExposure)}) are <b>not</b> closed: flatten them for that
          {overview.books.some((b) => b.broker?.connected)
            ? ' (a broker book stays connected, so its closing orders reach the broker)'
            : ''}
          .
        </ConfirmDialog>
      )}
      {confirm?.kind === 'flatten' && (
        <ConfirmDialog
          title={flatBook ? `Flatten book ${flatBook}?` : 'Flatten the desk?'}
          confirmLabel={flatBook ? 'Flatten book' : 'Flatten every book'}
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            setConfirm(null);
            void flatten(flatBook);
          }}
        >
          {flatBook
            ? `Cancels ${flatView?.workingOrders ?? 0} working orders of ${flatBook} and sends reduce-only market orders closing its ${flatView?.openPositions ?? 0} positions; they fill at the book's next price.`
            : `Cancels every working order and sends reduce-only market orders closing all ${open} positions of ${overview.books.length} books; they fill at each book's next price.`}
        </ConfirmDialog>
      )}
      {report && (
        <div className="modal-backdrop" onMouseDown={closeReport}>
          <div
            className="modal"
            role="dialog"
            aria-label={report.title}
            data-testid="desk-report"
            onMouseDown={(e) => e.stopPropagation()}
          >
            <h3 style={{ margin: '0 0 8px' }}>{report.title}</h3>
            <ul style={{ margin: '0 0 8px', paddingLeft: 18 }}>
              {report.value.books.map((b) => (
                <li key={b.book} data-testid="desk-report-book">
                  <b>{b.book}</b>: {b.feedStopped ? 'feed stopped, ' : ''}
                  {b.ordersCancelled} working orders cancelled, {b.ordersSubmitted} closing orders sent
                  {b.ordersSubmitted > 0 && b.broker
                    ? ` to ${b.broker}`
                    : b.ordersSubmitted > 0 && !b.running
                      ? ' (the book is not running: they fill when it resumes)'
                      : ''}
                </li>
              ))}
            </ul>
            <div data-testid="desk-report-summary">
              {report.value.openPositions} positions still open (gross {fmtMoney(report.value.grossExposure)})
              {report.value.books.some((b) => b.ordersSubmitted > 0)
                ? ' until the closing orders fill'
                : ': the kill switch does not close positions, Flatten does'}
              . Desk kill switch:{' '}
              {report.value.killSwitch.tripped ? `tripped (${report.value.killSwitch.reason})` : 'armed'}.
            </div>
            <div style={{ display: 'flex', justifyContent: 'flex-end', marginTop: 12 }}>
              <button className="btn" onClick={closeReport} autoFocus data-testid="desk-report-close">
                Close
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
