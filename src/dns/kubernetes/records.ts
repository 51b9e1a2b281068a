/**
 * The cluster DNS records (Kubernetes DNS-Based Service Discovery 1.1.0, as CoreDNS's kubernetes
 * plugin serves them with `pods insecure`): a pure function from a question and a ClusterView to
 * an answer.
 *
 * Name layout left of the zone, as CoreDNS parses it:
 *   <svc>.<ns>.svc            service
 *   <endpoint>.<svc>.<ns>.svc endpoint (hostname, else dashed IP)
 *   _<port>._<proto>.<svc>.<ns>.svc  named port (SRV)
 *   <a-b-c-d>.<ns>.pod        pod (any address, namespace must exist)
 * Anything else left of the zone is NXDOMAIN, except the names that exist without data (NODATA):
 * the apex, `svc`, `pod`, `<ns>.svc` and `<ns>.pod` for an existing namespace.
 */
import { type BackendResult, PASS, type ZoneAnswer } from '../backend.js';
import { RRClass, RRType, Rcode } from '../message/constants.js';
import { canonicalIP } from '../message/ip.js';
import type { Question, ResourceRecord } from '../message/message.js';
import { isSubdomain, labelsLeftOf } from '../message/name.js';
import type { ClusterView, EndpointRecord, PortRecord, ServiceRecord } from './cluster-index.js';
import { IN_ADDR_ARPA, IP6_ARPA, reverseToIP } from './reverse.js';

export interface RecordsConfig {
  /** Canonical cluster zone, e.g. `cluster.local.`. */
  readonly zone: string;
  /** TTL of every record and of negative answers (SOA minimum). CoreDNS default: 5. */
  readonly ttl: number;
  /** Addresses of this DNS server, for `ns.dns.<zone>` and the apex NS glue. */
  readonly nsAddresses?: readonly string[];
}

export const DNS_SCHEMA_VERSION = '1.1.0';
const DNS_VERSION_TTL = 28800;
const MAX_CNAME_CHAIN = 8;
// SOA timers CoreDNS uses for its kubernetes zones.
const SOA_REFRESH = 7200;
const SOA_RETRY = 1800;
const SOA_EXPIRE = 86400;

type Entry =
  | { readonly kind: 'ip'; readonly ip: string; readonly family: 4 | 6; readonly port: number; readonly target: string }
  | { readonly kind: 'cname'; readonly target: string };

/** Undefined: NXDOMAIN. An empty list: the name exists without data. */
type Found = readonly Entry[] | undefined;

const NO_PORT: PortRecord = { name: '', port: -1, protocol: '' };

function rr(name: string, type: number, ttl: number, data: ResourceRecord['data']): ResourceRecord {
  return { name, type, class: RRClass.IN, ttl, data };
}

function soa(owner: string, cfg: RecordsConfig, view: ClusterView): ResourceRecord {
  return rr(owner, RRType.SOA, cfg.ttl, {
    kind: 'soa',
    mname: `ns.dns.${cfg.zone}`,
    rname: `hostmaster.${cfg.zone}`,
    serial: view.serial() >>> 0,
    refresh: SOA_REFRESH,
    retry: SOA_RETRY,
    expire: SOA_EXPIRE,
    minimum: cfg.ttl,
  });
}

function positive(answer: ResourceRecord[], additional: ResourceRecord[] = []): ZoneAnswer {
  return { kind: 'answer', rcode: Rcode.NOERROR, authoritative: true, answer, authority: [], additional };
}

function negative(rcode: number, owner: string, cfg: RecordsConfig, view: ClusterView): ZoneAnswer {
  return { kind: 'answer', rcode, authoritative: true, answer: [], authority: [soa(owner, cfg, view)], additional: [] };
}

/** CoreDNS's endpoint name: the hostname, else the IP with `.`/`:` turned into `-`. */
export function endpointHostname(e: Pick<EndpointRecord, 'hostname' | 'ip' | 'family'>): string {
  if (e.hostname) return e.hostname;
  return e.family === 4 ? e.ip.replaceAll('.', '-') : e.ip.replaceAll(':', '-');
}

/** `a-b-c-d` → `a.b.c.d`; IPv6 with `-` for `:` (CoreDNS's rule for pod names). */
function podLabelIP(label: string): { ip: string; family: 4 | 6 } | undefined {
  const dashes = label.split('-').length - 1;
  const text = dashes === 3 && !label.includes('--') ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  const c = canonicalIP(text);
  return c ? { ip: c.text, family: c.family } : undefined;
}

const stripUnderscore = (s: string): string => (s.startsWith('_') ? s.slice(1) : s);

/** An absent or empty port/protocol matches anything (CoreDNS's wildcard rule). */
function portMatches(port: string | undefined, proto: string | undefined, p: PortRecord): boolean {
  return (!port || port === p.name) && (!proto || proto === p.protocol);
}

