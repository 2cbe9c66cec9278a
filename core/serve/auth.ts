import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A fresh random token: 32 bytes, hex (64 characters). */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** The cookie name for a host on `port` (cookies ignore ports, so two hosts on one machine must not share one). */
export function cookieName(port: number): string {
  return `quantdesk_token_${port}`;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** How a request proved it holds the token, or `null` when it did not. */
export type AuthVia = 'query' | 'cookie' | null;

/**
 * Checks a request for the token, in the `token` query parameter or in the host's cookie. The
 * comparison is constant-time.
 */
export function authenticate(req: IncomingMessage, url: URL, token: string, port: number): AuthVia {
  const q = url.searchParams.get('token');
  if (q !== null && sameToken(q, token)) return 'query';
  const c = cookieValue(req.headers.cookie, cookieName(port));
  if (c !== undefined && sameToken(c, token)) return 'cookie';
  return null;
}

/** The `Set-Cookie` value that lets the page's later requests (assets, the WebSocket) in without the query. */
export function tokenCookie(token: string, port: number): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/**
 * The `Host` header values the host answers to: `127.0.0.1`, `localhost`, `[::1]` and the interface
 * it was started on (`--host`), each with its port, lower-cased. Anything else is refused before the
 * token is even looked at: a page on `evil.example` that DNS-rebinds its name to 127.0.0.1 sends
 * `Host: evil.example:PORT`, so it never reaches a handler even if it learnt the token.
 */
export function allowedHosts(host: string, port: number): ReadonlySet<string> {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  const given = bare.includes(':') ? `[${bare}]` : bare;
  return new Set(['127.0.0.1', 'localhost', '[::1]', given].map((h) => `${h}:${port}`));
}

/** True when the request's `Host` header is one of `allowed` (see {@link allowedHosts}); a missing header is refused. */
export function isAllowedHost(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const host = req.headers.host;
  return typeof host === 'string' && allowed.has(host.toLowerCase());
}

/**
 * A WebSocket upgrade must carry an `Origin` equal to the page's own (`http://` + its allow-listed
 * Host): browsers always send one, so a missing Origin is a non-browser client or a stripped header,
 * and a different one is another site's page.
 */
export function isAllowedOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return typeof origin === 'string' && origin.toLowerCase() === `http://${String(req.headers.host).toLowerCase()}`;
}
