import { BrokerError } from './types';

/** One HTTP answer: status and parsed JSON body (null when empty or not JSON). */
export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
  /** KIS's continuation header (`M`/`F`: more pages follow; `D`/`E`: last page); '' elsewhere. */
  readonly trCont: string;
}

/** Most bytes of a broker answer we read: a broker never sends megabytes for an order; more is refused. */
const MAX_BODY = 4 << 20;

/**
 * Sends one request with a time limit. A timeout or a dropped connection becomes a retryable
 * {@link BrokerError} marked `maybeSent` for methods that change state (the broker may have acted on it),
 * so the caller looks the order up before resending. Headers are never put into an error message
 * (they carry the keys).
 */
export async function request(
  broker: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const timeout = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
    const path = new URL(url).pathname;
    throw new BrokerError(
      broker,
      timeout ? 'timeout' : 'network',
      timeout
        ? `${method} ${path} timed out after ${timeoutMs} ms`
        : `${method} ${path} failed: ${(e as Error).message}`,
      true,
      method !== 'GET',
    );
  }
  const len = Number(res.headers.get('content-length') ?? 0);
  if (len > MAX_BODY)
    throw new BrokerError(broker, 'too-large', `answer of ${len} bytes refused (limit ${MAX_BODY})`, false);
  const text = await res.text();
  if (text.length > MAX_BODY)
    throw new BrokerError(broker, 'too-large', `answer of ${text.length} bytes refused (limit ${MAX_BODY})`, false);
  let parsed: unknown = null;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, text, trCont: res.headers.get('tr_cont') ?? '' };
}

/** Waits `ms` (backoff between retries). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A number from a broker's string field; NaN when missing. */
export function num(v: unknown): number {
  if (v === null || v === undefined || v === '') return Number.NaN;
  return typeof v === 'number' ? v : Number(v);
}
