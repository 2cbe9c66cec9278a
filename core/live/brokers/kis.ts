import { createDecipheriv } from 'node:crypto';
import WebSocket from 'ws';
import { num, request, sleep, type HttpAnswer } from './http';
import type {
  Broker,
  BrokerAccount,
  BrokerOrder,
  BrokerOrderRequest,
  BrokerPosition,
  BrokerReplace,
  OrderUpdate,
  StreamListener,
} from './types';
import { BrokerError } from './types';

/** KIS Open API endpoints: real (실전) and virtual (모의투자) REST, and their WebSocket servers. */
export const KIS_REAL_URL = 'https://openapi.koreainvestment.com:9443';
export const KIS_VIRTUAL_URL = 'https://openapivts.koreainvestment.com:29443';
export const KIS_REAL_WS = 'ws://ops.koreainvestment.com:21000';
export const KIS_VIRTUAL_WS = 'ws://ops.koreainvestment.com:31000';

/** Options of {@link KisBroker}; keys from `KIS_APP_KEY` / `KIS_APP_SECRET` / `KIS_ACCOUNT` (see {@link kisFromEnv}). */
export interface KisOptions {
  readonly appKey: string;
  readonly appSecret: string;
  /** `12345678-01`: 8-digit CANO and 2-digit product code. */
  readonly account: string;
  /** HTS id: the key of the execution-notice subscription (`KIS_HTS_ID`). */
  readonly htsId?: string;
  /** `virtual` (모의투자, default) or `real`. */
  readonly env?: 'virtual' | 'real';
  readonly baseUrl?: string;
  readonly wsUrl?: string;
  readonly timeoutMs?: number;
  /** Requests per second (KIS allows about 20 real, fewer on 모의투자); default 15 real, 2 virtual. */
  readonly ratePerSec?: number;
  readonly retries?: number;
  readonly backoffMs?: number;
}

/** KIS error codes → what they mean for the user. */
export const KIS_ERRORS: Readonly<Record<string, string>> = {
  EGW00123: 'the access token expired (a new one is requested)',
  EGW00121: 'the access token is invalid (a new one is requested)',
  EGW00201: 'too many requests per second (EGW00201): slowing down',
  EGW00133: 'a new access token can be requested only once a minute (EGW00133)',
  EGW00103: 'the app key is invalid (check KIS_APP_KEY)',
  EGW00105: 'the app secret is invalid (check KIS_APP_SECRET)',
  EGW00002: 'server error at KIS (EGW00002)',
  OPSQ0002: 'no account or wrong account number (check KIS_ACCOUNT as 12345678-01)',
};

// Our clock and KIS's may differ: an order stamped this much before the intent still counts as a candidate.
const CLOCK_SKEW_MS = 60_000;

const TOKEN_EXPIRED = new Set(['EGW00123', 'EGW00121']);

/** Execution-notice fields (H0STCNI0/H0STCNI9), `^`-separated in the decrypted payload. */
const N = {
  order: 2,
  origOrder: 3,
  side: 4,
  rvse: 5,
  symbol: 8,
  qty: 9,
  price: 10,
  time: 11,
  refused: 12,
  filled: 13,
  accepted: 14,
  orderQty: 16,
} as const;

/** Decrypts an AES-256-CBC, base64 payload with the key and iv of the subscribe answer (both UTF-8 text). */
export function kisDecrypt(key: string, iv: string, payload: string): string {
  const d = createDecipheriv('aes-256-cbc', Buffer.from(key, 'utf8'), Buffer.from(iv, 'utf8'));
  return Buffer.concat([d.update(Buffer.from(payload, 'base64')), d.final()]).toString('utf8');
}

// KST is UTC+9 all year: an `HHMMSS` of today's Korean session → EpochMs.
function kstTime(hhmmss: string, now = Date.now()): number {
  const kst = new Date(now + 9 * 3_600_000);
  const h = Number(hhmmss.slice(0, 2));
  const m = Number(hhmmss.slice(2, 4));
  const s = Number(hhmmss.slice(4, 6));
  return Date.UTC(kst.getUTCFullYear(), kst.getUTCMonth(), kst.getUTCDate(), h, m, s) - 9 * 3_600_000;
}

