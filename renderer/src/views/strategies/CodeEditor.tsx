import { autocompletion } from '@codemirror/autocomplete';
import { javascript, javascriptLanguage } from '@codemirror/lang-javascript';
import { linter, lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import type { StrategyProblem, StrategyTypeDiagnostic } from '../../../../core/contract';
import { sdkCompletions } from './sdk-completions';

/** Problems as CodeMirror diagnostics at their line and column (line 0: the first line). */
function diagnosticsOf(view: EditorView, problems: readonly StrategyProblem[]): Diagnostic[] {
  const doc = view.state.doc;
  return problems.map((p) => {
    const line = doc.line(Math.min(Math.max(1, p.line || 1), doc.lines));
    const from = Math.min(line.to, line.from + Math.max(0, p.column - 1));
    return { from, to: Math.max(from, line.to), severity: 'error', message: p.message };
  });
}

/** A position (1-based line and column) as a document offset, clamped to the document. */
function offsetOf(view: EditorView, lineNo: number, col: number): number {
  const doc = view.state.doc;
  const line = doc.line(Math.min(Math.max(1, lineNo), doc.lines));
  return Math.min(line.to, line.from + Math.max(0, col - 1));
}

/**
 * The sandbox's problems and TypeScript's diagnostics together; a type diagnostic on a line the
 * sandbox already reports (a syntax error both see) is left out.
 */
function allDiagnostics(
  view: EditorView,
  problems: readonly StrategyProblem[],
  types: readonly StrategyTypeDiagnostic[],
): Diagnostic[] {
  const lines = new Set(problems.map((p) => p.line));
  const typed = types
    .filter((d) => !lines.has(d.line))
    .map((d): Diagnostic => {
      const from = offsetOf(view, d.line, d.col);
      const to = Math.max(from, offsetOf(view, d.endLine, d.endCol));
      return {
        from,
        to: to === from ? Math.min(view.state.doc.length, from + 1) : to,
        severity: d.severity,
        source: 'TypeScript',
        message: d.message,
      };
    });
  return [...diagnosticsOf(view, problems), ...typed];
}

/**
 * The strategy source editor: CodeMirror 6 with TypeScript syntax, SDK completion, and the host's
 * compile errors (the sandbox's `FILE:LINE:COL`) shown at the line. `value` is applied when it differs
 * from the document (opening another strategy or a template); edits call `onChange`.
 */
export function CodeEditor({
  value,
  onChange,
  compile,
  typecheck,
  problems,
}: {
  value: string;
  onChange: (s: string) => void;
  compile: (s: string) => Promise<readonly StrategyProblem[]>;
  /** TypeScript's diagnostics against the SDK's declarations (slower: seconds). */
  typecheck?: (s: string) => Promise<readonly StrategyTypeDiagnostic[]>;
  /** The latest problems (a save's or a compile's): shown at once, without waiting for the linter's pause. */
  problems: readonly StrategyProblem[];
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const compileRef = useRef(compile);
  compileRef.current = compile;
  const typecheckRef = useRef(typecheck);
  typecheckRef.current = typecheck;
  /** The last type diagnostics, kept when a save's or a compile's problems are shown at once. */
  const typesRef = useRef<readonly StrategyTypeDiagnostic[]>([]);
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          javascript({ typescript: true }),
          javascriptLanguage.data.of({ autocomplete: sdkCompletions }),
          autocompletion(),
          lintGutter(),
          linter(
            async (ev) => {
              const text = ev.state.doc.toString();
              const [problems, types] = await Promise.all([
                compileRef.current(text),
                typecheckRef.current?.(text) ?? [],
              ]);
              // The document may have changed while TypeScript ran: CodeMirror drops a stale result.
              typesRef.current = types;
              return allDiagnostics(ev, problems, types);
            },
            { delay: 600 },
          ),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current(u.state.doc.toString());
          }),
          EditorView.theme(
            {
              '&': { height: '100%', backgroundColor: 'var(--bg)', color: 'var(--text)' },
              '.cm-scroller': { fontFamily: 'var(--mono, monospace)' },
              '.cm-gutters': {
                backgroundColor: 'var(--bg-1)',
                color: 'var(--text-dim)',
                borderRight: '1px solid var(--border)',
              },
              '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'rgba(127, 127, 127, 0.12)' },
              '.cm-cursor': { borderLeftColor: 'var(--text)' },
              '.cm-tooltip': {
                backgroundColor: 'var(--bg-1)',
                color: 'var(--text)',
                border: '1px solid var(--border)',
              },
              '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--focus)', color: '#fff' },
            },
            { dark: true },
          ),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; `value` changes are applied below.
  }, []);
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);
  useEffect(() => {
    const v = view.current;
    if (v) v.dispatch(setDiagnostics(v.state, allDiagnostics(v, problems, typesRef.current)));
  }, [problems]);
  return <div ref={host} className="code-editor" data-testid="code-editor" />;
}
