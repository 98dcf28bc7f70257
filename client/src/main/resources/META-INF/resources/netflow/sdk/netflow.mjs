// NetFlow client for browser and Node.js games: one ES module, no build step. Served by every node
// at /sdk/netflow.mjs. The same connection semantics as the Java client (io.netflow.client.NetflowClient):
//
//  - learns the mesh (GET /v1/mesh/nodes) and connects its WebSocket (/v1/stream) to the best node:
//    ready, in its region, least utilised;
//  - moves to the next best within a second when that node dies (the socket closes) or drains
//    (/ready answers 503, checked every checkIntervalMs), with jittered exponential backoff while
//    no node answers (a page on another origin needs the node's gateway.cors-origins to read
//    /v1/mesh/nodes and /ready; without it, it connects to the nodes it was given, in order, and
//    notices a node only when its socket closes);
//  - subscribes its topics again, and sends its unacknowledged CRITICAL and HIGH requests again
//    with the same ids, marked resend (the node that handled the first answers from memory);
//    NORMAL, MODEL and BULK sends that were on the lost connection fail (nothing de-duplicates them);
//  - a send the mesh refuses as busy (429, 503: codes 1007, 1008, 1009, 1011, 1012, 1021) is sent
//    again after the retryAfterMs it asked for, until its deadline; any other refusal rejects the
//    send with a MeshError carrying the stable code, never retried.
//
// Node.js 22 and browsers have a global WebSocket; on Node.js 20 run with --experimental-websocket
// or pass { WebSocket } from the 'ws' package. The API key goes in the WebSocket URL (?key=), as
// browsers cannot set headers on a WebSocket; use a key scoped to what the game may do.

const BUSY = new Set([1007, 1008, 1009, 1011, 1012, 1021]);

/** A refusal from the mesh, with its stable code (1001 MALFORMED, 1003 FORBIDDEN, 1007 RATE_LIMITED...). */
export class MeshError extends Error {
  constructor(code, error, message, retryAfterMs = 0) {
    super(`${error} (${code}): ${message}`);
    this.code = code;
    this.error = error;
    this.retryAfterMs = retryAfterMs;
  }

  /** Whether the same request may succeed later (429 and 503); any other 4xx says the request is wrong. */
  get retryable() {
    return BUSY.has(this.code);
  }

