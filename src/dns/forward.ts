/**
 * Forwarding to upstream resolvers (CoreDNS's `forward` + `cache` plugins in one).
 *
 * - Upstreams are tried in turn (round-robin start), each with its own timeout; a truncated UDP
 *   reply is retried over TCP; SERVFAIL/REFUSED from one upstream moves on to the next.
 * - Replies are checked against the question and the upstream address before being accepted.
 * - Answers are cached for their smallest TTL (at most `maxTtl`), NXDOMAIN/NODATA for the SOA's
 *   negative TTL (at most `maxNegativeTtl`); cached answers are served with TTLs counted down.
 * - Identical questions in flight share one upstream query.
 * Every call settles: with the upstream's message, or `{ ok: false }` (the server then says SERVFAIL).
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '../log/logger.js';
import { Rcode, RRType, rcodeName } from './message/constants.js';
import { decodeMessage } from './message/decode.js';
import { encodeMessage } from './message/encode.js';
import { type Message, makeQuery, type Question, type ResourceRecord } from './message/message.js';
import { canonicalName } from './message/name.js';
import type { DnsMetrics } from './metrics.js';
import { formatUpstream, type Upstream } from './resolv-conf.js';

export interface ForwarderOptions {
  readonly upstreams: readonly Upstream[];
  /** Per upstream attempt (default 2000 ms). */
  readonly timeoutMs?: number;
  /** Cached questions at most (CoreDNS default 9984); 0 turns the cache off. */
  readonly cacheSize?: number;
  readonly maxTtl?: number;
  readonly maxNegativeTtl?: number;
  readonly metrics?: DnsMetrics;
  readonly log?: Logger;
  readonly now?: () => number;
}

export type ForwardResult =
  | { readonly ok: true; readonly message: Message; readonly cached: boolean }
  | { readonly ok: false; readonly error: string };

interface CacheEntry {
  readonly message: Message;
  readonly stored: number;
  readonly expires: number;
  readonly denial: boolean;
}

interface Pending {
  readonly name: string;
  readonly type: number;
  readonly upstream: Upstream;
  readonly resolve: (m: Message | undefined) => void;
}

const EDNS_SIZE = 1232;

/** Seconds a reply may be cached, and whether it is a denial; undefined: do not cache. */
export function cacheTtl(m: Message, maxTtl: number, maxNegativeTtl: number): { ttl: number; denial: boolean } | undefined {
  if (m.flags.tc) return undefined;
  if (m.rcode === Rcode.NOERROR && m.answers.length > 0) {
    let ttl = maxTtl;
    for (const r of [...m.answers, ...m.authorities]) ttl = Math.min(ttl, r.ttl);
    return ttl > 0 ? { ttl, denial: false } : undefined;
  }
  if (m.rcode === Rcode.NXDOMAIN || (m.rcode === Rcode.NOERROR && m.answers.length === 0)) {
    const soa = m.authorities.find((r) => r.type === RRType.SOA);
    if (!soa || soa.data.kind !== 'soa') return undefined;
    const ttl = Math.min(soa.ttl, soa.data.minimum, maxNegativeTtl);
    return ttl > 0 ? { ttl, denial: true } : undefined;
  }
  return undefined;
}

function ageRecords(rrs: readonly ResourceRecord[], by: number): ResourceRecord[] {
  return rrs.map((r) => ({ ...r, ttl: Math.max(0, r.ttl - by) }));
}

export class Forwarder {
  private readonly upstreams: readonly Upstream[];
  private readonly timeoutMs: number;
  private readonly cacheSize: number;
  private readonly maxTtl: number;
  private readonly maxNegativeTtl: number;
  private readonly metrics: DnsMetrics | undefined;
  private readonly log: Logger | undefined;
  private readonly now: () => number;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<ForwardResult>>();
  private readonly pending = new Map<number, Pending>();
  private sockets: { 4?: dgram.Socket; 6?: dgram.Socket } = {};
  private next = 0;
  private successEntries = 0;
  private denialEntries = 0;
  private closed = false;

