import { useRef, useState } from 'react';
import { IMPORT_KINDS_UI } from './kinds';
import { ErrorBanner } from '../../components/ErrorBanner';
import { fmtInt } from '../../lib/format';
import {
  cancelImport,
  importFile,
  kindFromFileName,
  setImportKind,
  useImportStore,
  type ImportKind,
} from '../../stores/data-store';

/** The file name decides the kind when it says (`instruments.csv`); otherwise the selected kind. */
function readAndImport(file: File, selected: ImportKind): void {
  void importFile(file, kindFromFileName(file.name) ?? selected);
}

const MB = 1024 * 1024;
const fmtMb = (bytes: number) => (bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0);

/** CSV import by file picker or drag and drop, with progress, the report, and the importer's line-numbered errors. */
export function ImportPanel() {
  const { kind, fileName, isRunning, stage, sent, size, isCancelling, progress, report, error } = useImportStore();
  const [isOver, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // Uploading fills the first half of the bar, the host's parse and write the second.
  const hostFrac =
    progress && progress.totalBytes > 0 ? (progress.phase === 'parse' ? progress.bytes / progress.totalBytes : 1) : 0;
  const frac = stage === 'uploading' ? (size > 0 ? sent / size : 0) / 2 : 0.5 + hostFrac / 2;
  const status =
    stage === 'uploading'
      ? `uploading ${fmtMb(sent)} of ${fmtMb(size)} MB`
      : progress
        ? `${progress.phase === 'parse' ? 'checking' : progress.phase === 'write' ? 'writing' : 'done'} · ${fmtInt(progress.rows)} rows`
        : 'checking';
  return (
    <div
      className="panel"
      data-import-state={
        isRunning ? 'running' : error ? (error.code === 'cancelled' ? 'cancelled' : 'failed') : report ? 'done' : 'idle'
      }
    >
      <div className="panel-title">Import CSV</div>
      <div className="panel-body">
        <label className="field">
          <span>Kind</span>
          <select value={kind} onChange={(e) => setImportKind(e.target.value as ImportKind)} data-testid="import-kind">
            {IMPORT_KINDS_UI.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.kind}: {k.columns}
              </option>
            ))}
          </select>
        </label>
        <div
          className={isOver ? 'dropzone over' : 'dropzone'}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            const f = e.dataTransfer.files[0];
            if (f && !isRunning) readAndImport(f, kind);
          }}
          data-testid="dropzone"
        >
          Drop a CSV file here or{' '}
          <button className="btn" onClick={() => input.current?.click()} disabled={isRunning}>
            Choose file…
          </button>
          <input
            ref={input}
            type="file"
            accept=".csv,text/csv"
            style={{ display: 'none' }}
            data-testid="import-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) readAndImport(f, kind);
              e.target.value = '';
            }}
          />
        </div>
        {isRunning && (
          <div
            className="toolbar"
            style={{ border: 0, background: 'none', padding: '6px 0' }}
            data-testid="import-progress"
            data-stage={stage ?? ''}
            data-fraction={frac.toFixed(3)}
          >
            <span className="muted">
              {fileName} · {isCancelling ? 'cancelling' : status}
            </span>
            <div className="progress">
              <div style={{ width: `${(frac * 100).toFixed(1)}%` }} />
            </div>
            <button
              className="btn"
              onClick={() => void cancelImport()}
              disabled={isCancelling}
              data-testid="import-cancel"
            >
              Cancel
            </button>
          </div>
        )}
        {report && (
          <div className="pos" data-testid="import-report" style={{ marginTop: 6 }}>
            {report.source}: {fmtInt(report.rows)} {report.kind} rows, {fmtInt(report.changed)} changed,{' '}
            {fmtInt(report.durationMs)} ms
          </div>
        )}
      </div>
      {error && (
        <div data-testid="import-error">
          <ErrorBanner error={error} onDismiss={() => useImportStore.setState({ error: null })} />
        </div>
      )}
    </div>
  );
}
