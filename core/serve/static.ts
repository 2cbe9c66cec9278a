import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

/** Content-Security-Policy of every response: same-origin scripts and sockets only, no framing, no plugins. */
export const CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; " +
  "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Security headers set on every HTTP response of the host, including errors. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Type the host (and Electron's `app://` protocol) sends for `file`. */
export function contentTypeOf(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Writes a short plain-text response. */
export function sendText(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(`${text}\n`);
}

/**
 * Serves `pathname` from `root` (the built renderer). Paths are resolved inside `root` only (no
 * `..` escape); a path without an extension falls back to `index.html` (client-side routes).
 */
export function serveStatic(
  root: string,
  pathname: string,
  res: ServerResponse,
  head: boolean,
  extra: Record<string, string>,
): void {
  if (!existsSync(join(root, 'index.html'))) {
    sendText(
      res,
      503,
      `The renderer is not built (${join(root, 'index.html')} is missing); run \`npm run build:renderer\`.`,
      extra,
    );
    return;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    sendText(res, 400, 'Bad path', extra);
    return;
  }
  if (rel.includes('\0')) {
    sendText(res, 400, 'Bad path', extra);
    return;
  }
  const base = resolve(root);
  let file = resolve(base, `.${rel.startsWith('/') ? rel : `/${rel}`}`);
  if (file !== base && !file.startsWith(base + sep)) {
    sendText(res, 403, 'Forbidden', extra);
    return;
  }
  let st = existsSync(file) ? statSync(file) : undefined;
  if (st?.isDirectory()) {
    file = join(file, 'index.html');
    st = existsSync(file) ? statSync(file) : undefined;
  }
  if (!st || !st.isFile()) {
    if (extname(rel) !== '') {
      sendText(res, 404, 'Not found', extra);
      return;
    }
    file = join(base, 'index.html');
    st = statSync(file);
  }
  const type = contentTypeOf(file);
  // Vite fingerprints files under /assets/; anything else (the page itself) is revalidated so a rebuild shows.
  const immutable = rel.startsWith('/assets/');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    ...extra,
    'Content-Type': type,
    'Content-Length': String(st.size),
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (head) {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
