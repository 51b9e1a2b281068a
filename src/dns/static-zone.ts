/**
 * A fixed zone from zone-file lines (CoreDNS's `file` plugin, minus wildcards and delegation).
 * Tests run one behind a second server as the fake upstream resolver; nothing ever forwards to a
 * real one.
 */
import { type BackendResult, type DnsBackend, PASS, type ZoneAnswer } from './backend.js';
import { RRType, Rcode } from './message/constants.js';
import type { Question, ResourceRecord } from './message/message.js';
import { canonicalName, isSubdomain } from './message/name.js';
import { parseRecord } from './message/zone-text.js';

const MAX_CHAIN = 8;

export class StaticZoneBackend implements DnsBackend {
  readonly name = 'file';
  readonly zones: readonly string[];
  private readonly byName = new Map<string, ResourceRecord[]>();
  private readonly nonTerminals = new Set<string>();
  private readonly soa: ResourceRecord;

  /** `zone` is the origin; `records` zone-file lines (or records) with absolute owner names inside it. */
  constructor(zone: string, records: readonly (string | ResourceRecord)[]) {
    const origin = canonicalName(zone);
    this.zones = [origin];
    let soa: ResourceRecord | undefined;
    for (const r of records) {
      const rr = typeof r === 'string' ? parseRecord(r) : r;
      const owner = canonicalName(rr.name);
      if (!isSubdomain(owner, origin)) throw new Error(`${rr.name} is outside the zone ${origin}`);
      if (rr.type === RRType.SOA && owner === origin) soa = rr;
      const list = this.byName.get(owner) ?? [];
      list.push(rr);
      this.byName.set(owner, list);
      for (let n = owner; n !== origin; ) {
        n = n.slice(n.indexOf('.') + 1);
        this.nonTerminals.add(n);
      }
    }
    this.soa = soa ?? {
      name: origin,
      type: RRType.SOA,
      class: 1,
      ttl: 60,
      data: { kind: 'soa', mname: `ns.${origin}`, rname: `hostmaster.${origin}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 60 },
    };
  }

  ready(): boolean {
    return true;
  }

  generation(): number {
    return 0;
  }

  lookup(q: Question, depth = 0): BackendResult {
    const origin = this.zones[0] ?? '.';
    if (!isSubdomain(q.name, origin)) return PASS;
    const neg = (rcode: number): ZoneAnswer => ({ kind: 'answer', rcode, authoritative: true, answer: [], authority: [this.soa], additional: [] });
    const rrs = this.byName.get(q.name);
    if (!rrs) return neg(this.nonTerminals.has(q.name) ? Rcode.NOERROR : Rcode.NXDOMAIN);
    const cname = rrs.find((r) => r.type === RRType.CNAME);
    if (cname && q.type !== RRType.CNAME && cname.data.kind === 'name') {
      const target = canonicalName(cname.data.target);
      const sub = depth < MAX_CHAIN ? this.lookup({ ...q, name: target }, depth + 1) : PASS;
      if (sub.kind === 'pass') return { kind: 'answer', rcode: Rcode.NOERROR, authoritative: true, answer: [cname], authority: [], additional: [], chase: { ...q, name: target } };
      return { ...sub, answer: [cname, ...sub.answer] };
    }
    const answer = rrs.filter((r) => r.type === q.type || (q.type === RRType.ANY && r.type !== RRType.SOA));
    if (answer.length === 0) return neg(Rcode.NOERROR);
    return { kind: 'answer', rcode: Rcode.NOERROR, authoritative: true, answer, authority: [], additional: [] };
  }
}