/**
 * Korea Investment & Securities Open API, domestic cash equities: OAuth access token (`/oauth2/tokenP`,
 * refreshed when KIS says EGW00123), hashkey for orders (`/uapi/hashkey`), cash orders
 * (`order-cash`, TTTC0802U buy / TTTC0801U sell; VTTC… on 모의투자), cancel and modify (`order-rvsecncl`),
 * balance (`inquire-balance`), open orders (`inquire-psbl-rvsecncl`, daily orders `inquire-daily-ccld`), the
 * execution notice over WebSocket (approval key from `/oauth2/Approval`, H0STCNI0/H0STCNI9, AES-256-CBC)
 * and quotes (H0STCNT0). Requests are paced to `ratePerSec`, and EGW00201 (over the limit) waits and retries.
 *
 * KIS has no client order id: the adapter remembers which order number (ODNO) each client id got; after a
 * restart {@link orderByClientId} matches today's orders by symbol, side, quantity and price among those not
 * yet claimed, and refuses to guess between two candidates (the gateway then alerts instead of resending).
 */
export class KisBroker implements Broker {
  readonly name = 'kis';
  readonly mode: 'paper' | 'live';
  readonly #o: KisOptions;
  readonly #base: string;
  readonly #real: boolean;
  readonly #cano: string;
  readonly #prdt: string;
  #token: { value: string; expiresAt: number } | null = null;
  #tokenPending: Promise<string> | null = null;
  #nextSlot = 0;
  readonly #byClient = new Map<
    string,
    { odno: string; orgno: string; req: BrokerOrderRequest; time: number; filled: number; seen: Set<string> }
  >();
  #ws: WebSocket | null = null;
  #closed = false;

  constructor(o: KisOptions) {
    const m = /^(\d{8})-?(\d{2})$/.exec(o.account);
    if (!m)
      throw new BrokerError(
        'kis',
        'account',
        `KIS_ACCOUNT "${o.account}" is not an account number like 12345678-01`,
        false,
      );
    this.#o = o;
    this.#cano = m[1];
    this.#prdt = m[2];
    this.#real = o.env === 'real';
    this.mode = this.#real ? 'live' : 'paper';
    this.#base = (o.baseUrl ?? (this.#real ? KIS_REAL_URL : KIS_VIRTUAL_URL)).replace(/\/$/, '');
  }

