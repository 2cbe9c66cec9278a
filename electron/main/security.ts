import { app, net, protocol, type IpcMainInvokeEvent, type Session } from 'electron';
import { extname, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contentTypeOf, CSP, SECURITY_HEADERS } from '../../core/serve/static';

/** The renderer is served from this custom scheme, never from http(s) or file://. */
export const APP_SCHEME = 'app';
/** The page's origin: `app://quantdesk`. */
export const APP_ORIGIN = `${APP_SCHEME}://quantdesk`;

/** Must run before `app` is ready: makes `app://` a standard, secure origin (so CSP `'self'` means it). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** True when `url` is a page of our own origin. */
export function isAppUrl(url: string): boolean {
  return url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
}

/** IPC is accepted only from frames showing our own origin. */
export function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url;
  return typeof url === 'string' && isAppUrl(url);
}

/**
 * Hardens a session: serves `rendererDir` on `app://quantdesk/` with the CSP and security headers,
 * cancels every remote request (no remote content, ever), and denies every permission except
 * desktop notifications (live alerts) asked for by a page of `app://quantdesk`.
 */
export function hardenSession(ses: Session, rendererDir: string): void {
  const root = resolve(rendererDir);
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'quantdesk') return new Response('Not found', { status: 404 });
    let file = resolve(root, `.${decodeURIComponent(url.pathname)}`);
    if (file !== root && !file.startsWith(root + sep)) return new Response('Forbidden', { status: 403 });
    if (file === root || extname(file) === '') file = resolve(root, 'index.html');
    const res = await net.fetch(pathToFileURL(file).toString());
    if (!res.ok) return new Response('Not found', { status: 404, headers: SECURITY_HEADERS });
    return new Response(res.body, {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': contentTypeOf(file) },
    });
  });
  // The CSP also goes on every response header the session sees (belt and braces with index.html's <meta>).
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  ses.webRequest.onBeforeRequest(
    { urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'ftp://*/*'] },
    (_details, callback) => {
      callback({ cancel: true });
    },
  );
  // Notifications only, and only for our own pages: a frame of any other origin (an injected iframe,
  // a page navigated to by a bug) gets nothing.
  ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permission === 'notifications' && isAppUrl(details?.requestingUrl ?? '')),
  );
  ses.setPermissionCheckHandler(
    (_wc, permission, requestingOrigin) => permission === 'notifications' && isAppUrl(requestingOrigin),
  );
}

/** Blocks navigation away from the app, new windows and `<webview>` in every web contents ever created. */
export function lockNavigation(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (e, url) => {
      if (!isAppUrl(url)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!isAppUrl(url)) e.preventDefault();
    });
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
