import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/** One TypeScript diagnostic in the user's file, 1-based lines and columns. */
export interface TypeDiagnostic {
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export interface TypecheckResult {
  readonly diagnostics: readonly TypeDiagnostic[];
  /** True when the time limit stopped the check (the diagnostics are then empty, not "no errors"). */
  readonly timedOut: boolean;
  readonly ms: number;
}

/** Sources larger than this are refused (the editor's own limit is 1 MB; type checking is slower). */
export const TYPECHECK_MAX_CHARS = 200_000;
const DEFAULT_LIMIT_MS = 5000;

/**
 * Where the SDK's types are: the built declarations (`node scripts/build.mjs sdk` → out/sdk-types/sdk/index.d.ts)
 * next to the bundle or in the working tree, else the SDK's own sources (core/sdk/index.ts) when running from source.
 */
function sdkEntry(): string {
  const roots = [process.cwd(), join(__dirname, '..'), join(__dirname, '../..'), join(__dirname, '../../..')];
  for (const r of roots) {
    const d = resolve(r, 'out/sdk-types/sdk/index.d.ts');
    if (existsSync(d)) return d;
  }
  for (const r of roots) {
    const s = resolve(r, 'core/sdk/index.ts');
    if (existsSync(s)) return s;
  }
  throw new Error('typecheck: SDK type declarations not found (run `node scripts/build.mjs sdk`)');
}

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2023.d.ts'],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  allowImportingTsExtensions: true,
};

/** Parsed library and SDK files, kept across checks (they never change while the process runs). */
const fileCache = new Map<string, ts.SourceFile | undefined>();
let oldProgram: ts.Program | undefined;
let entry: string | undefined;

class DeadlineToken implements ts.CancellationToken {
  constructor(private readonly deadline: number) {}
  isCancellationRequested(): boolean {
    return Date.now() > this.deadline;
  }
  throwIfCancellationRequested(): void {
    if (this.isCancellationRequested()) throw new ts.OperationCanceledException();
  }
}

/**
 * Type-checks one user strategy file against the SDK's real declarations, in memory (the user's file
 * never touches the disk): `import … from 'quantdesk/sdk'` resolves to the SDK's types. Bounded: a source
 * over {@link TYPECHECK_MAX_CHARS} is refused, and the check stops at `limitMs` (`timedOut`).
 */
export function typecheckStrategy(
  source: string,
  fileName = 'strategy.ts',
  limitMs = DEFAULT_LIMIT_MS,
): TypecheckResult {
  const t0 = Date.now();
  if (source.length > TYPECHECK_MAX_CHARS)
    throw new RangeError(
      `${fileName}: source is ${source.length} characters; type checking takes at most ${TYPECHECK_MAX_CHARS}`,
    );
  entry ??= sdkEntry();
  const userPath = resolve(
    '/__quantdesk_user__',
    fileName.replace(/[^\w.-]/g, '_').replace(/\.(js|mjs|cjs)$/, '.ts') || 'strategy.ts',
  );
  const userFile = ts.createSourceFile(userPath, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const base = ts.createCompilerHost(OPTIONS, true);
  const sdkPath = entry;
  const host: ts.CompilerHost = {
    ...base,
    getSourceFile(name, lang, onError) {
      if (name === userPath) return userFile;
      if (fileCache.has(name)) return fileCache.get(name);
      const sf = base.getSourceFile(name, lang, onError);
      fileCache.set(name, sf);
      return sf;
    },
    fileExists: (name) => name === userPath || base.fileExists(name),
    readFile: (name) => (name === userPath ? source : base.readFile(name)),
    writeFile: () => undefined,
    resolveModuleNameLiterals(literals, containing, redirected, options) {
      return literals.map((lit) => {
        if (lit.text === 'quantdesk/sdk')
          return {
            resolvedModule: {
              resolvedFileName: sdkPath,
              extension: sdkPath.endsWith('.d.ts') ? ts.Extension.Dts : ts.Extension.Ts,
              isExternalLibraryImport: false,
            },
          };
        const from = containing === userPath ? join(dirname(sdkPath), '__none__') : containing;
        return ts.resolveModuleName(lit.text, from, options, base, undefined, redirected);
      });
    },
  };
  const program = ts.createProgram({ rootNames: [userPath], options: OPTIONS, host, oldProgram });
  oldProgram = program;
  const token = new DeadlineToken(t0 + limitMs);
  let raw: readonly ts.Diagnostic[];
  try {
    raw = [...program.getSyntacticDiagnostics(userFile, token), ...program.getSemanticDiagnostics(userFile, token)];
  } catch (e) {
    if (e instanceof ts.OperationCanceledException) return { diagnostics: [], timedOut: true, ms: Date.now() - t0 };
    throw e;
  }
  const diagnostics = raw
    .filter((d) => d.file === userFile && d.start !== undefined)
    .map((d): TypeDiagnostic => {
      const s = userFile.getLineAndCharacterOfPosition(d.start!);
      const e = userFile.getLineAndCharacterOfPosition(d.start! + (d.length ?? 0));
      return {
        line: s.line + 1,
        col: s.character + 1,
        endLine: e.line + 1,
        endCol: e.character + 1,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        severity: d.category === ts.DiagnosticCategory.Error ? 'error' : 'warning',
      };
    });
  return { diagnostics, timedOut: false, ms: Date.now() - t0 };
}
