import { createCipheriv, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/** A fault the next matching request gets: no answer, KIS's over-limit answer, a 5xx, or an expired token. */
export type KisFault = 'timeout' | 'accept-then-timeout' | 'EGW00201' | 500 | 'EGW00123';

interface FakeKisOrder {
  odno: string;
  orgno: string;
  pdno: string;
  side: 'buy' | 'sell';
  dvsn: string;
  qty: number;
  price: number;
  filled: number;
  notional: number;
  cancelled: boolean;
  rejected: boolean;
  time: string;
}

/**
 * A local server speaking the KIS Open API formats (tokenP, hashkey, order-cash, order-rvsecncl,
 * inquire-balance, inquire-daily-ccld, Approval, and the WebSocket with AES-256-CBC execution notices
 * and H0STCNT0 quotes), with faults: timeouts, EGW00201, 5xx, an expired token, a dropped stream,
 * duplicated and out-of-order notices. Loopback only.
 */
export class FakeKis {
  readonly orders = new Map<string, FakeKisOrder>();
  readonly holdings = new Map<string, { qty: number; avg: number; last: number }>();
  cash = 10_000_000;
  /** Holdings per inquire-balance page (KIS pages with the tr_cont header and CTX_AREA keys). */
  balancePageSize = 50;
  /** order-cash requests that reached the server. */
  posts = 0;
  /** Tokens issued (each tokenP call). */
  tokensIssued = 0;
  /** tr_ids and hashkeys the order requests carried, in order. */
  readonly orderHeaders: { trId: string; hashkey: string | undefined }[] = [];
  readonly #faults: { route: string; fault: KisFault }[] = [];
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #clients = new Set<WebSocket>();
  readonly #sent: string[] = [];
  readonly #aesKey = randomBytes(16).toString('hex'); // 32 characters
  readonly #aesIv = randomBytes(8).toString('hex'); // 16 characters
  #validToken = '';
  #approval = '';
  #seq = 0;
  // Seconds of the Korean day: notices and order times read like today's.
  #clock = Math.floor(((Date.now() + 9 * 3_600_000) % 86_400_000) / 1000);
  url = '';

  constructor(
    readonly appKey = 'kis-key',
    readonly appSecret = 'kis-secret',
    readonly account = '50000000-01',
    readonly htsId = 'htsuser',
  ) {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#wss = new WebSocketServer({ noServer: true });
    this.#server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/ws') return socket.destroy();
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#stream(ws));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const c of this.#clients) c.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  /** The next request to `route` (a path such as `/uapi/domestic-stock/v1/trading/order-cash`) gets `fault`. */
  fault(route: string, fault: KisFault): void {
    this.#faults.push({ route, fault });
  }

  /** Expires the current token: the next call with it gets EGW00123. */
  expireToken(): void {
    this.#validToken = 'expired-' + this.#validToken;
  }

  get streamClients(): number {
    return this.#clients.size;
  }

  dropStream(): void {
    for (const c of this.#clients) c.terminate();
  }

  setHolding(pdno: string, qty: number, avg: number, last = avg): void {
    if (qty === 0) this.holdings.delete(pdno);
    else this.holdings.set(pdno, { qty, avg, last });
  }

  #hhmmss(): string {
    this.#clock += 1;
    const s = this.#clock;
    return `${String(Math.floor(s / 3600) % 24).padStart(2, '0')}${String(Math.floor(s / 60) % 60).padStart(2, '0')}${String(s % 60).padStart(2, '0')}`;
  }

  /** Fills `qty` of order `odno` at `price` and pushes the encrypted execution notice. */
  fill(odno: string, qty: number, price: number): void {
    const o = this.orders.get(odno)!;
    const q = Math.min(qty, o.qty - o.filled);
    o.filled += q;
    o.notional += q * price;
    const h = this.holdings.get(o.pdno) ?? { qty: 0, avg: 0, last: price };
    const signed = o.side === 'buy' ? q : -q;
    if (signed > 0) h.avg = (h.qty * h.avg + q * price) / (h.qty + q);
    h.qty += signed;
    h.last = price;
    if (h.qty === 0) this.holdings.delete(o.pdno);
    else this.holdings.set(o.pdno, h);
    this.cash -= signed * price;
    this.#notice(o, { filled: true, qty: q, price });
  }

  reject(odno: string): void {
    const o = this.orders.get(odno)!;
    o.rejected = true;
    this.#notice(o, { refused: true });
  }

  repeatLast(): void {
    const m = this.#sent.at(-1);
    if (m) for (const c of this.#clients) c.send(m);
  }

  replayOld(back: number): void {
    const m = this.#sent.at(-back);
    if (m) for (const c of this.#clients) c.send(m);
  }

  /** Pushes one H0STCNT0 trade print. */
  quote(pdno: string, price: number, size: number): void {
    const f = new Array(46).fill('0');
    f[0] = pdno;
    f[1] = this.#hhmmss();
    f[2] = String(price);
    f[12] = String(size);
    const m = `0|H0STCNT0|001|${f.join('^')}`;
    for (const c of this.#clients) c.send(m);
  }

  #notice(
    o: FakeKisOrder,
    k: { filled?: boolean; qty?: number; price?: number; refused?: boolean; cancel?: boolean },
  ): void {
    const f = new Array(26).fill('');
    f[0] = this.htsId;
    f[1] = this.account.replace('-', '');
    f[2] = o.odno;
    f[3] = k.cancel ? o.odno : '';
    f[4] = o.side === 'sell' ? '01' : '02';
    f[5] = k.cancel ? '2' : '0';
    f[6] = '0';
    f[7] = '0';
    f[8] = o.pdno;
    f[9] = String(k.filled ? k.qty : o.qty);
    f[10] = String(k.filled ? k.price : o.price);
    f[11] = this.#hhmmss();
    f[12] = k.refused ? '1' : '0';
    f[13] = k.filled ? '2' : '1';
    f[14] = '1';
    f[15] = '00950';
    f[16] = String(o.qty);
    f[17] = 'TEST';
    const c = createCipheriv('aes-256-cbc', Buffer.from(this.#aesKey, 'utf8'), Buffer.from(this.#aesIv, 'utf8'));
    const payload = Buffer.concat([c.update(f.join('^'), 'utf8'), c.final()]).toString('base64');
    const m = `1|H0STCNI9|001|${payload}`;
    this.#sent.push(m);
    for (const ws of this.#clients) ws.send(m);
  }

  #stream(ws: WebSocket): void {
    ws.on('message', (raw) => {
      let m: {
        header?: { approval_key?: string; tr_type?: string };
        body?: { input?: { tr_id?: string; tr_key?: string } };
      };
      try {
        m = JSON.parse(raw.toString());
      } catch {
        return;
      }
      const tr = m.body?.input?.tr_id ?? '';
      const ok = m.header?.approval_key === this.#approval && this.#approval !== '';
      const body = ok
        ? { rt_cd: '0', msg_cd: 'OPSP0000', msg1: 'SUBSCRIBE SUCCESS', output: { iv: this.#aesIv, key: this.#aesKey } }
        : { rt_cd: '1', msg_cd: 'OPSP0011', msg1: 'invalid approval : NOT FOUND' };
      ws.send(JSON.stringify({ header: { tr_id: tr, tr_key: m.body?.input?.tr_key, encrypt: 'N' }, body }));
      if (ok && (tr === 'H0STCNI9' || tr === 'H0STCNI0')) this.#clients.add(ws);
      if (ok && tr === 'H0STCNT0') this.#clients.add(ws);
    });
    ws.on('close', () => this.#clients.delete(ws));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const fi = this.#faults.findIndex((f) => f.route === url.pathname);
    const fault = fi >= 0 ? this.#faults.splice(fi, 1)[0].fault : null;
    if (fault === 'timeout') return;
    if (fault === 500) return send(500, { message: 'internal error' });
    if (fault === 'EGW00201')
      return send(500, { rt_cd: '1', msg_cd: 'EGW00201', msg1: '초당 거래건수를 초과하였습니다.' });
    if (fault === 'EGW00123') this.expireToken();
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, string>) : {};
    const h = req.headers;
    if (url.pathname === '/oauth2/tokenP') {
      if (body.appkey !== this.appKey || body.appsecret !== this.appSecret)
        return send(403, { error_code: 'EGW00103', error_description: '유효하지 않은 AppKey입니다.' });
      this.tokensIssued++;
      this.#validToken = randomBytes(12).toString('hex');
      return send(200, {
        access_token: this.#validToken,
        token_type: 'Bearer',
        expires_in: 86400,
        access_token_token_expired: '2026-12-04 09:00:00',
      });
    }
    if (url.pathname === '/oauth2/Approval') {
      if (body.appkey !== this.appKey || body.secretkey !== this.appSecret)
        return send(403, { error_code: 'EGW00103', error_description: '유효하지 않은 AppKey입니다.' });
      this.#approval = randomBytes(8).toString('hex');
      return send(200, { approval_key: this.#approval });
    }
    if (url.pathname === '/uapi/hashkey')
      return send(200, {
        JsonBody: body,
        HASH: 'h' + Buffer.from(JSON.stringify(body)).toString('base64').slice(0, 20),
      });
    if (h.authorization !== `Bearer ${this.#validToken}`) {
      return h.authorization?.startsWith('Bearer ')
        ? send(500, { rt_cd: '1', msg_cd: 'EGW00123', msg1: '기간이 만료된 token 입니다.' })
        : send(500, { rt_cd: '1', msg_cd: 'EGW00121', msg1: '유효하지 않은 token 입니다.' });
    }
    const tr = String(h.tr_id ?? '');
    if (url.pathname.endsWith('/order-cash')) {
      this.posts++;
      this.orderHeaders.push({ trId: tr, hashkey: h.hashkey as string | undefined });
      if (!['VTTC0802U', 'VTTC0801U', 'TTTC0802U', 'TTTC0801U'].includes(tr))
        return send(500, { rt_cd: '1', msg_cd: 'EGW00205', msg1: 'tr_id 오류' });
      if (!/^\d+$/.test(body.ORD_QTY ?? '') || Number(body.ORD_QTY) <= 0)
        return send(200, { rt_cd: '1', msg_cd: 'APBK0506', msg1: '주문수량을 확인하세요.' });
      const side = tr.endsWith('0802U') ? 'buy' : 'sell';
      if (side === 'buy' && Number(body.ORD_QTY) * Number(body.ORD_UNPR || 0) > this.cash)
        return send(200, { rt_cd: '1', msg_cd: '40250000', msg1: '모의투자 주문가능금액을 초과 했습니다' });
      const odno = String(++this.#seq).padStart(10, '0');
      const o: FakeKisOrder = {
        odno,
        orgno: '00950',
        pdno: body.PDNO,
        side,
        dvsn: body.ORD_DVSN,
        qty: Number(body.ORD_QTY),
        price: Number(body.ORD_UNPR),
        filled: 0,
        notional: 0,
        cancelled: false,
        rejected: false,
        time: this.#hhmmss(),
      };
      this.orders.set(odno, o);
      this.#notice(o, {});
      if (fault === 'accept-then-timeout') return;
      return send(200, {
        rt_cd: '0',
        msg_cd: 'APBK0013',
        msg1: '주문 전송 완료 되었습니다.',
        output: { KRX_FWDG_ORD_ORGNO: o.orgno, ODNO: odno, ORD_TMD: o.time },
      });
    }
    if (url.pathname.endsWith('/order-rvsecncl')) {
      const o = this.orders.get(body.ORGN_ODNO);
      if (!o || o.cancelled || o.filled >= o.qty)
        return send(200, { rt_cd: '1', msg_cd: 'APBK0344', msg1: '정정취소 가능수량이 없습니다.' });
      const odno = String(++this.#seq).padStart(10, '0');
      if (body.RVSE_CNCL_DVSN_CD === '02') {
        o.cancelled = true;
        this.#notice(o, { cancel: true });
      } else {
        o.cancelled = true;
        const n = {
          ...o,
          odno,
          cancelled: false,
          qty: body.QTY_ALL_ORD_YN === 'Y' ? o.qty - o.filled : Number(body.ORD_QTY),
          price: Number(body.ORD_UNPR),
          filled: 0,
          notional: 0,
        };
        this.orders.set(odno, n);
      }
      return send(200, {
        rt_cd: '0',
        msg_cd: 'APBK0013',
        msg1: '주문 전송 완료 되었습니다.',
        output: { KRX_FWDG_ORD_ORGNO: o.orgno, ODNO: odno, ORD_TMD: this.#hhmmss() },
      });
    }
    if (url.pathname.endsWith('/inquire-balance')) {
      let evlu = 0;
      const all = [...this.holdings].map(([pdno, x]) => {
        evlu += x.qty * x.last;
        return {
          pdno,
          prdt_name: pdno,
          hldg_qty: String(x.qty),
          pchs_avg_pric: String(x.avg),
          prpr: String(x.last),
          evlu_pfls_amt: String(Math.round(x.qty * (x.last - x.avg))),
        };
      });
      const from = Number(url.searchParams.get('CTX_AREA_NK100') || 0);
      const output1 = all.slice(from, from + this.balancePageSize);
      const more = from + this.balancePageSize < all.length;
      res.setHeader('tr_cont', more ? 'M' : 'D');
      return send(200, {
        rt_cd: '0',
        msg_cd: 'KIOK0510',
        msg1: '조회가 완료되었습니다',
        ctx_area_fk100: 'fk',
        ctx_area_nk100: String(from + output1.length),
        output1,
        output2: [
          {
            dnca_tot_amt: String(this.cash),
            prvs_rcdl_excc_amt: String(this.cash),
            tot_evlu_amt: String(this.cash + evlu),
          },
        ],
      });
    }
    if (url.pathname.endsWith('/inquire-daily-ccld')) {
      const output1 = [...this.orders.values()].map((o) => ({
        odno: o.odno,
        ord_gno_brno: o.orgno,
        pdno: o.pdno,
        sll_buy_dvsn_cd: o.side === 'sell' ? '01' : '02',
        ord_dvsn_cd: o.dvsn,
        ord_qty: String(o.qty),
        ord_unpr: String(o.price),
        tot_ccld_qty: String(o.filled),
        avg_prvs: o.filled ? String(o.notional / o.filled) : '0',
        rmn_qty: String(o.cancelled || o.rejected ? 0 : o.qty - o.filled),
        cncl_yn: o.cancelled ? 'Y' : 'N',
        rjct_qty: o.rejected ? String(o.qty) : '0',
        ord_tmd: o.time,
      }));
      return send(200, { rt_cd: '0', msg_cd: 'KIOK0510', msg1: '조회가 완료되었습니다', output1 });
    }
    return send(404, { rt_cd: '1', msg_cd: 'EGW00202', msg1: `no such API ${url.pathname}` });
  }
}