  #trId(real: string): string {
    return this.#real ? real : 'V' + real.slice(1);
  }

  async #pace(): Promise<void> {
    const gap = 1000 / (this.#o.ratePerSec ?? (this.#real ? 15 : 2));
    const now = Date.now();
    const at = Math.max(now, this.#nextSlot);
    this.#nextSlot = at + gap;
    if (at > now) await sleep(at - now);
  }

  async #tokenValue(force = false): Promise<string> {
    if (!force && this.#token && Date.now() < this.#token.expiresAt - 60_000) return this.#token.value;
    this.#tokenPending ??= (async () => {
      const a = await request(
        'kis',
        'POST',
        `${this.#base}/oauth2/tokenP`,
        {},
        { grant_type: 'client_credentials', appkey: this.#o.appKey, appsecret: this.#o.appSecret },
        this.#o.timeoutMs ?? 10_000,
      );
      const b = a.body as {
        access_token?: string;
        expires_in?: number;
        error_code?: string;
        error_description?: string;
        msg_cd?: string;
        msg1?: string;
      } | null;
      if (a.status >= 400 || !b?.access_token) {
        const code = b?.error_code ?? b?.msg_cd ?? String(a.status);
        throw new BrokerError(
          'kis',
          code,
          `token request refused: ${KIS_ERRORS[code] ?? b?.error_description ?? b?.msg1 ?? `HTTP ${a.status}`}`,
          false,
        );
      }
      this.#token = { value: b.access_token, expiresAt: Date.now() + (b.expires_in ?? 86_400) * 1000 };
      return b.access_token;
    })().finally(() => (this.#tokenPending = null));
    return this.#tokenPending;
  }

  /** One KIS call: paced, with the token (refreshed once on EGW00123), retried on EGW00201/5xx for reads. */
  async #call(
    method: 'GET' | 'POST',
    path: string,
    trId: string,
    params: Record<string, string>,
    opts: { hashkey?: boolean; trCont?: string } = {},
  ): Promise<HttpAnswer> {
    const retries = this.#o.retries ?? 3;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      await this.#pace();
      const headers: Record<string, string> = {
        authorization: `Bearer ${await this.#tokenValue()}`,
        appkey: this.#o.appKey,
        appsecret: this.#o.appSecret,
        tr_id: trId,
        custtype: 'P',
      };
      if (opts.trCont) headers.tr_cont = opts.trCont;
      if (opts.hashkey) headers.hashkey = await this.#hashkey(params);
      const url = method === 'GET' ? `${this.#base}${path}?${new URLSearchParams(params)}` : this.#base + path;
      let a: HttpAnswer;
      try {
        a = await request(
          'kis',
          method,
          url,
          headers,
          method === 'POST' ? params : undefined,
          this.#o.timeoutMs ?? 10_000,
        );
      } catch (e) {
        if (e instanceof BrokerError && method === 'GET' && attempt < retries) {
          await sleep((this.#o.backoffMs ?? 250) * 2 ** attempt);
          continue;
        }
        throw e;
      }
      const b = (a.body ?? {}) as { rt_cd?: string; msg_cd?: string; msg1?: string };
      if (a.status < 400 && (b.rt_cd === undefined || b.rt_cd === '0')) return a;
      const code = b.msg_cd ?? String(a.status);
      if (TOKEN_EXPIRED.has(code) && !refreshed) {
        refreshed = true;
        await this.#tokenValue(true);
        attempt--;
        continue;
      }
      // Over the rate limit: KIS did not take the request, so even an order may be sent again.
      const overLimit = code === 'EGW00201';
      const serverSide = a.status >= 500 && !overLimit && b.rt_cd === undefined;
      if ((overLimit || (serverSide && method === 'GET')) && attempt < retries) {
        await sleep((this.#o.backoffMs ?? 250) * 2 ** attempt + (overLimit ? 1000 / (this.#o.ratePerSec ?? 2) : 0));
        continue;
      }
      throw new BrokerError(
        'kis',
        code,
        KIS_ERRORS[code] ?? `${code}: ${b.msg1 ?? `HTTP ${a.status}`}`,
        overLimit || serverSide,
        serverSide && method === 'POST',
      );
    }
  }

  async #hashkey(body: Record<string, string>): Promise<string> {
    const a = await request(
      'kis',
      'POST',
      `${this.#base}/uapi/hashkey`,
      { appkey: this.#o.appKey, appsecret: this.#o.appSecret },
      body,
      this.#o.timeoutMs ?? 10_000,
    );
    const h = (a.body as { HASH?: string } | null)?.HASH;
    if (!h) throw new BrokerError('kis', String(a.status), `hashkey request failed (HTTP ${a.status})`, true);
    return h;
  }

  async #balance(): Promise<{ rows: Record<string, string>[]; summary: Record<string, string> }> {
    const rows: Record<string, string>[] = [];
    let summary: Record<string, string> = {};
    let fk = '';
    let nk = '';
    for (let page = 0; page < 20; page++) {
      const a = await this.#call(
        'GET',
        '/uapi/domestic-stock/v1/trading/inquire-balance',
        this.#trId('TTTC8434R'),
        {
          CANO: this.#cano,
          ACNT_PRDT_CD: this.#prdt,
          AFHR_FLPR_YN: 'N',
          OFL_YN: '',
          INQR_DVSN: '02',
          UNPR_DVSN: '01',
          FUND_STTL_ICLD_YN: 'N',
          FNCG_AMT_AUTO_RDPT_YN: 'N',
          PRCS_DVSN: '00',
          CTX_AREA_FK100: fk,
          CTX_AREA_NK100: nk,
        },
        page > 0 ? { trCont: 'N' } : {},
      );
      const b = a.body as {
        output1?: Record<string, string>[];
        output2?: Record<string, string>[];
        ctx_area_fk100?: string;
        ctx_area_nk100?: string;
      };
      rows.push(...(b.output1 ?? []));
      summary = b.output2?.[0] ?? summary;
      // More pages only while KIS says so in the tr_cont header (M or F), with the keys of this page.
      if ((a.trCont !== 'M' && a.trCont !== 'F') || (b.output1 ?? []).length === 0) break;
      fk = b.ctx_area_fk100 ?? '';
      nk = b.ctx_area_nk100 ?? '';
    }
    return { rows, summary };
  }

  async account(): Promise<BrokerAccount> {
    const { summary } = await this.#balance();
    const cash = num(summary.dnca_tot_amt);
    return {
      id: `${this.#cano}-${this.#prdt}`,
      currency: 'KRW',
      cash,
      equity: num(summary.tot_evlu_amt),
      buyingPower: num(summary.prvs_rcdl_excc_amt ?? summary.dnca_tot_amt),
      mode: this.mode,
    };
  }

  async positions(): Promise<BrokerPosition[]> {
    const { rows } = await this.#balance();
    return rows
      .filter((r) => num(r.hldg_qty) !== 0)
      .map((r) => ({
        symbol: r.pdno,
        qty: num(r.hldg_qty),
        avgCost: num(r.pchs_avg_pric),
        last: num(r.prpr),
        unrealized: num(r.evlu_pfls_amt),
      }));
  }

  // Today's orders (inquire-daily-ccld): what open orders and a lookup after a restart read.
  async #daily(): Promise<Record<string, string>[]> {
    const ymd = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
    const a = await this.#call('GET', '/uapi/domestic-stock/v1/trading/inquire-daily-ccld', this.#trId('TTTC8001R'), {
      CANO: this.#cano,
      ACNT_PRDT_CD: this.#prdt,
      INQR_STRT_DT: ymd,
      INQR_END_DT: ymd,
      SLL_BUY_DVSN_CD: '00',
      INQR_DVSN: '00',
      PDNO: '',
      CCLD_DVSN: '00',
      ORD_GNO_BRNO: '',
      ODNO: '',
      INQR_DVSN_3: '00',
      INQR_DVSN_1: '',
      CTX_AREA_FK100: '',
      CTX_AREA_NK100: '',
    });
    return (a.body as { output1?: Record<string, string>[] }).output1 ?? [];
  }

  #fromDaily(r: Record<string, string>, clientOrderId: string): BrokerOrder {
    const qty = num(r.ord_qty);
    const filled = num(r.tot_ccld_qty) || 0;
    const cancelled = r.cncl_yn === 'Y';
    const remaining = num(r.rmn_qty);
    return {
      id: r.odno,
      clientOrderId,
      symbol: r.pdno,
      side: r.sll_buy_dvsn_cd === '01' ? 'sell' : 'buy',
      type: r.ord_dvsn_cd === '01' ? 'market' : 'limit',
      qty,
      limitPrice: r.ord_dvsn_cd === '01' ? null : num(r.ord_unpr),
      stopPrice: null,
      status: cancelled
        ? 'cancelled'
        : filled >= qty
          ? 'filled'
          : filled > 0
            ? 'partially-filled'
            : remaining === 0 && r.rjct_qty && num(r.rjct_qty) > 0
              ? 'rejected'
              : 'new',
      filledQty: filled,
      avgFillPrice: num(r.avg_prvs),
      time: r.ord_tmd ? kstTime(r.ord_tmd) : 0,
    };
  }

  #cid(odno: string): string {
    for (const [cid, v] of this.#byClient) if (v.odno === odno) return cid;
    return '';
  }

  async openOrders(): Promise<BrokerOrder[]> {
    return (await this.#daily())
      .map((r) => this.#fromDaily(r, this.#cid(r.odno)))
      .filter((o) => o.status === 'new' || o.status === 'partially-filled');
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    const known = this.#byClient.get(clientOrderId);
    const daily = await this.#daily();
    if (known) {
      const r = daily.find((x) => x.odno === known.odno);
      return r ? this.#fromDaily(r, clientOrderId) : null;
    }
    return null;
  }

  /**
   * After a restart: today's order matching an intent (symbol, side, qty, price, at or after `since`)
   * that no other client id claims. Null when none; a {@link BrokerError} when two could be it.
   */
  async matchIntent(
    clientOrderId: string,
    req: BrokerOrderRequest,
    since: number,
    claimed: ReadonlySet<string>,
    brokerOrderId?: string | null,
  ): Promise<BrokerOrder | null> {
    const daily = await this.#daily();
    const c = brokerOrderId
      ? daily.filter((r) => r.odno === brokerOrderId)
      : daily.filter(
          (r) =>
            r.pdno === req.symbol &&
            (r.sll_buy_dvsn_cd === '01') === (req.side === 'sell') &&
            num(r.ord_qty) === req.qty &&
            (req.type === 'market' || num(r.ord_unpr) === req.limitPrice) &&
            !claimed.has(r.odno) &&
            (!r.ord_tmd || kstTime(r.ord_tmd) >= since - CLOCK_SKEW_MS),
        );
    if (c.length > 1)
      throw new BrokerError(
        'kis',
        'ambiguous',
        `${c.length} orders today match ${req.side} ${req.qty} ${req.symbol}; not guessing which is ${clientOrderId}`,
        false,
      );
    if (c.length === 0) return null;
    this.#byClient.set(clientOrderId, {
      odno: c[0].odno,
      orgno: c[0].ord_gno_brno ?? '',
      req,
      time: since,
      filled: num(c[0].tot_ccld_qty) || 0,
      seen: new Set(),
    });
    return this.#fromDaily(c[0], clientOrderId);
  }

  async submit(req: BrokerOrderRequest): Promise<BrokerOrder> {
    if (req.type === 'stop')
      throw new BrokerError(
        'kis',
        'unsupported',
        'KIS cash orders have no stop type; use a limit or market order',
        false,
      );
    if (!Number.isInteger(req.qty))
      throw new BrokerError('kis', 'qty', `KIS trades whole shares: ${req.qty} is not an integer`, false);
    const body = {
      CANO: this.#cano,
      ACNT_PRDT_CD: this.#prdt,
      PDNO: req.symbol,
      ORD_DVSN: req.type === 'market' ? '01' : '00',
      ORD_QTY: String(req.qty),
      ORD_UNPR: req.type === 'market' ? '0' : String(req.limitPrice ?? 0),
    };
    const a = await this.#call(
      'POST',
      '/uapi/domestic-stock/v1/trading/order-cash',
      this.#trId(req.side === 'buy' ? 'TTTC0802U' : 'TTTC0801U'),
      body,
      { hashkey: true },
    );
    const out = (a.body as { output?: { ODNO?: string; KRX_FWDG_ORD_ORGNO?: string; ORD_TMD?: string } }).output ?? {};
    const odno = out.ODNO ?? '';
    const time = out.ORD_TMD ? kstTime(out.ORD_TMD) : Date.now();
    this.#byClient.set(req.clientOrderId, {
      odno,
      orgno: out.KRX_FWDG_ORD_ORGNO ?? '',
      req,
      time,
      filled: 0,
      seen: new Set(),
    });
    return {
      id: odno,
      clientOrderId: req.clientOrderId,
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      qty: req.qty,
      limitPrice: req.limitPrice ?? null,
      stopPrice: null,
      status: 'new',
      filledQty: 0,
      avgFillPrice: Number.NaN,
      time,
    };
  }

  async #rvsecncl(order: BrokerOrder, cancel: boolean, change: BrokerReplace): Promise<string> {
    const known = this.#byClient.get(order.clientOrderId);
    const body = {
      CANO: this.#cano,
      ACNT_PRDT_CD: this.#prdt,
      KRX_FWDG_ORD_ORGNO: known?.orgno ?? '',
      ORGN_ODNO: order.id,
      ORD_DVSN: order.type === 'market' ? '01' : '00',
      RVSE_CNCL_DVSN_CD: cancel ? '02' : '01',
      ORD_QTY: cancel ? '0' : String(change.qty ?? order.qty - order.filledQty),
      ORD_UNPR: cancel ? '0' : String(change.limitPrice ?? order.limitPrice ?? 0),
      QTY_ALL_ORD_YN: cancel || change.qty === undefined ? 'Y' : 'N',
    };
    const a = await this.#call(
      'POST',
      '/uapi/domestic-stock/v1/trading/order-rvsecncl',
      this.#trId('TTTC0803U'),
      body,
      { hashkey: true },
    );
    return ((a.body as { output?: { ODNO?: string } }).output ?? {}).ODNO ?? '';
  }

  async cancel(order: BrokerOrder): Promise<void> {
    await this.#rvsecncl(order, true, {});
  }

  async replace(order: BrokerOrder, change: BrokerReplace, newClientOrderId: string): Promise<BrokerOrder> {
    const odno = await this.#rvsecncl(order, false, change);
    const known = this.#byClient.get(order.clientOrderId);
    const req: BrokerOrderRequest = {
      clientOrderId: newClientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      qty: change.qty ?? order.qty - order.filledQty,
      limitPrice: change.limitPrice ?? order.limitPrice ?? undefined,
    };
    this.#byClient.set(newClientOrderId, {
      odno,
      orgno: known?.orgno ?? '',
      req,
      time: Date.now(),
      filled: 0,
      seen: new Set(),
    });
    return {
      ...order,
      id: odno,
      clientOrderId: newClientOrderId,
      qty: req.qty,
      limitPrice: req.limitPrice ?? null,
      status: 'new',
      filledQty: 0,
      avgFillPrice: Number.NaN,
    };
  }

  async #approval(): Promise<string> {
    const a = await request(
      'kis',
      'POST',
      `${this.#base}/oauth2/Approval`,
      {},
      { grant_type: 'client_credentials', appkey: this.#o.appKey, secretkey: this.#o.appSecret },
      this.#o.timeoutMs ?? 10_000,
    );
    const k = (a.body as { approval_key?: string } | null)?.approval_key;
    if (!k)
      throw new BrokerError(
        'kis',
        String(a.status),
        `approval key request refused (HTTP ${a.status})`,
        a.status >= 500,
      );
    return k;
  }

  /** Opens the execution notice (H0STCNI0, H0STCNI9 on 모의투자) and H0STCNT0 quotes of `symbols`; reconnects after a drop. */
  async subscribe(listener: StreamListener, symbols: readonly string[] = []): Promise<void> {
    if (!this.#o.htsId)
      throw new BrokerError(
        'kis',
        'no-hts-id',
        'set KIS_HTS_ID (your HTS login id): the execution notice is subscribed by it',
        false,
      );
    this.#closed = false;
    const url =
      this.#o.wsUrl ??
      (this.#o.baseUrl ? this.#base.replace(/^http/, 'ws') + '/ws' : this.#real ? KIS_REAL_WS : KIS_VIRTUAL_WS);
    const noticeTr = this.#real ? 'H0STCNI0' : 'H0STCNI9';
    let attempt = 0;
    const connect = async (): Promise<void> => {
      const approval = await this.#approval();
      await new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(url, { maxPayload: 1 << 20, handshakeTimeout: this.#o.timeoutMs ?? 10_000 });
        this.#ws = ws;
        let aes: { key: string; iv: string } | null = null;
        let open = false;
        const sub = (tr_id: string, tr_key: string) =>
          ws.send(
            JSON.stringify({
              header: { approval_key: approval, custtype: 'P', tr_type: '1', 'content-type': 'utf-8' },
              body: { input: { tr_id, tr_key } },
            }),
          );
        ws.on('open', () => {
          sub(noticeTr, this.#o.htsId!);
          for (const s of symbols) sub('H0STCNT0', s);
        });
        ws.on('message', (raw) => {
          const text = raw.toString();
          if (text[0] === '0' || text[0] === '1') {
            const [enc, trId, count, data] = text.split('|');
            if (trId === noticeTr && aes) {
              const u = this.#notice(enc === '1' ? kisDecrypt(aes.key, aes.iv, data) : data);
              if (u) listener.update(u);
            } else if (trId === 'H0STCNT0' && listener.quote) {
              const f = data.split('^');
              const per = f.length / Math.max(1, Number(count));
              for (let i = 0; i + per <= f.length; i += per)
                listener.quote({ symbol: f[i], time: kstTime(f[i + 1]), price: num(f[i + 2]), size: num(f[i + 12]) });
            }
            return;
          }
          let m: {
            header?: { tr_id?: string };
            body?: { rt_cd?: string; msg_cd?: string; msg1?: string; output?: { key?: string; iv?: string } };
          };
          try {
            m = JSON.parse(text);
          } catch {
            return;
          }
          if (m.header?.tr_id === 'PINGPONG') return void ws.send(text);
          if (m.header?.tr_id === noticeTr) {
            if (m.body?.rt_cd !== '0') {
              this.#closed = true;
              ws.close();
              return reject(
                new BrokerError(
                  'kis',
                  m.body?.msg_cd ?? 'subscribe',
                  `execution notice subscription refused: ${m.body?.msg1 ?? ''}`,
                  false,
                ),
              );
            }
            if (m.body.output?.key && m.body.output.iv) aes = { key: m.body.output.key, iv: m.body.output.iv };
            if (!open) {
              open = true;
              attempt = 0;
              listener.state('open');
              resolve();
            }
          }
        });
        ws.on('error', () => undefined);
        ws.on('close', () => {
          if (this.#ws === ws) this.#ws = null;
          if (this.#closed) return;
          listener.state('down', 'KIS WebSocket closed');
          if (!open) reject(new BrokerError('kis', 'stream', `could not open the KIS WebSocket at ${url}`, true));
          retry();
        });
      });
    };
    // A reconnect whose approval-key request fails never opens a socket (no close event): it schedules the next try itself.
    const retry = (): void => {
      const wait = Math.min(30_000, (this.#o.backoffMs ?? 250) * 2 ** attempt++);
      setTimeout(() => {
        if (!this.#closed) connect().catch(() => (this.#ws === null && !this.#closed ? retry() : undefined));
      }, wait).unref();
    };
    await connect();
  }

  // A decrypted execution notice → an update of the order it names. CNTG_YN 2 = a fill; 1 = order, modify,
  // cancel or refusal acknowledged (RFUS_YN 1 = refused; RCTF_CLS 2 = cancel).
  #notice(text: string): OrderUpdate | null {
    const f = text.split('^');
    if (f.length < 17) return null;
    const odno = f[N.order];
    const cid = this.#cid(odno) || this.#cid(f[N.origOrder]);
    const known = cid ? this.#byClient.get(cid) : undefined;
    const isFill = f[N.filled] === '2';
    const refused = f[N.refused] === '1';
    const cancel = f[N.rvse] === '2';
    const orderQty = num(f[N.orderQty]) || num(f[N.qty]);
    const side = f[N.side] === '01' ? 'sell' : 'buy';
    const time = kstTime(f[N.time]);
    // A notice has no id of its own: its order number, kind and fields identify it (a repeat is the same text).
    const eventId = `kis:${odno}:${f[N.filled]}:${f[N.refused]}:${f[N.rvse]}:${f[N.qty]}:${f[N.price]}:${f[N.time]}`;
    const fillQty = isFill ? num(f[N.qty]) : 0;
    let filled = fillQty;
    if (known) {
      if (isFill && !known.seen.has(eventId)) known.filled += fillQty;
      known.seen.add(eventId);
      filled = known.filled;
    }
    const status = refused
      ? 'rejected'
      : cancel
        ? 'cancelled'
        : isFill
          ? filled >= orderQty
            ? 'filled'
            : 'partially-filled'
          : 'new';
    const order: BrokerOrder = {
      id: cancel ? f[N.origOrder] || odno : odno,
      clientOrderId: cid,
      symbol: f[N.symbol],
      side,
      type: known?.req.type ?? 'limit',
      qty: orderQty,
      limitPrice: known?.req.limitPrice ?? null,
      stopPrice: null,
      status,
      filledQty: filled,
      avgFillPrice: isFill ? num(f[N.price]) : Number.NaN,
      time,
      ...(refused ? { reason: 'refused by KIS' } : {}),
    };
    const event: OrderUpdate['event'] = refused
      ? 'rejected'
      : cancel
        ? 'canceled'
        : isFill
          ? status === 'filled'
            ? 'fill'
            : 'partial_fill'
          : 'new';
    return { eventId, event, order, time, ...(isFill ? { execId: eventId, fillQty, fillPrice: num(f[N.price]) } : {}) };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#ws?.close();
    this.#ws = null;
  }
}

/** Options from `KIS_APP_KEY` / `KIS_APP_SECRET` / `KIS_ACCOUNT` (and `KIS_HTS_ID`); `mode: 'live'` selects the real environment. */
export function kisFromEnv(
  env: NodeJS.ProcessEnv,
  o: { baseUrl?: string; mode?: 'paper' | 'live'; account?: string } = {},
): KisOptions {
  const appKey = env.KIS_APP_KEY;
  const appSecret = env.KIS_APP_SECRET;
  const account = o.account ?? env.KIS_ACCOUNT;
  if (!appKey || !appSecret || !account)
    throw new BrokerError(
      'kis',
      'no-credentials',
      'set KIS_APP_KEY, KIS_APP_SECRET and KIS_ACCOUNT (12345678-01) in the environment',
      false,
    );
  return {
    appKey,
    appSecret,
    account,
    htsId: env.KIS_HTS_ID,
    env: o.mode === 'live' ? 'real' : 'virtual',
    baseUrl: o.baseUrl,
  };
}