function lookupService(svc: ServiceRecord, svcName: string, ns: string, rest: readonly string[], view: ClusterView, cfg: RecordsConfig): Found {
  let endpoint: string | undefined;
  let port: string | undefined;
  let proto: string | undefined;
  if (rest.length === 1) endpoint = rest[0];
  else if (rest.length === 2) {
    port = stripUnderscore(rest[0] ?? '');
    proto = stripUnderscore(rest[1] ?? '');
  } else if (rest.length > 2) return undefined;
  const svcFqdn = `${svcName}.${ns}.svc.${cfg.zone}`;

  if (svc.kind === 'ExternalName') {
    // ExternalName services have no endpoints; an IP-literal externalName has no record.
    if (endpoint !== undefined || !svc.externalName) return undefined;
    return [{ kind: 'cname', target: svc.externalName }];
  }

  const entries: Entry[] = [];
  if (svc.kind === 'Headless' || endpoint !== undefined) {
    for (const e of view.endpoints(ns, svcName)) {
      if (!e.ready && !svc.publishNotReadyAddresses) continue;
      const host = endpointHostname(e);
      if (endpoint !== undefined && host !== endpoint) continue;
      const target = `${host}.${svcFqdn}`;
      for (const p of e.ports.length ? e.ports : [NO_PORT]) {
        if (!portMatches(port, proto, p)) continue;
        entries.push({ kind: 'ip', ip: e.ip, family: e.family, port: p.port, target });
      }
    }
    return entries.length ? entries : undefined;
  }

  let matched = false;
  for (const p of svc.ports.length ? svc.ports : [NO_PORT]) {
    if (!portMatches(port, proto, p)) continue;
    matched = true;
    for (const ip of svc.clusterIPs) {
      const c = canonicalIP(ip);
      if (c) entries.push({ kind: 'ip', ip: c.text, family: c.family, port: p.port, target: svcFqdn });
    }
  }
  return matched ? entries : undefined;
}

/** Entries for a name inside the zone, from its labels left of the zone (leftmost first). */
function lookupName(rel: readonly string[], name: string, view: ClusterView, cfg: RecordsConfig): Found {
  const n = rel.length;
  const kind = rel[n - 1];
  if (kind !== 'svc' && kind !== 'pod') return undefined;
  if (n === 1) return [];
  const ns = rel[n - 2] ?? '';
  if (!view.hasNamespace(ns)) return undefined;
  if (n === 2) return [];
  if (kind === 'pod') {
    if (n !== 3) return undefined;
    const ip = podLabelIP(rel[0] ?? '');
    return ip ? [{ kind: 'ip', ip: ip.ip, family: ip.family, port: -1, target: name }] : undefined;
  }
  const svcName = rel[n - 3] ?? '';
  const svc = view.service(ns, svcName);
  if (!svc) return undefined;
  return lookupService(svc, svcName, ns, rel.slice(0, n - 3), view, cfg);
}

function addressRecords(name: string, entries: readonly Entry[], families: readonly (4 | 6)[], ttl: number): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  const seen = new Set<string>();
  for (const f of families) {
    for (const e of entries) {
      if (e.kind !== 'ip' || e.family !== f || seen.has(e.ip)) continue;
      seen.add(e.ip);
      out.push(rr(name, f === 4 ? RRType.A : RRType.AAAA, ttl, { kind: 'address', address: e.ip }));
    }
  }
  return out;
}

function srvRecords(name: string, entries: readonly Entry[], ttl: number): { answer: ResourceRecord[]; additional: ResourceRecord[] } {
  const targets: { port: number; target: string }[] = [];
  const seen = new Set<string>();
  const extra: ResourceRecord[] = [];
  const seenExtra = new Set<string>();
  for (const e of entries) {
    if (e.kind !== 'ip' || e.port < 0) continue;
    const key = `${e.port} ${e.target}`;
    if (!seen.has(key)) {
      seen.add(key);
      targets.push({ port: e.port, target: e.target });
    }
    const ekey = `${e.target} ${e.ip}`;
    if (!seenExtra.has(ekey)) {
      seenExtra.add(ekey);
      extra.push(rr(e.target, e.family === 4 ? RRType.A : RRType.AAAA, ttl, { kind: 'address', address: e.ip }));
    }
  }
  // CoreDNS: every record at priority 0 and weight 100/N (at least 1).
  const weight = Math.max(1, Math.floor(100 / Math.max(1, targets.length)));
  return {
    answer: targets.map((t) => rr(name, RRType.SRV, ttl, { kind: 'srv', priority: 0, weight, port: t.port, target: t.target })),
    additional: extra,
  };
}