  constructor(opts: ForwarderOptions) {
    this.upstreams = opts.upstreams;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.cacheSize = opts.cacheSize ?? 9984;
    this.maxTtl = opts.maxTtl ?? 3600;
    this.maxNegativeTtl = opts.maxNegativeTtl ?? 1800;
    this.metrics = opts.metrics;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    const server = this.metrics?.server ?? '';
    this.metrics?.cacheEntries.set([server, 'success', '.', ''], () => this.successEntries);
    this.metrics?.cacheEntries.set([server, 'denial', '.', ''], () => this.denialEntries);
  }

  get upstreamList(): readonly Upstream[] {
    return this.upstreams;
  }

  cacheLength(): number {
    return this.cache.size;
  }

  /** Resolves `q` upstream (or from the cache). Never rejects. */
  resolve(q: Question): Promise<ForwardResult> {
    const name = canonicalName(q.name);
    const key = `${q.type}/${q.class}/${name}`;
    const hit = this.fromCache(key);
    if (hit) return Promise.resolve({ ok: true, message: hit, cached: true });
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.query({ name, type: q.type, class: q.class }).then((r) => {
      this.inflight.delete(key);
      if (r.ok) this.store(key, r.message);
      return r;
    });
    this.inflight.set(key, p);
    return p;
  }

  private fromCache(key: string): Message | undefined {
    if (this.cacheSize === 0) return undefined;
    const server = this.metrics?.server ?? '';
    const e = this.cache.get(key);
    const now = this.now();
    if (!e || e.expires <= now) {
      if (e) this.evict(key, e);
      this.metrics?.cacheMisses.inc([server, '.', '']);
      return undefined;
    }
    this.metrics?.cacheHits.inc([server, e.denial ? 'denial' : 'success', '.', '']);
    const age = Math.floor((now - e.stored) / 1000);
    if (age === 0) return e.message;
    return { ...e.message, answers: ageRecords(e.message.answers, age), authorities: ageRecords(e.message.authorities, age), additionals: ageRecords(e.message.additionals, age) };
  }

  private evict(key: string, e: CacheEntry): void {
    this.cache.delete(key);
    if (e.denial) this.denialEntries--;
    else this.successEntries--;
  }

  private store(key: string, m: Message): void {
    if (this.cacheSize === 0) return;
    const t = cacheTtl(m, this.maxTtl, this.maxNegativeTtl);
    if (!t) return;
    const old = this.cache.get(key);
    if (old) this.evict(key, old);
    while (this.cache.size >= this.cacheSize) {
      const first = this.cache.entries().next();
      if (first.done) break;
      this.evict(first.value[0], first.value[1]);
    }
    const now = this.now();
    this.cache.set(key, { message: m, stored: now, expires: now + t.ttl * 1000, denial: t.denial });
    if (t.denial) this.denialEntries++;
    else this.successEntries++;
  }

  private async query(q: Question): Promise<ForwardResult> {
    if (this.closed) return { ok: false, error: 'forwarder closed' };
    if (this.upstreams.length === 0) return { ok: false, error: 'no upstream resolvers configured' };
    const start = this.next++ % this.upstreams.length;
    let last: ForwardResult = { ok: false, error: 'no upstream answered' };
    for (let i = 0; i < this.upstreams.length; i++) {
      const u = this.upstreams[(start + i) % this.upstreams.length];
      if (!u) continue;
      const to = formatUpstream(u);
      const began = performance.now();
      this.metrics?.forwardRequests.inc([to]);
      let m = await this.udpExchange(u, q);
      if (m?.flags.tc) m = await this.tcpExchange(u, q);
      const rcode = m ? rcodeName(m.rcode) : 'timeout';
      this.metrics?.forwardDuration.observe([to, rcode], (performance.now() - began) / 1000);
      if (!m) {
        this.log?.debug(`upstream ${to} did not answer ${q.name} ${q.type}`);
        this.metrics?.forwardHealthcheckFailures.inc([to]);
        last = { ok: false, error: `upstream ${to} timed out` };
        continue;
      }
      this.metrics?.forwardResponses.inc([to, rcode]);
      last = { ok: true, message: m, cached: false };
      if (m.rcode !== Rcode.SERVFAIL && m.rcode !== Rcode.REFUSED) return last;
    }
    return last;
  }

