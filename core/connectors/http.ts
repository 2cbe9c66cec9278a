/** How a connector talks HTTP: where, how often, how patiently. Every field has a per-connector default. */
export interface HttpOptions {
  /** Provider root, e.g. `https://stooq.com`; tests point it at a loopback server. */
  readonly baseUrl: string;
  /** Minimum milliseconds between two requests of this client (the provider's rate limit). */
  readonly minIntervalMs: number;
  /** Attempts after the first for transient failures (network error, timeout, HTTP 429 and 5xx). */
  readonly retries: number;
  /** First backoff; doubles per attempt (with up to 25% jitter). */
  readonly backoffMs: number;
  /** One request's deadline, headers and body included. */
  readonly timeoutMs: number;
  /** Bodies larger than this are refused, not buffered (unbounded input). */
  readonly maxBytes: number;
}

/** Defaults shared by the connectors; each overrides `baseUrl` and `minIntervalMs`. */
export const HTTP_DEFAULTS: Omit<HttpOptions, 'baseUrl'> = {
  minIntervalMs: 0,
  retries: 3,
  backoffMs: 500,
  timeoutMs: 30_000,
  maxBytes: 64 * 1024 * 1024,
};

/** A failed request after its retries; `transient` says whether trying again later could help. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/** A response body and its status (2xx only; other statuses throw {@link HttpError}). */
export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * A rate-limited HTTP GET client with retries and exponential backoff. The URL it reports in errors
 * has query parameters named like keys (`apikey`, `crtfc_key`, `token`) masked, so an API key never
 * reaches a log or an error message.
 */
export class HttpClient {
  readonly options: HttpOptions;
  #next = 0;
  #sleep: (ms: number) => Promise<void>;

  constructor(options: HttpOptions, sleep: (ms: number) => Promise<void> = delay) {
    this.options = options;
    this.#sleep = sleep;
  }

  /** GETs `path` (joined to the base URL) with `query`; retries transient failures, then throws {@link HttpError}. */
  async get(path: string, query: Record<string, string> = {}, signal?: AbortSignal): Promise<HttpResponse> {
    const url = new URL(
      path.replace(/^\//, ''),
      this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`,
    );
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const shown = redactUrl(url);
    let attempt = 0;
    for (;;) {
      await this.#pace();
      try {
        return await this.#once(url, shown, signal);
      } catch (e) {
        const err = e instanceof HttpError ? e : new HttpError(`${shown}: ${(e as Error).message}`, null, true);
        if (signal?.aborted) throw e;
        if (!err.transient || attempt >= this.options.retries) {
          if (attempt > 0) err.message += ` (after ${attempt + 1} attempts)`;
          throw err;
        }
        const base = this.options.backoffMs * 2 ** attempt;
        await this.#sleep(base + Math.random() * base * 0.25);
        attempt++;
      }
    }
  }

  async #pace(): Promise<void> {
    const now = Date.now();
    const wait = this.#next - now;
    this.#next = Math.max(now, this.#next) + this.options.minIntervalMs;
    if (wait > 0) await this.#sleep(wait);
  }

  async #once(url: URL, shown: string, signal?: AbortSignal): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(url, { signal: both, headers: { 'user-agent': 'QuantDesk/0.1' } });
    } catch (e) {
      if (timeout.aborted) throw new HttpError(`${shown}: no answer within ${this.options.timeoutMs} ms`, null, true);
      throw e;
    }
    const transient = res.status === 429 || res.status >= 500;
    if (res.status < 200 || res.status >= 300) {
      await res.body?.cancel().catch(() => undefined);
      throw new HttpError(`${shown}: HTTP ${res.status} ${res.statusText}`, res.status, transient);
    }
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (declared > this.options.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new HttpError(
        `${shown}: body of ${declared} bytes exceeds the ${this.options.maxBytes}-byte limit`,
        res.status,
        false,
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      const reader = res.body?.getReader();
      for (;;) {
        if (!reader) break;
        const { done, value: chunk } = await reader.read();
        if (done) break;
        size += chunk.length;
        if (size > this.options.maxBytes) await reader.cancel().catch(() => undefined);
        if (size > this.options.maxBytes)
          throw new HttpError(`${shown}: body exceeds the ${this.options.maxBytes}-byte limit`, res.status, false);
        chunks.push(Buffer.from(chunk));
      }
    } catch (e) {
      if (e instanceof HttpError) throw e;
      if (timeout.aborted)
        throw new HttpError(`${shown}: body not complete within ${this.options.timeoutMs} ms`, null, true);
      throw e;
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: Buffer.concat(chunks) };
  }
}

const SECRET_PARAMS = /^(apikey|api_key|crtfc_key|token|key|access_token)$/i;

/** The URL as text with secret-looking query parameters replaced by `***`. */
export function redactUrl(url: URL): string {
  const copy = new URL(url);
  for (const k of [...copy.searchParams.keys()]) if (SECRET_PARAMS.test(k)) copy.searchParams.set(k, '***');
  return copy.toString();
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