  static of(body, retryAfterMs = 0) {
    return new MeshError(body?.code ?? 1000, body?.error ?? 'INTERNAL', body?.message ?? '',
      body?.retryAfterMs > 0 ? body.retryAfterMs : retryAfterMs);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const newId = () => (globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`);

/** The mesh's nodes, best first, as one node describes them; failed ones last for 10 s. */
class MeshNodes {
  constructor(seeds, apiKey, region, timeoutMs, fetchFn) {
    if (!seeds?.length) throw new Error('at least one node URL is needed');
    this.seeds = seeds.map((s) => s.replace(/\/$/, ''));
    this.known = new Set(this.seeds);
    this.failedAt = new Map();
    this.apiKey = apiKey;
    this.region = region;
    this.timeoutMs = timeoutMs;
    this.fetch = fetchFn;
  }

  failed(node) {
    this.failedAt.set(node, Date.now());
  }

  failedLast(list) {
    const now = Date.now();
    for (const [n, t] of this.failedAt) if (now - t > 10_000) this.failedAt.delete(n);
    return [...list].sort((a, b) => Number(this.failedAt.has(a)) - Number(this.failedAt.has(b)));
  }

  async ranked() {
    for (const node of this.failedLast([...this.known, ...this.seeds])) {
      try {
        const r = await this.fetch(`${node}/v1/mesh/nodes`, {
          headers: { Authorization: `Bearer ${this.apiKey}` }, signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (r.status !== 200) continue;
        const view = await r.json();
        const ready = (n) => n.state === 'UP' && !n.stale;
        const load = (n) => Math.max(n.load?.cpu ?? 0,
          n.traffic?.concurrencyLimit > 0 ? (n.traffic.inFlight ?? 0) / n.traffic.concurrencyLimit : 0);
        const nodes = [...(view.nodes ?? [])].filter((n) => n.httpUrl).sort((a, b) =>
          (ready(b) - ready(a))
          || (Number(this.region != null && a.region !== this.region) - Number(this.region != null && b.region !== this.region))
          || (load(a) - load(b)));
        const order = [...new Set([...nodes.map((n) => n.httpUrl.replace(/\/$/, '')), ...this.seeds])];
        order.forEach((n) => this.known.add(n));
        return this.failedLast(order);
      } catch {
        this.failed(node);
      }
    }
    return this.failedLast([...this.known, ...this.seeds]);
  }
}

/**
 * A game's connection to the mesh.
 *
 * options: { nodes: [url...], apiKey, region?, timeoutMs = 2000, sendTimeoutMs = 30000,
 *            checkIntervalMs = 250, maxPending = 10000, WebSocket?, fetch? }
 */
export class NetflowClient {
  constructor(options) {
    this.options = { timeoutMs: 2000, sendTimeoutMs: 30_000, checkIntervalMs: 250, maxPending: 10_000, ...options };
    this.WebSocket = this.options.WebSocket ?? globalThis.WebSocket;
    this.fetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    if (!this.WebSocket) throw new Error('no WebSocket: on Node.js 20 run with --experimental-websocket or pass { WebSocket }');
    this.mesh = new MeshNodes(this.options.nodes, this.options.apiKey, this.options.region, this.options.timeoutMs, this.fetch);
    this.pending = new Map(); // id -> { message, resolve, reject, sentOn, timer }
    this.topics = new Map(); // topic -> handler
    this.nodeListeners = [];
    this.frameListeners = [];
    this.socket = null;
    this.current = null;
    this.closed = false;
    this.connecting = false;
    this.backoffMs = 0;
  }

  /** Connects to the best node and stays connected until close(); resolves with the node's URL. */
  connect() {
    this.first ??= new Promise((resolve) => { this.firstResolve = resolve; });
    this.checker = setInterval(() => this.checkDraining(), this.options.checkIntervalMs);
    this.reconnect();
    return this.first;
  }

  /** The node in use now (null between connections). */
  get node() {
    return this.socket ? this.current : null;
  }

  /** Called with each node connected to, and with null when one is lost. */
  onNode(listener) {
    this.nodeListeners.push(listener);
  }

  /** Called with every frame that is not an answer to a send (subscribed, dropped, model...). */
  onFrame(listener) {
    this.frameListeners.push(listener);
  }

  /**
   * Sends { service | topic, payload?, priority = 'NORMAL', key?, id?, timeoutMs?, headers? };
   * resolves with the acknowledgement { id, status, node, attempts, reply }, rejects with a MeshError.
   */
  send(message) {
    if (this.closed) return Promise.reject(new Error('the client is closed'));
    if (this.pending.size >= this.options.maxPending) {
      return Promise.reject(new MeshError(1021, 'LIMIT_REACHED', `${this.options.maxPending} sends wait for an acknowledgement (maxPending)`, 1000));
    }
    const m = { priority: 'NORMAL', payload: '', ...message, id: message.id ?? newId() };
    if (this.pending.has(m.id)) return Promise.reject(new Error(`a send with id ${m.id} already waits for its acknowledgement`));
    return new Promise((resolve, reject) => {
      const p = { message: m, resolve, reject, sentOn: null };
      p.timer = setTimeout(() => this.fail(m.id, new MeshError(1010, 'TIMEOUT', `no acknowledgement within ${this.options.sendTimeoutMs} ms`)),
        this.options.sendTimeoutMs);
      this.pending.set(m.id, p);
      this.transmit(p, false);
    });
  }

  /** Subscribes to a topic for as long as the client lives, again on every node it moves to. */
  subscribe(topic, handler) {
    const fresh = !this.topics.has(topic);
    this.topics.set(topic, handler);
    if (fresh) this.write({ op: 'subscribe', topic });
  }

  unsubscribe(topic) {
    if (this.topics.delete(topic)) this.write({ op: 'unsubscribe', topic });
  }

  /**
   * An HTTP request to the best node that answers (the next one on a connection failure), waiting
   * as long as a 429 or 503 asks, until deadlineMs; resolves with the JSON body of a 2xx, rejects
   * with the MeshError of anything else.
   */
  async request(method, path, body, { deadlineMs = this.options.sendTimeoutMs } = {}) {
    const until = Date.now() + deadlineMs;
    for (;;) {
      let answer = null;
      for (const node of await this.mesh.ranked()) {
        try {
          const r = await this.fetch(`${node}${path}`, {
            method, signal: AbortSignal.timeout(this.options.timeoutMs),
            headers: { Authorization: `Bearer ${this.options.apiKey}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
            body: body !== undefined ? JSON.stringify(body) : undefined,
          });
          const text = await r.text();
          answer = { status: r.status, body: text ? JSON.parse(text) : {}, retryAfterS: Number(r.headers.get('retry-after') ?? 0) };
          break;
        } catch {
          this.mesh.failed(node);
        }
      }
      if (answer && answer.status < 300) return answer.body;
      const error = answer ? MeshError.of(answer.body, answer.retryAfterS * 1000) : new MeshError(1009, 'NOT_READY', 'no node answered', 1000);
      const busy = !answer || answer.status === 429 || answer.status === 503;
      const wait = Math.max(50, error.retryAfterMs || 1000);
      if (!busy || Date.now() + wait > until) throw error;
      await sleep(wait);
    }
  }

  close() {
    this.closed = true;
    clearInterval(this.checker);
    const ws = this.socket;
    this.socket = null;
    ws?.close(1000, 'closed');
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('the client is closed'));
      this.pending.delete(id);
    }
  }

  async reconnect() {
    if (this.closed || this.connecting) return;
    this.connecting = true;
    try {
      while (!this.closed) {
        for (const node of await this.mesh.ranked()) {
          if (this.closed) return;
          const ws = await this.open(node);
          if (ws) {
            this.backoffMs = 0;
            this.connected(node, ws);
            return;
          }
          this.mesh.failed(node);
        }
        this.backoffMs = Math.min(2000, Math.max(50, this.backoffMs * 2));
        await sleep(this.backoffMs / 2 + Math.random() * this.backoffMs / 2);
      }
    } finally {
      this.connecting = false;
    }
  }

  /** Opens a WebSocket to one node; resolves with it once open, or null. */
  open(node) {
    return new Promise((resolve) => {
      let ws;
      try {
        ws = new this.WebSocket(`${node.replace(/^http/, 'ws')}/v1/stream?key=${encodeURIComponent(this.options.apiKey)}`);
      } catch {
        resolve(null);
        return;
      }
      const timer = setTimeout(() => { ws.close(); resolve(null); }, this.options.timeoutMs);
      ws.onopen = () => { clearTimeout(timer); resolve(ws); };
      ws.onerror = () => { clearTimeout(timer); resolve(null); this.lost(ws); };
      ws.onclose = () => { clearTimeout(timer); resolve(null); this.lost(ws); };
      ws.onmessage = (event) => {
        let frame;
        try {
          frame = JSON.parse(typeof event.data === 'string' ? event.data : String(event.data));
        } catch {
          return; // not a frame of the protocol
        }
        this.dispatch(frame);
      };
    });
  }

  connected(node, ws) {
    this.current = node;
    this.socket = ws;
    for (const topic of this.topics.keys()) this.write({ op: 'subscribe', topic });
    for (const p of [...this.pending.values()]) {
      const resendable = p.message.service != null && (p.message.priority === 'CRITICAL' || p.message.priority === 'HIGH');
      if (p.sentOn == null || p.sentOn === ws || resendable) {
        this.transmit(p, false);
      } else {
        this.fail(p.message.id, new MeshError(1011, 'NO_HANDLERS',
          `the connection was lost before the acknowledgement; ${p.message.priority} sends are not sent again`));
      }
    }
    this.nodeListeners.forEach((l) => l(node));
    this.firstResolve?.(node);
    this.firstResolve = null;
  }

  lost(ws) {
    if (!ws || ws !== this.socket) return;
    this.socket = null;
    this.mesh.failed(this.current);
    try { ws.close(); } catch { /* already closed */ }
    this.nodeListeners.forEach((l) => l(null));
    this.reconnect();
  }

  async checkDraining() {
    const ws = this.socket;
    const node = this.current;
    if (!ws || !node || this.closed || this.checking) return;
    this.checking = true;
    try {
      const r = await this.fetch(`${node}/ready`, { signal: AbortSignal.timeout(this.options.timeoutMs) });
      await r.body?.cancel?.();
      this.unreachable = 0;
      this.readyReadable = true;
      if (r.status === 503) this.lost(ws);
    } catch {
      // Unreachable twice in a row while the socket stays open (a browser page on another origin
      // without gateway.cors-origins cannot read /ready at all: it relies on the socket alone).
      if (++this.unreachable >= 2 && this.readyReadable) this.lost(ws);
    } finally {
      this.checking = false;
    }
  }

  /** Sends a frame for a pending send: once per connection unless `again` (a retry the mesh asked for). */
  transmit(p, again) {
    const ws = this.socket;
    if (!ws || ws.readyState !== 1) return;
    if (p.sentOn === ws && !again) return;
    // Once sent again after a lost connection, every later try is a copy too (a retry the mesh
    // asked for included): the first may have been applied.
    if (p.sentOn != null && p.sentOn !== ws && !again) p.copy = true;
    const resend = p.copy === true;
    p.sentOn = ws;
    const m = p.message;
    const frame = { op: 'send', id: m.id, priority: m.priority, payload: m.payload };
    for (const f of ['service', 'topic', 'key', 'timeoutMs', 'headers']) if (m[f] != null) frame[f] = m[f];
    if (resend) frame.resend = true;
    ws.send(JSON.stringify(frame));
  }

  write(frame) {
    const ws = this.socket;
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame));
  }

  fail(id, error) {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.reject(error);
  }

  dispatch(f) {
    if (f.op === 'ack') {
      const p = this.pending.get(f.id);
      if (!p) return;
      this.pending.delete(f.id);
      clearTimeout(p.timer);
      p.resolve({ id: f.id, status: f.status, node: f.node ?? null, attempts: f.attempts ?? 0, reply: f.reply ?? null });
    } else if (f.op === 'error' && f.id != null && this.pending.has(f.id)) {
      const p = this.pending.get(f.id);
      const error = MeshError.of(f, 1000);
      if (!error.retryable) {
        this.fail(f.id, error);
        return;
      }
      setTimeout(() => { if (this.pending.get(f.id) === p) this.transmit(p, true); }, Math.max(1, error.retryAfterMs));
    } else if (f.op === 'message') {
      this.topics.get(f.topic)?.({ topic: f.topic, id: f.id, payload: f.payload });
    } else {
      this.frameListeners.forEach((l) => l(f));
    }
  }
}
