import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a test route answers: a status (200), a body, a content type, or `hang` to never answer. */
export interface Reply {
  readonly status?: number;
  readonly body?: string | Buffer;
  readonly type?: string;
  readonly hang?: boolean;
}

/** Test helper: a loopback HTTP server speaking whatever `route` answers; records every request URL. */
export async function startTestServer(route: (url: URL, req: IncomingMessage) => Reply | Promise<Reply>): Promise<{
  readonly base: string;
  readonly requests: URL[];
  close(): Promise<void>;
}> {
  const requests: URL[] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    void Promise.resolve(route(url, req)).then((r) => {
      if (r.hang) {
        open.add(res);
        return;
      }
      res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'text/plain; charset=utf-8' });
      res.end(r.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
