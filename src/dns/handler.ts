/**
 * One DNS query in, one response out (or nothing, for packets that are not queries).
 *
 * Pipeline: parse → (SERVFAIL while the owning backend has not synced) → autopath for known pod
 * clients → backends → upstream forwarder. Every query that can be parsed gets an answer:
 * malformed ones FORMERR, other opcodes NOTIMP, EDNS versions above 0 BADVERS, upstream
 * failure SERVFAIL.
 *
 * Hot path: a backend answer is stored as its wire bytes after the question section (names
 * compressed against the question at offset 12). A repeat of the question — same name in any
 * case, same type — is answered by copying the client's header ID and question bytes in front of
 * the stored bytes, without decoding or encoding. An answer larger than what a client accepts
 * (512 bytes, its EDNS size) is stored cut to that size too, so truncated answers repeat as
 * cheaply. Entries are dropped as soon as the backend's generation moves.
 */
import { type BackendResult, type DnsBackend } from './backend.js';
import type { Forwarder } from './forward.js';
import { Opcode, Rcode, RRClass, RRType, rcodeName, typeName } from './message/constants.js';
import { decodeMessage, type Header } from './message/decode.js';
import { encodeMessage } from './message/encode.js';
import type { Edns, Message, Question, ResourceRecord } from './message/message.js';
import { canonicalName, isSubdomain } from './message/name.js';
import { questionHash, QuestionTable } from './question-table.js';
import { type CounterSeries, type DnsMetrics, type HistogramSeries, metricType } from './metrics.js';
import type { Logger } from '../log/logger.js';

export interface ClientInfo {
  readonly address: string;
  readonly port: number;
  readonly proto: 'udp' | 'tcp';
}

/** What the transports need: one packet in, the response (or nothing) out. Never throws. */
export interface PacketHandler {
  handle(pkt: Buffer, client: ClientInfo): Buffer | undefined | Promise<Buffer | undefined>;
}

export interface QueryHandlerOptions {
  /** Tried in order; the first that does not pass answers. */
  readonly backends: readonly DnsBackend[];
  /** Names no backend owns go here; without one they are REFUSED. */
  readonly forwarder?: Forwarder;
  readonly metrics: DnsMetrics;
  readonly log?: Logger;
  /** One line per query, CoreDNS `log` plugin format. */
  readonly logQueries?: boolean;
  /** Randomise the order of A/AAAA/SRV records in each answer (CoreDNS `loadbalance`). */
  readonly shuffle?: boolean;
  /** The host's search domains, walked by autopath after the cluster ones. */
  readonly hostSearch?: readonly string[];
  /** The UDP payload size we advertise and accept at most (default 1232). */
  readonly ednsSize?: number;
  /** Most stored wire answers (default 50,000; 0 turns the wire-answer cache off). */
  readonly answerCacheSize?: number;
}

interface Resolution {
  readonly rcode: number;
  readonly aa: boolean;
  readonly answer: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
  readonly additional: readonly ResourceRecord[];
  /** Label of coredns_dns_responses_total{plugin}. */
  readonly plugin: string;
  /** Set when the answer came straight from a backend and may be stored for that generation. */
  readonly from?: { readonly backend: DnsBackend; readonly gen: number };
}

/** A stored response minus header ID and question: flags, section counts, the bytes after the question. */
interface WireBody {
  /** Header bits 16-31 without RD/CD (copied from each query). */
  readonly flags: number;
  readonly an: number;
  readonly ns: number;
  readonly ar: number;
  /** Everything after the question, without OPT. */
  readonly tail: Buffer;
}

interface WireAnswer {
  readonly backend: DnsBackend;
  readonly gen: number;
  /** The whole answer. */
  readonly full: WireBody;
  /**
   * The answer cut down (TC set, or additionals dropped) for clients that leave less room than
   * `full` needs, keyed by that room: bytes for question and records, the OPT record not counted.
   * Created on first need; most clients use one of a few sizes (512, 1232, ...).
   */
  cut: Map<number, WireBody> | undefined;
  readonly rcode: number;
  readonly plugin: string;
  readonly typeLabel: string;
  /** Metric series per (proto, family), filled on first use: udp/v4, udp/v6, tcp/v4, tcp/v6. */
  readonly slots: (BoundMetrics | undefined)[];
}

