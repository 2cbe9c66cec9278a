import { useEffect, useMemo } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import { lineDiff } from '../../lib/line-diff';
import {
  backtestFromEditor,
  compileSource,
  typecheckSource,
  newFromTemplate,
  openStored,
  saveSource,
  setSource,
  showDiff,
  useEditorStore,
} from '../../stores/editor-store';
import { loadStrategies, useStrategiesStore } from '../../stores/strategies-store';
import { CodeEditor } from './CodeEditor';
import { TEMPLATES, type TemplateKind } from './templates';

/** Strategies: write, check, save and backtest your own strategies on the SDK; browse the built-ins. */
export function StrategiesView() {
  const strategies = useStrategiesStore((s) => s.strategies);
  const source = useEditorStore((s) => s.source);
  const name = useEditorStore((s) => s.name);
  const saved = useEditorStore((s) => s.savedSource);
  const problems = useEditorStore((s) => s.problems);
  const typeErrors = useEditorStore((s) => s.typeErrors);
  const versions = useEditorStore((s) => s.versions);
  const diff = useEditorStore((s) => s.diff);
  const status = useEditorStore((s) => s.status);
  const error = useEditorStore((s) => s.error);
  useEffect(() => {
    void loadStrategies();
  }, []);
  const users = strategies.filter((s) => s.source === 'user');
  const builtins = strategies.filter((s) => s.source !== 'user');
  const diffLines = useMemo(() => (diff ? lineDiff(diff.source, source) : []), [diff, source]);
  const dirty = source !== saved;
  return (
    <div className="view-body" data-view-ready={strategies.length > 0 ? 'strategies' : undefined}>
      <div className="toolbar">
        <b>Strategies</b>
        <span className="muted mono" data-testid="editor-status">
          {name ?? 'unsaved'}
          {dirty ? ' •' : ''} {status}
        </span>
        <span className="spacer" />
        {(Object.keys(TEMPLATES) as TemplateKind[]).map((k) => (
          <button key={k} className="btn" data-template={k} onClick={() => newFromTemplate(k)}>
            New {k}
          </button>
        ))}
        <button className="btn" data-testid="save-strategy" onClick={() => void saveSource()}>
          Save
        </button>
        <button className="btn primary" data-testid="backtest-strategy" onClick={() => void backtestFromEditor()}>
          Backtest
        </button>
      </div>
      <ErrorBanner error={error} />
      <div className="split">
        <div style={{ width: 240, flex: 'none', overflow: 'auto' }}>
          <div className="panel">
            <div className="panel-title">Your strategies</div>
            {users.length === 0 && <div className="muted">none stored yet: start from a template and Save</div>}
            {users.map((s) => (
              <button
                key={s.name}
                className={s.name === name ? 'list-item active' : 'list-item'}
                data-user-strategy={s.name}
                onClick={() => void openStored(s.name)}
              >
                {s.name} <span className="muted">{s.kind}</span>
              </button>
            ))}
          </div>
          {versions.length > 0 && (
            <div className="panel">
              <div className="panel-title">History</div>
              {versions.map((v) => (
                <button
                  key={v.version}
                  className={diff?.version === v.version ? 'list-item active' : 'list-item'}
                  data-version={v.version}
                  onClick={() => void showDiff(diff?.version === v.version ? null : v.version)}
                >
                  v{v.version}{' '}
                  <span className="muted mono">{new Date(v.addedAt).toISOString().slice(0, 16).replace('T', ' ')}</span>
                </button>
              ))}
            </div>
          )}
          <div className="panel">
            <div className="panel-title">Built-ins ({builtins.length})</div>
            {builtins.map((s) => (
              <div key={s.name} className="list-item muted" title={s.description}>
                {s.name} <span className="muted">{s.kind}</span>
              </div>
            ))}
          </div>
        </div>
        <div className="main-col" style={{ minWidth: 0 }}>
          <div className="panel" style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
            <div className="panel-title">
              Source{' '}
              {problems.length > 0 ? (
                <span className="neg" data-testid="problem-count">
                  {problems.length} problem{problems.length > 1 ? 's' : ''}
                </span>
              ) : (
                <span className="muted">compiles</span>
              )}
              {typeErrors.length > 0 && (
                <span className="neg" data-testid="type-error-count">
                  {' '}
                  {typeErrors.length} type error{typeErrors.length > 1 ? 's' : ''}
                </span>
              )}
            </div>
            <div style={{ flex: 1, minHeight: 320, overflow: 'hidden' }}>
              <CodeEditor
                value={source}
                onChange={setSource}
                compile={compileSource}
                typecheck={typecheckSource}
                problems={problems}
              />
            </div>
            {problems.length > 0 && (
              <ul className="problems mono" data-testid="problems">
                {problems.map((p, i) => (
                  <li key={i}>
                    {p.line > 0 ? `${p.line}:${p.column}: ` : ''}
                    {p.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
          {diff && (
            <div className="panel" data-testid="version-diff" style={{ maxHeight: 260, overflow: 'auto' }}>
              <div className="panel-title">v{diff.version} → editor</div>
              <pre className="diff mono">
                {diffLines.map((l, i) => (
                  <div key={i} className={l.op === '+' ? 'diff-add' : l.op === '-' ? 'diff-del' : 'diff-same'}>
                    {l.op} {l.text}
                  </div>
                ))}
              </pre>
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
