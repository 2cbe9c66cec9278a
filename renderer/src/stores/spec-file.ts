import { buildSpec, readDraft, specToForm, type FormFromSpec } from './backtest-form';
import { useBacktestStore } from './backtest-store';
import { showView } from './nav-store';
import { selectStrategy, useStrategiesStore } from './strategies-store';

/**
 * Spec files and the form draft: open a backtest spec JSON (button or drop on the window) into the
 * Backtest form, save the form as a spec file, and keep the last form in localStorage across reloads.
 */

/** Where the form draft lives in localStorage. */
export const DRAFT_KEY = 'quantdesk.backtest.draft';

/** The 1-based line of a character offset in `text`. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The offset of the first JSON syntax error in `text` (a small scanner: engines word their parse
 * errors differently and not all give a position), or -1 when the scanner finds none.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = () => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const str = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    return at as number;
  }
}

/** Parses a spec file's text; errors name the file, and the line for bad JSON or the field for a bad spec. */
export function parseSpecFile(
  name: string,
  text: string,
): { ok: true; form: FormFromSpec } | { ok: false; error: string } {
  if (text.length > 1_000_000)
    return {
      ok: false,
      error: `${name}: a spec file is at most 1 MB; this one is ${(text.length / 1e6).toFixed(1)} MB`,
    };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const at = jsonErrorOffset(text);
    const where = at >= 0 ? `line ${lineOf(text, at)}` : 'line ?';
    return { ok: false, error: `${name}, ${where}: not valid JSON (${msg.split('\n')[0]})` };
  }
  const r = specToForm(raw);
  return r.ok ? r : { ok: false, error: `${name}: ${r.error}` };
}

/** Puts a parsed spec into the form (strategy, params, setup); an unknown strategy is an error in place. */
export function applySpecForm(name: string, form: FormFromSpec): boolean {
  const known = useStrategiesStore.getState().strategies.some((s) => s.name === form.strategy);
  if (!known) {
    useBacktestStore.setState({
      error: { code: 'invalid-input', message: `${name}: strategy: unknown strategy "${form.strategy}"` },
    });
    return false;
  }
  selectStrategy(form.strategy, form.params);
  const fields = new Set(useStrategiesStore.getState().fields.map((f) => f.name));
  const extra = Object.keys(form.params).filter((k) => !fields.has(k));
  useBacktestStore.setState({ setup: form.setup, formErrors: {}, error: null });
  if (extra.length) {
    useBacktestStore.setState({
      error: { code: 'invalid-input', message: `${name}: params.${extra[0]}: not a parameter of ${form.strategy}` },
    });
    return false;
  }
  return true;
}

/** Opens a spec file's text into the Backtest form (and shows the view). Returns whether it loaded. */
export function openSpecText(name: string, text: string): boolean {
  const r = parseSpecFile(name, text);
  showView('backtest');
  if (!r.ok) {
    useBacktestStore.setState({ error: { code: 'invalid-input', message: r.error } });
    return false;
  }
  return applySpecForm(name, r.form);
}

/** The form as a spec JSON text, or null (the per-field errors shown in the form). */
export function currentSpecJson(): string | null {
  const st = useStrategiesStore.getState();
  const { spec, errors } = buildSpec(st.selected, st.fields, st.paramTexts, useBacktestStore.getState().setup);
  useBacktestStore.setState({ formErrors: errors });
  return spec ? JSON.stringify(spec, null, 2) + '\n' : null;
}

/** Saves the form as `<strategy>.spec.json` through the browser's download (Electron asks where). */
export function saveSpecFile(): string | null {
  const json = currentSpecJson();
  if (json === null) return null;
  const name = `${useStrategiesStore.getState().selected ?? 'backtest'}.spec.json`;
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

/** Reads a dropped or chosen File into the form. */
export async function openSpecFile(file: File): Promise<boolean> {
  if (file.size > 1_000_000) {
    useBacktestStore.setState({
      error: { code: 'invalid-input', message: `${file.name}: a spec file is at most 1 MB` },
    });
    showView('backtest');
    return false;
  }
  return openSpecText(file.name, await file.text());
}

/** Drop a `.json` spec anywhere on the window (outside a view's own drop zone) to open it in the Backtest form. Returns the uninstaller. */
export function installSpecDrop(): () => void {
  const isFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  const over = (e: DragEvent) => {
    if (!isFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  };
  const drop = (e: DragEvent) => {
    // A drop a view's own zone took (the Data view's CSV import) is not a spec: it must not open the form.
    if (!isFiles(e) || e.defaultPrevented) return;
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (file && /\.json$/i.test(file.name)) void openSpecFile(file);
  };
  window.addEventListener('dragover', over);
  window.addEventListener('drop', drop);
  return () => {
    window.removeEventListener('dragover', over);
    window.removeEventListener('drop', drop);
  };
}

let restored = false;

/** Restores the last form (once per page, after the strategies have loaded); then saves every change. */
export function restoreDraftOnce(): () => void {
  if (typeof localStorage === 'undefined') return () => {};
  if (!restored && useStrategiesStore.getState().strategies.length > 0) {
    restored = true;
    const d = readDraft(localStorage.getItem(DRAFT_KEY));
    if (d && useStrategiesStore.getState().strategies.some((s) => s.name === d.strategy)) {
      selectStrategy(d.strategy);
      const texts = { ...useStrategiesStore.getState().paramTexts };
      for (const [k, v] of Object.entries(d.paramTexts)) if (k in texts) texts[k] = v;
      useStrategiesStore.setState({ paramTexts: texts });
      useBacktestStore.setState({ setup: d.setup });
    }
  }
  const save = () => {
    const st = useStrategiesStore.getState();
    if (!st.selected) return;
    localStorage.setItem(
      DRAFT_KEY,
      JSON.stringify({ strategy: st.selected, paramTexts: st.paramTexts, setup: useBacktestStore.getState().setup }),
    );
  };
  const offA = useStrategiesStore.subscribe(save);
  const offB = useBacktestStore.subscribe((s, prev) => {
    if (s.setup !== prev.setup) save();
  });
  return () => {
    offA();
    offB();
  };
}

/** For tests: restore again on the next call. */
export function resetDraftRestore(): void {
  restored = false;
}