/** The metric series one kind of response touches, resolved once instead of per query. */
interface BoundMetrics {
  readonly req: CounterSeries;
  readonly resp: CounterSeries;
  readonly dur: HistogramSeries;
  readonly reqSize: HistogramSeries;
  readonly respSize: HistogramSeries;
}

const HEADER = 12;
/** Byte copy; a plain loop beats Buffer#copy's checks for the few dozen bytes of a header or question. */
function copyBytes(src: Buffer, start: number, end: number, dst: Buffer, at: number): void {
  if (end - start > 96) {
    src.copy(dst, at, start, end);
    return;
  }
  for (let i = start; i < end; i++) dst[at++] = src[i] as number;
}

const SHUFFLED_TYPES = new Set<number>([RRType.A, RRType.AAAA, RRType.SRV]);

function empty(rcode: number, plugin: string): Resolution {
  return { rcode, aa: false, answer: [], authority: [], additional: [], plugin };
}

/** Byte offset just past the (uncompressed) question name at 12, or -1. */
function questionNameEnd(pkt: Buffer): number {
  let pos = HEADER;
  for (;;) {
    const l = pkt[pos];
    if (l === undefined || l > 63) return -1;
    if (l === 0) return pos + 1;
    pos += l + 1;
  }
}

function shuffled(rrs: readonly ResourceRecord[]): ResourceRecord[] {
  const head = rrs.filter((r) => !SHUFFLED_TYPES.has(r.type));
  const rest = rrs.filter((r) => SHUFFLED_TYPES.has(r.type));
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = rest[i];
    rest[i] = rest[j] as ResourceRecord;
    rest[j] = t as ResourceRecord;
  }
  return [...head, ...rest];
}

function flagsText(m: Message): string {
  const f = m.flags;
  return [f.qr && 'qr', f.aa && 'aa', f.tc && 'tc', f.rd && 'rd', f.ra && 'ra', f.ad && 'ad', f.cd && 'cd'].filter(Boolean).join(',');
}

export class QueryHandler implements PacketHandler {
  private readonly backends: readonly DnsBackend[];
  private readonly forwarder: Forwarder | undefined;
  private readonly metrics: DnsMetrics;
  private readonly server: string;
  private readonly log: Logger | undefined;
  private readonly logQueries: boolean;
  private readonly shuffle: boolean;
  private readonly hostSearch: readonly string[];
  private readonly ednsSize: number;
  private readonly wire: QuestionTable<WireAnswer>;

  constructor(opts: QueryHandlerOptions) {
    this.backends = opts.backends;
    this.forwarder = opts.forwarder;
    this.metrics = opts.metrics;
    this.server = opts.metrics.server;
    this.log = opts.log;
    this.logQueries = opts.logQueries ?? false;
    this.shuffle = opts.shuffle ?? false;
    this.hostSearch = opts.hostSearch ?? [];
    this.ednsSize = Math.max(512, opts.ednsSize ?? 1232);
    this.wire = new QuestionTable(opts.answerCacheSize ?? 50_000);
  }

  /**
   * The response to one packet, or undefined when there is nothing to say (a response, or fewer
   * than 12 bytes). Never throws and never rejects: internal failures become SERVFAIL.
   */
  handle(pkt: Buffer, client: ClientInfo): Buffer | undefined | Promise<Buffer | undefined> {
    const started = performance.now();
    try {
      const fast = this.fromWire(pkt, client, started);
      if (fast) return fast;
    } catch (err) {
      this.panic(err);
    }
    return this.slow(pkt, client, started).catch((err: unknown) => {
      this.panic(err);
      return this.failure(pkt);
    });
  }