function answerReverse(q: Question, view: ClusterView, cfg: RecordsConfig): BackendResult {
  const ip = reverseToIP(q.name);
  if (!ip) return PASS;
  const hits = view.byIP(ip);
  const names: string[] = [];
  // Cluster IPs first; endpoint names only when no service owns the address (CoreDNS order).
  for (const s of hits.services) names.push(`${s.name}.${s.namespace}.svc.${cfg.zone}`);
  if (names.length === 0) {
    for (const { service, endpoint } of hits.endpoints) {
      if (!endpoint.ready && !service.publishNotReadyAddresses) continue;
      // Endpoints of headless services always have a name (dashed IP at worst); others only with a hostname.
      if (service.kind !== 'Headless' && !endpoint.hostname) continue;
      const n = `${endpointHostname(endpoint)}.${service.name}.${service.namespace}.svc.${cfg.zone}`;
      if (!names.includes(n)) names.push(n);
    }
  }
  // Unknown addresses fall through to the upstream resolvers, as CoreDNS's default `fallthrough in-addr.arpa ip6.arpa`.
  if (names.length === 0) return PASS;
  if (q.type !== RRType.PTR && q.type !== RRType.ANY) return negative(Rcode.NOERROR, isSubdomain(q.name, IN_ADDR_ARPA) ? IN_ADDR_ARPA : IP6_ARPA, cfg, view);
  return positive(names.map((n) => rr(q.name, RRType.PTR, cfg.ttl, { kind: 'name', target: n })));
}

/** Answers for fixed names: the apex, dns-version and ns.dns. Undefined for every other name. */
function answerFixed(q: Question, rel: readonly string[], view: ClusterView, cfg: RecordsConfig): ZoneAnswer | undefined {
  const nodata = (): ZoneAnswer => negative(Rcode.NOERROR, cfg.zone, cfg, view);
  const nsAddrs = (name: string, families: readonly (4 | 6)[]): ResourceRecord[] => {
    const entries: Entry[] = [];
    for (const a of cfg.nsAddresses ?? []) {
      const c = canonicalIP(a);
      if (c) entries.push({ kind: 'ip', ip: c.text, family: c.family, port: -1, target: name });
    }
    return addressRecords(name, entries, families, cfg.ttl);
  };
  if (rel.length === 0) {
    if (q.type === RRType.SOA) return positive([soa(q.name, cfg, view)]);
    if (q.type === RRType.NS) {
      const ns = `ns.dns.${cfg.zone}`;
      return positive([rr(q.name, RRType.NS, cfg.ttl, { kind: 'name', target: ns })], nsAddrs(ns, [4, 6]));
    }
    return nodata();
  }
  if (rel.length === 1 && rel[0] === 'dns-version') {
    if (q.type === RRType.TXT) return positive([rr(q.name, RRType.TXT, DNS_VERSION_TTL, { kind: 'txt', texts: [DNS_SCHEMA_VERSION] })]);
    return nodata();
  }
  if (rel.length === 1 && rel[0] === 'dns') return nodata();
  if (rel.length === 2 && rel[0] === 'ns' && rel[1] === 'dns') {
    const families: (4 | 6)[] = q.type === RRType.A ? [4] : q.type === RRType.AAAA ? [6] : q.type === RRType.ANY ? [4, 6] : [];
    const records = nsAddrs(q.name, families);
    return records.length ? positive(records) : nodata();
  }
  return undefined;
}

/**
 * The answer for `q` (name canonical) from the cluster, or PASS for names outside the zone and
 * reverse names the cluster does not know. CNAMEs to names in the zone are followed here; a
 * target outside comes back in `chase` for the server to resolve upstream.
 */
export function answerCluster(q: Question, view: ClusterView, cfg: RecordsConfig, depth = 0): BackendResult {
  const name = q.name;
  if (isSubdomain(name, IN_ADDR_ARPA) || isSubdomain(name, IP6_ARPA)) return answerReverse(q, view, cfg);
  if (!isSubdomain(name, cfg.zone)) return PASS;
  const rel = labelsLeftOf(name, cfg.zone);
  const fixed = answerFixed(q, rel, view, cfg);
  if (fixed) return fixed;

  const found = lookupName(rel, name, view, cfg);
  if (!found) return negative(Rcode.NXDOMAIN, cfg.zone, cfg, view);

  const cname = found.find((e) => e.kind === 'cname');
  // CoreDNS serves no SRV for ExternalName services.
  if (cname && q.type !== RRType.SRV) {
    const alias = rr(name, RRType.CNAME, cfg.ttl, { kind: 'name', target: cname.target });
    if (q.type === RRType.CNAME) return positive([alias]);
    const sub = depth < MAX_CNAME_CHAIN ? answerCluster({ name: cname.target, type: q.type, class: q.class }, view, cfg, depth + 1) : PASS;
    if (sub.kind === 'pass') {
      return { ...positive([alias]), chase: { name: cname.target, type: q.type, class: q.class } };
    }
    return { ...sub, answer: [alias, ...sub.answer] };
  }

  let answer: ResourceRecord[] = [];
  let additional: ResourceRecord[] = [];
  switch (q.type) {
    case RRType.A:
      answer = addressRecords(name, found, [4], cfg.ttl);
      break;
    case RRType.AAAA:
      answer = addressRecords(name, found, [6], cfg.ttl);
      break;
    case RRType.ANY:
      answer = addressRecords(name, found, [4, 6], cfg.ttl);
      break;
    case RRType.SRV:
      ({ answer, additional } = srvRecords(name, found, cfg.ttl));
      break;
    default:
      break;
  }
  if (answer.length === 0) return negative(Rcode.NOERROR, cfg.zone, cfg, view);
  return positive(answer, additional);
}
