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