  private panic(err: unknown): void {
    this.metrics.panics.inc();
    this.log?.error(`query handling failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }

  /** Bare SERVFAIL with the query's ID and question bytes, for internal errors. */
  private failure(pkt: Buffer): Buffer | undefined {
    if (pkt.length < HEADER || (pkt[2] ?? 0) & 0x80) return undefined;
    const end = questionNameEnd(pkt);
    const qEnd = end > 0 && end + 4 <= pkt.length && pkt.readUInt16BE(4) === 1 ? end + 4 : HEADER;
    const out = Buffer.alloc(qEnd);
    pkt.copy(out, 0, 0, qEnd);
    out.writeUInt16BE(0x8000 | (((pkt[2] ?? 0) & 0x79) << 8) | 0x80 | Rcode.SERVFAIL, 2);
    out.writeUInt16BE(qEnd > HEADER ? 1 : 0, 4);
    out.fill(0, 6, 12);
    return out;
  }

  // ---------------------------------------------------------------- hot path

  private fromWire(pkt: Buffer, client: ClientInfo, started: number): Buffer | undefined {
    const len = pkt.length;
    // QR=0, opcode QUERY, no AA/TC; one question, no answer/authority, at most the OPT record.
    if (len < 17 || ((pkt[2] as number) & 0xfe) !== 0) return undefined;
    if (pkt[4] !== 0 || pkt[5] !== 1 || pkt[6] !== 0 || pkt[7] !== 0 || pkt[8] !== 0 || pkt[9] !== 0 || pkt[10] !== 0) return undefined;
    const ar = pkt[11] as number;
    if (ar > 1) return undefined;
    const nameEnd = questionNameEnd(pkt);
    if (nameEnd < 0) return undefined;
    const qEnd = nameEnd + 4;
    if (qEnd > len) return undefined;
    let edns = false;
    let udpSize = 512;
    let dnssecOk = false;
    if (ar === 1) {
      if (qEnd + 11 > len || pkt[qEnd] !== 0 || pkt[qEnd + 1] !== 0 || pkt[qEnd + 2] !== RRType.OPT || pkt[qEnd + 6] !== 0) return undefined;
      if (qEnd + 11 + (((pkt[qEnd + 9] as number) << 8) | (pkt[qEnd + 10] as number)) > len) return undefined;
      edns = true;
      udpSize = Math.min(Math.max(512, ((pkt[qEnd + 3] as number) << 8) | (pkt[qEnd + 4] as number)), this.ednsSize);
      dnssecOk = ((pkt[qEnd + 7] as number) & 0x80) !== 0;
    }
    const hash = questionHash(pkt, HEADER, nameEnd, qEnd);
    const e = this.wire.get(pkt, HEADER, nameEnd, qEnd, hash);
    if (!e) return undefined;
    if (e.backend.generation() !== e.gen) {
      this.wire.delete(pkt, HEADER, nameEnd, qEnd, hash);
      return undefined;
    }
    // NXDOMAIN for a pod client may be the start of an autopath walk.
    if (e.rcode === Rcode.NXDOMAIN && this.searchPathOf(client.address)) return undefined;
    let body = e.full;
    if (this.shuffle && body.an > 1) return undefined;
    const qlen = qEnd - HEADER;
    // Room for question and records: the client's limit less our OPT record.
    const room = (client.proto === 'tcp' ? 65535 : edns ? udpSize : 512) - (edns ? 11 : 0);
    if (HEADER + qlen + body.tail.length > room) {
      const cut = e.cut?.get(room);
      if (cut === undefined) return undefined;
      body = cut;
    }
    const size = HEADER + qlen + body.tail.length + (edns ? 11 : 0);
    const out = Buffer.allocUnsafe(size);
    const flags = body.flags | (((pkt[2] as number) & 0x01) << 8) | ((pkt[3] as number) & 0x10);
    const ar2 = body.ar + (edns ? 1 : 0);
    out[0] = pkt[0] as number;
    out[1] = pkt[1] as number;
    out[2] = flags >> 8;
    out[3] = flags & 0xff;
    out[4] = 0;
    out[5] = 1;
    out[6] = body.an >> 8;
    out[7] = body.an & 0xff;
    out[8] = body.ns >> 8;
    out[9] = body.ns & 0xff;
    out[10] = ar2 >> 8;
    out[11] = ar2 & 0xff;
    copyBytes(pkt, HEADER, qEnd, out, HEADER);
    copyBytes(body.tail, 0, body.tail.length, out, HEADER + qlen);
    if (edns) {
      const o = HEADER + qlen + body.tail.length;
      out[o] = 0;
      out.writeUInt16BE(RRType.OPT, o + 1);
      out.writeUInt16BE(this.ednsSize, o + 3);
      out.writeUInt32BE(dnssecOk ? 0x8000 : 0, o + 5);
      out.writeUInt16BE(0, o + 9);
    }
    const slot = (client.proto === 'tcp' ? 2 : 0) + (client.address.includes(':') ? 1 : 0);
    let bound = e.slots[slot];
    if (!bound) e.slots[slot] = bound = this.bound(client, e.typeLabel, e.rcode, e.plugin);
    this.account(bound, pkt.length, out.length, started);
    if (this.logQueries) {
      const flags = decodeMessage(out);
      this.logLine(client, pkt.readUInt16BE(0), `${typeName(pkt.readUInt16BE(nameEnd))} IN ${this.nameOf(pkt)}`, pkt.length, dnssecOk, edns ? udpSize : 512, rcodeName(e.rcode), flags.ok ? flagsText(flags.message) : '', out.length, started);
    }
    return out;
  }

  private nameOf(pkt: Buffer): string {
    const d = decodeMessage(pkt);
    return d.ok ? (d.message.questions[0]?.name ?? '?') : '?';
  }

  /**
   * Stores the backend answer `res` to the question in `pkt` for its generation: the whole
   * answer, and when it does not fit the `room` this client leaves (see WireAnswer.cut), the
   * answer cut to that room.
   */
  private remember(pkt: Buffer, q: Question, res: Resolution, room: number): void {
    const from = res.from;
    if (!from || from.backend.generation() !== from.gen) return;
    const nameEnd = questionNameEnd(pkt);
    if (nameEnd < 0) return;
    const qEnd = nameEnd + 4;
    const hash = questionHash(pkt, HEADER, nameEnd, qEnd);
    let e = this.wire.get(pkt, HEADER, nameEnd, qEnd, hash);
    if (e && (e.backend !== from.backend || e.gen !== from.gen)) e = undefined;
    if (!e) {
      const raw = pkt.toString('latin1', HEADER, nameEnd);
      // Only ASCII names: the table folds ASCII case only (DNS's rule); other bytes take the full path.
      if (/[^\x00-\x7f]/.test(raw)) return;
      const full = this.encodeBody(q, res, qEnd, 65535);
      // Over 64 KiB even on TCP: rare enough to encode each time.
      if (!full) return;
      e = { backend: from.backend, gen: from.gen, full, cut: undefined, rcode: res.rcode, plugin: res.plugin, typeLabel: metricType(typeName(q.type)), slots: [undefined, undefined, undefined, undefined] };
      this.wire.set(pkt, HEADER, nameEnd, qEnd, hash, e);
    }
    if (qEnd + e.full.tail.length <= room || e.cut?.has(room)) return;
    // A handful of sizes per question; clients that pick unusual sizes take the full path.
    if (e.cut && e.cut.size >= 4) return;
    const cut = this.encodeBody(q, res, qEnd, room);
    if (cut) (e.cut ??= new Map()).set(room, cut);
  }

  /**
   * `res` encoded in at most `maxSize` bytes, from just after the question on; undefined when
   * it does not fit even the 64 KiB of TCP.
   */
  private encodeBody(q: Question, res: Resolution, qEnd: number, maxSize: number): WireBody | undefined {
    const msg: Message = {
      id: 0,
      flags: { qr: true, opcode: 0, aa: res.aa, tc: false, rd: false, ra: true, ad: false, cd: false },
      rcode: res.rcode,
      questions: [q],
      answers: res.answer,
      authorities: res.authority,
      additionals: res.additional,
    };
    const enc = encodeMessage(msg, { maxSize });
    if (maxSize >= 65535 && enc.truncated) return undefined;
    const b = enc.bytes;
    // The question went in uncompressed at 12, as long as the client's (names are never compressed there).
    if (b.readUInt16BE(4) !== 1 || b.length < qEnd) return undefined;
    return { flags: b.readUInt16BE(2) & ~0x0110, an: b.readUInt16BE(6), ns: b.readUInt16BE(8), ar: b.readUInt16BE(10), tail: Buffer.from(b.subarray(qEnd)) };
  }

  /** Stored wire answers (for tests and metrics). */
  wireCacheSize(): number {
    return this.wire.size;
  }

  // ---------------------------------------------------------------- full path

  private async slow(pkt: Buffer, client: ClientInfo, started: number): Promise<Buffer | undefined> {
    const d = decodeMessage(pkt);
    if (!d.ok) {
      const h = d.header;
      if (!h || h.flags.qr) return undefined;
      this.log?.debug(`malformed query from ${client.address}: ${d.error}`);
      return this.reply(pkt, client, started, this.bare(h, Rcode.FORMERR), undefined, '');
    }
    const m = d.message;
    if (m.flags.qr) return undefined;
    const q = m.questions[0];
    const edns: Edns | undefined = m.edns ? { udpSize: this.ednsSize, version: 0, dnssecOk: m.edns.dnssecOk, options: [] } : undefined;
    const base = (rcode: number, res?: Resolution): Message => ({
      id: m.id,
      flags: { qr: true, opcode: m.flags.opcode, aa: res?.aa ?? false, tc: false, rd: m.flags.rd, ra: true, ad: false, cd: m.flags.cd },
      rcode,
      questions: q && m.questions.length === 1 ? [q] : [],
      answers: res ? (this.shuffle ? shuffled(res.answer) : res.answer) : [],
      authorities: res?.authority ?? [],
      additionals: res?.additional ?? [],
      ...(edns ? { edns } : {}),
    });
    if (m.flags.opcode !== Opcode.QUERY) return this.reply(pkt, client, started, base(Rcode.NOTIMP), m, '');
    if (!q || m.questions.length !== 1) return this.reply(pkt, client, started, base(Rcode.FORMERR), m, '');
    if (m.edns && m.edns.version !== 0) return this.reply(pkt, client, started, base(Rcode.BADVERS), m, '');
    if ((q.class !== RRClass.IN && q.class !== RRClass.ANY) || q.type === RRType.AXFR || q.type === RRType.IXFR || q.type === RRType.OPT) {
      return this.reply(pkt, client, started, base(Rcode.REFUSED), m, '');
    }
    const cq: Question = { name: canonicalName(q.name), type: q.type, class: RRClass.IN };
    const res = await this.resolve(cq, client.address, true);
    const room = (client.proto === 'tcp' ? 65535 : m.edns ? Math.min(Math.max(512, m.edns.udpSize), this.ednsSize) : 512) - (m.edns ? 11 : 0);
    this.remember(pkt, q, res, room);
    // Answered the way every repeat will be (one encoding less than reply()).
    const stored = this.fromWire(pkt, client, started);
    if (stored) return stored;
    return this.reply(pkt, client, started, base(res.rcode, res), m, res.plugin);
  }

  private bare(h: Header, rcode: number): Message {
    return {
      id: h.id,
      flags: { qr: true, opcode: h.flags.opcode, aa: false, tc: false, rd: h.flags.rd, ra: true, ad: false, cd: h.flags.cd },
      rcode,
      questions: [],
      answers: [],
      authorities: [],
      additionals: [],
    };
  }

  private reply(pkt: Buffer, client: ClientInfo, started: number, resp: Message, query: Message | undefined, plugin: string): Buffer {
    const clientSize = query?.edns ? Math.min(Math.max(512, query.edns.udpSize), this.ednsSize) : 512;
    const limit = client.proto === 'tcp' ? 65535 : clientSize;
    let out: Buffer;
    try {
      out = encodeMessage(resp, { maxSize: limit }).bytes;
    } catch (err) {
      this.panic(err);
      out = encodeMessage({ ...resp, rcode: Rcode.SERVFAIL, answers: [], authorities: [], additionals: [] }, { maxSize: limit }).bytes;
    }
    const q = resp.questions[0] ?? query?.questions[0];
    const typeLabel = q ? metricType(typeName(q.type)) : 'other';
    this.account(this.bound(client, typeLabel, resp.rcode, plugin), pkt.length, out.length, started);
    if (this.logQueries) {
      const qtext = q ? `${typeName(q.type)} IN ${q.name}` : '- - -';
      this.logLine(client, resp.id, qtext, pkt.length, query?.edns?.dnssecOk ?? false, clientSize, rcodeName(resp.rcode), flagsText(resp), out.length, started);
    }
    return out;
  }

  private readonly boundCache = new Map<string, BoundMetrics>();

  private bound(client: ClientInfo, typeLabel: string, rcode: number, plugin: string): BoundMetrics {
    const family = client.address.includes(':') ? '2' : '1';
    const key = `${client.proto}|${family}|${typeLabel}|${rcode}|${plugin}`;
    let b = this.boundCache.get(key);
    if (!b) {
      const s = this.server;
      const m = this.metrics;
      b = {
        req: m.requests.child([s, '.', '', client.proto, family, typeLabel]),
        resp: m.responses.child([s, '.', '', rcodeName(rcode), plugin]),
        dur: m.duration.child([s, '.', '', typeLabel]),
        reqSize: m.requestSize.child([s, '.', '', client.proto]),
        respSize: m.responseSize.child([s, '.', '', client.proto]),
      };
      this.boundCache.set(key, b);
    }
    return b;
  }

  private account(b: BoundMetrics, reqSize: number, respSize: number, started: number): void {
    b.req.value++;
    b.resp.value++;
    b.dur.observe((performance.now() - started) / 1000);
    b.reqSize.observe(reqSize);
    b.respSize.observe(respSize);
  }

  private logLine(client: ClientInfo, id: number, qtext: string, size: number, dnssecOk: boolean, bufsize: number, rcode: string, flags: string, rsize: number, started: number): void {
    const host = client.address.includes(':') ? `[${client.address}]` : client.address;
    const secs = ((performance.now() - started) / 1000).toFixed(9).replace(/0+$/, '');
    this.log?.info(`${host}:${client.port} - ${id} "${qtext} ${client.proto} ${size} ${dnssecOk} ${bufsize}" ${rcode} ${flags} ${rsize} ${secs}s`);
  }

  // ---------------------------------------------------------------- resolution

  private searchPathOf(ip: string): readonly string[] | undefined {
    for (const b of this.backends) {
      const sp = b.searchPath?.(ip);
      if (sp && sp.length) return sp;
    }
    return undefined;
  }

  /** Resolves a canonical question: backends, then upstream; autopath first when allowed. */
  private async resolve(q: Question, clientIp: string, allowAutopath: boolean): Promise<Resolution> {
    const owner = this.backends.find((b) => b.zones.some((z) => isSubdomain(q.name, z)));
    if (owner && !owner.ready()) return empty(Rcode.SERVFAIL, owner.name);
    if (allowAutopath) {
      const sp = this.searchPathOf(clientIp);
      if (sp) {
        const walked = await this.autopath(q, clientIp, sp);
        if (walked) return walked;
      }
    }
    for (const b of this.backends) {
      const gen = b.generation();
      const r: BackendResult = b.lookup(q);
      if (r.kind === 'pass') continue;
      if (!r.chase) {
        return { rcode: r.rcode, aa: r.authoritative, answer: r.answer, authority: r.authority, additional: r.additional, plugin: b.name, from: { backend: b, gen } };
      }
      const up = this.forwarder ? await this.forwarder.resolve(r.chase) : undefined;
      if (up?.ok) {
        const m = up.message;
        return { rcode: m.rcode, aa: r.authoritative, answer: [...r.answer, ...m.answers], authority: m.authorities, additional: [], plugin: b.name };
      }
      // The target could not be resolved: the alias alone still tells the client where to look.
      return { rcode: r.rcode, aa: r.authoritative, answer: r.answer, authority: r.authority, additional: r.additional, plugin: b.name };
    }
    if (!this.forwarder) return empty(Rcode.REFUSED, '');
    const f = await this.forwarder.resolve(q);
    if (!f.ok) {
      this.log?.debug(`forward ${q.name} ${typeName(q.type)}: ${f.error}`);
      return empty(Rcode.SERVFAIL, 'forward');
    }
    const m = f.message;
    return { rcode: m.rcode, aa: false, answer: m.answers, authority: m.authorities, additional: m.additionals, plugin: 'forward' };
  }

  /**
   * CoreDNS autopath: a query for `<base>.<first search domain>` from a pod is answered by walking
   * the pod's whole search path server-side; the first answer that is not NXDOMAIN is returned
   * under the asked name with a CNAME to the name that answered. If every step fails, the first
   * step's answer goes back as it is and the client walks on by itself.
   */
  private async autopath(q: Question, clientIp: string, searchPath: readonly string[]): Promise<Resolution | undefined> {
    const first = searchPath[0];
    if (!first || q.name === first || !isSubdomain(q.name, first)) return undefined;
    const base = q.name.slice(0, q.name.length - first.length - 1);
    const steps = [...searchPath, ...this.hostSearch, '.'];
    let firstRes: Resolution | undefined;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i] ?? '.';
      const name = s === '.' ? `${base}.` : `${base}.${s}`;
      const r = await this.resolve({ ...q, name }, clientIp, false);
      if (i === 0) firstRes = r;
      if (r.rcode !== Rcode.NOERROR) continue;
      if (i === 0) return r;
      this.metrics.autopathSuccess.inc([this.server]);
      const head = r.answer[0];
      const answer = head && head.name !== q.name ? [{ name: q.name, type: RRType.CNAME, class: RRClass.IN, ttl: head.ttl, data: { kind: 'name' as const, target: head.name } }, ...r.answer] : r.answer;
      return { ...r, answer, plugin: 'autopath', from: undefined };
    }
    return firstRes;
  }
}
