import { useRef, useState } from 'react';
import { DATA_IMPORT_MAX_CHARS } from '../../../../core/contract';
import { IMPORT_KINDS_UI } from './kinds';
import { ErrorBanner } from '../../components/ErrorBanner';
import { fmtInt } from '../../lib/format';
import { importFile, kindFromFileName, setImportKind, useImportStore, type ImportKind } from '../../stores/data-store';

/** The file name decides the kind when it says (`instruments.csv`); otherwise the selected kind. */
async function readAndImport(file: File, selected: ImportKind): Promise<void> {
  // Refuse before reading: a file over the upload bound would be read whole only to be refused by the host.
  if (file.size > DATA_IMPORT_MAX_CHARS) {
    const message = `${file.name}: ${fmtInt(file.size)} bytes, over the ${fmtInt(DATA_IMPORT_MAX_CHARS)}-byte limit of an import from the app; use \`quantdesk import\` for larger files`;
    useImportStore.setState({ fileName: file.name, isRunning: false, progress: null, report: null, error: { code: 'invalid-input', message } });
    return;
  }
  await importFile(file.name, await file.text(), kindFromFileName(file.name) ?? selected);
}

/** CSV import by file picker or drag and drop, with progress, the report, and the importer's line-numbered errors. */
export function ImportPanel() {
  const { kind, fileName, isRunning, progress, report, error } = useImportStore();
  const [isOver, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const frac = progress && progress.totalBytes > 0 ? progress.bytes / progress.totalBytes : null;
  return (
    <div className="panel" data-import-state={isRunning ? 'running' : error ? 'failed' : report ? 'done' : 'idle'}>
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
            if (f) void readAndImport(f, kind);
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
              if (f) void readAndImport(f, kind);
              e.target.value = '';
            }}
          />
        </div>
        {isRunning && (
          <div className="toolbar" style={{ border: 0, background: 'none', padding: '6px 0' }}>
            <span className="muted">
              {fileName} · {progress?.phase ?? 'reading'} · {fmtInt(progress?.rows ?? 0)} rows
            </span>
            <div className="progress">
              <div style={{ width: `${((frac ?? 0) * 100).toFixed(1)}%` }} />
            </div>
          </div>
        )}
        {report && (
          <div className="pos" data-testid="import-report" style={{ marginTop: 6 }}>
            {report.source}: {fmtInt(report.rows)} {report.kind} rows, {fmtInt(report.changed)} changed, {fmtInt(report.durationMs)} ms
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