  private socket(family: 4 | 6): dgram.Socket {
    const existing = this.sockets[family];
    if (existing) return existing;
    const s = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
    s.on('message', (buf, rinfo) => this.onReply(buf, rinfo));
    s.on('error', (err) => this.log?.warn(`forward socket: ${err.message}`));
    s.unref();
    this.sockets[family] = s;
    return s;
  }

  private onReply(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    if (buf.length < 12) return;
    const id = buf.readUInt16BE(0);
    const p = this.pending.get(id);
    if (!p || rinfo.address !== p.upstream.host || rinfo.port !== p.upstream.port) return;
    const r = decodeMessage(buf);
    if (!r.ok || !r.message.flags.qr) return;
    const q = r.message.questions[0];
    // A reply without our question (or to another one) is not ours: keep waiting.
    if (!q || canonicalName(q.name) !== p.name || q.type !== p.type) return;
    this.pending.delete(id);
    p.resolve(r.message);
  }

  private freeId(): number {
    for (;;) {
      const id = randomInt(0, 65536);
      if (!this.pending.has(id)) return id;
    }
  }

  private udpExchange(u: Upstream, q: Question): Promise<Message | undefined> {
    return new Promise((resolve) => {
      const id = this.freeId();
      const bytes = encodeMessage(makeQuery({ id, name: q.name, type: q.type, class: q.class, edns: { udpSize: EDNS_SIZE, version: 0, dnssecOk: false, options: [] } })).bytes;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, this.timeoutMs);
      this.pending.set(id, {
        name: q.name,
        type: q.type,
        upstream: u,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      this.socket(u.family).send(bytes, u.port, u.host, (err) => {
        if (!err) return;
        this.log?.debug(`send to ${formatUpstream(u)} failed: ${err.message}`);
        const p = this.pending.get(id);
        if (p) {
          this.pending.delete(id);
          p.resolve(undefined);
        }
      });
    });
  }

  private tcpExchange(u: Upstream, q: Question): Promise<Message | undefined> {
    return new Promise((resolve) => {
      const id = this.freeId();
      const body = encodeMessage(makeQuery({ id, name: q.name, type: q.type, class: q.class, edns: false })).bytes;
      const frame = Buffer.alloc(2 + body.length);
      frame.writeUInt16BE(body.length, 0);
      body.copy(frame, 2);
      let acc = Buffer.alloc(0);
      let done = false;
      const finish = (m: Message | undefined): void => {
        if (done) return;
        done = true;
        sock.destroy();
        resolve(m);
      };
      const sock = net.connect({ host: u.host, port: u.port });
      sock.setTimeout(this.timeoutMs, () => finish(undefined));
      sock.on('error', () => finish(undefined));
      sock.on('close', () => finish(undefined));
      sock.on('connect', () => sock.write(frame));
      sock.on('data', (d: Buffer) => {
        acc = Buffer.concat([acc, d]);
        if (acc.length < 2) return;
        const len = acc.readUInt16BE(0);
        if (acc.length < 2 + len) return;
        const r = decodeMessage(acc.subarray(2, 2 + len));
        const rq = r.ok ? r.message.questions[0] : undefined;
        finish(r.ok && r.message.id === id && rq && canonicalName(rq.name) === q.name && rq.type === q.type ? r.message : undefined);
      });
    });
  }

  /** Fails every query in flight and releases the sockets. */
  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) p.resolve(undefined);
    this.pending.clear();
    for (const s of Object.values(this.sockets)) s?.close();
    this.sockets = {};
  }
}
