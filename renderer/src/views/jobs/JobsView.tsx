import { useEffect } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import { loadPlatform, runJob, usePlatformStore } from '../../stores/platform-store';
import { ApiKeysPanel } from './ApiKeysPanel';

const when = (t: number | null) => (t === null ? '–' : new Date(t).toISOString().replace('T', ' ').slice(0, 16));
const dur = (r: { startedAt: number; endedAt: number | null }) =>
  r.endedAt === null ? '…' : `${((r.endedAt - r.startedAt) / 1000).toFixed(1)} s`;
const statusClass = (s: string) => (s === 'ok' ? 'pos' : s === 'running' ? 'warn-text' : 'neg');

/** Jobs: scheduled jobs (cron, zone, next run, last result, run now), their run history, past reports. */
export function JobsView() {
  const jobs = usePlatformStore((s) => s.jobs);
  const runs = usePlatformStore((s) => s.runs);
  const reports = usePlatformStore((s) => s.reports);
  const isLoaded = usePlatformStore((s) => s.isLoaded);
  const running = usePlatformStore((s) => s.running);
  const error = usePlatformStore((s) => s.error);
  useEffect(() => {
    void loadPlatform();
  }, []);
  return (
    <div className="view-body" data-view-ready={isLoaded ? 'jobs' : undefined}>
      <div className="toolbar">
        <b>Jobs</b>
        <span className="muted mono">
          {jobs.length} jobs · {runs.filter((r) => r.status === 'failed' || r.status === 'abandoned').length} failed
          runs · {reports.length} reports
        </span>
        <span className="spacer" />
        <button className="btn" onClick={() => void loadPlatform()}>
          Refresh
        </button>
      </div>
      <ErrorBanner error={error} />
      <div className="panel">
        <div className="panel-title">Scheduled jobs</div>
        {jobs.length === 0 ? (
          <p className="muted panel-body">
            No jobs. Add one with `quantdesk jobs add NAME --cron "0 8 * * 1-5" --tz Asia/Seoul --db DB -- fetch …`.
          </p>
        ) : (
          <table className="grid" data-testid="jobs-table">
            <thead>
              <tr>
                <th>Job</th>
                <th>Schedule</th>
                <th>Next run (UTC)</th>
                <th>Last run</th>
                <th>Command</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.name}>
                  <td className="mono">{j.name}</td>
                  <td className="mono">
                    {j.cron} <span className="muted">{j.timezone}</span>
                  </td>
                  <td className="mono">{when(j.nextRunAt)}</td>
                  <td className={j.lastRun ? statusClass(j.lastRun.status) : 'muted'}>
                    {j.lastRun ? `${j.lastRun.status} ${when(j.lastRun.startedAt)}` : 'never'}
                  </td>
                  <td className="mono muted">{j.command}</td>
                  <td>
                    <button
                      className="btn"
                      disabled={running !== null}
                      onClick={() => void runJob(j.name)}
                      data-testid={`run-${j.name}`}
                    >
                      {running === j.name ? 'Running…' : 'Run now'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <ApiKeysPanel />
      <div className="split">
        <div className="main-col">
          <div className="panel" style={{ flex: 1 }}>
            <div className="panel-title">Run history</div>
            <table className="grid" data-testid="job-runs">
              <thead>
                <tr>
                  <th>Started (UTC)</th>
                  <th>Job</th>
                  <th>Status</th>
                  <th>Trigger</th>
                  <th className="num">Attempt</th>
                  <th className="num">Duration</th>
                  <th className="num">Rows changed</th>
                  <th>Error</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr key={r.id}>
                    <td className="mono">{when(r.startedAt)}</td>
                    <td className="mono">{r.job}</td>
                    <td className={statusClass(r.status)}>{r.status}</td>
                    <td>{r.trigger}</td>
                    <td className="num">{r.attempt}</td>
                    <td className="num">{dur(r)}</td>
                    <td className="num">{r.rowsChanged ?? '–'}</td>
                    <td className="neg">{r.error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
        <div style={{ width: 460, flex: 'none', overflow: 'auto' }}>
          <div className="panel">
            <div className="panel-title">Reports</div>
            {reports.length === 0 ? (
              <p className="muted panel-body">
                No reports yet: `quantdesk report daily --db DB --out reports/daily-{'{date}'}.html`.
              </p>
            ) : (
              <table className="grid" data-testid="reports-table">
                <thead>
                  <tr>
                    <th>Day</th>
                    <th>Summary</th>
                  </tr>
                </thead>
                <tbody>
                  {reports.map((r) => (
                    <tr key={r.id} title={r.path}>
                      <td className="mono">{when(r.day).slice(0, 10)}</td>
                      <td style={{ whiteSpace: 'normal' }}>{r.summary}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}
