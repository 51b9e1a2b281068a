/**
 * The slim in-memory copy of the cluster that DNS answers from: Services, EndpointSlices,
 * Namespaces and pod IPs, each cut down to the fields records need (CoreDNS keeps similar
 * slim objects). Updated by informer handlers; read by the pure record logic through ClusterView.
 */
import type { KubeObject } from '../../api/object.js';
import { isRecord } from '../../api/object.js';
import { canonicalIP } from '../message/ip.js';
import { canonicalName, parseName } from '../message/name.js';

export interface PortRecord {
  /** '' for an unnamed port. */
  readonly name: string;
  readonly port: number;
  /** Lower case: tcp, udp or sctp. */
  readonly protocol: string;
}

export type ServiceKind = 'ClusterIP' | 'Headless' | 'ExternalName';

export interface ServiceRecord {
  readonly namespace: string;
  readonly name: string;
  readonly kind: ServiceKind;
  /** Canonical IP text, primary first (ClusterIP services). */
  readonly clusterIPs: readonly string[];
  readonly ports: readonly PortRecord[];
  /** Canonical FQDN for ExternalName services; '' when absent, invalid or an IP literal (no record). */
  readonly externalName: string;
  readonly publishNotReadyAddresses: boolean;
}

export interface EndpointRecord {
  readonly ip: string;
  readonly family: 4 | 6;
  /** The endpoint's `hostname` (lower case), '' when unset. */
  readonly hostname: string;
  /** `conditions.ready` true or unset. */
  readonly ready: boolean;
  /** The slice's ports (shared by every endpoint of the slice). */
  readonly ports: readonly PortRecord[];
}

export interface SliceRecord {
  readonly namespace: string;
  readonly name: string;
  /** The owning service's name (label kubernetes.io/service-name), '' when unlabelled. */
  readonly service: string;
  readonly endpoints: readonly EndpointRecord[];
}

/** What the record logic reads. Names and namespaces are matched lower case. */
export interface ClusterView {
  hasNamespace(namespace: string): boolean;
  service(namespace: string, name: string): ServiceRecord | undefined;
  /** Every endpoint of a service across its slices, deduplicated by IP (first slice wins). */
  endpoints(namespace: string, name: string): readonly EndpointRecord[];
  /** Services whose cluster IPs include `ip`, and endpoints with that IP (canonical text). */
  byIP(ip: string): { services: readonly ServiceRecord[]; endpoints: readonly { service: ServiceRecord; endpoint: EndpointRecord }[] };
  /** SOA serial: unix seconds of the last change. */
  serial(): number;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function slimPorts(v: unknown, portField: 'port'): PortRecord[] {
  const out: PortRecord[] = [];
  for (const p of arr(v)) {
    if (!isRecord(p)) continue;
    const port = p[portField];
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) continue;
    out.push({ name: str(p.name).toLowerCase(), port, protocol: (str(p.protocol) || 'TCP').toLowerCase() });
  }
  return out;
}

/** The DNS-relevant parts of a v1 Service. */
export function slimService(obj: KubeObject): ServiceRecord {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const namespace = (obj.metadata.namespace ?? '').toLowerCase();
  const name = (obj.metadata.name ?? '').toLowerCase();
  const base = { namespace, name, ports: slimPorts(spec.ports, 'port'), publishNotReadyAddresses: spec.publishNotReadyAddresses === true };
  if (spec.type === 'ExternalName') {
    const target = str(spec.externalName).replace(/\.$/, '');
    let externalName = '';
    // An IP literal gets no record (CoreDNS only answers names as CNAME targets).
    if (target && !canonicalIP(target)) {
      try {
        parseName(target);
        externalName = canonicalName(target);
      } catch {
        externalName = '';
      }
    }
    return { ...base, kind: 'ExternalName', clusterIPs: [], externalName };
  }
  const primary = str(spec.clusterIP);
  if (primary === 'None') return { ...base, kind: 'Headless', clusterIPs: [], externalName: '' };
  const ips = arr(spec.clusterIPs).map(str);
  if (ips.length === 0 && primary) ips.push(primary);
  const clusterIPs: string[] = [];
  for (const ip of ips) {
    const c = canonicalIP(ip);
    if (c && !clusterIPs.includes(c.text)) clusterIPs.push(c.text);
  }
  return { ...base, kind: 'ClusterIP', clusterIPs, externalName: '' };
}

/** The DNS-relevant parts of a discovery.k8s.io/v1 EndpointSlice (FQDN slices have no records). */
export function slimEndpointSlice(obj: KubeObject): SliceRecord {
  const o = obj as KubeObject & { addressType?: unknown; endpoints?: unknown; ports?: unknown };
  const namespace = (obj.metadata.namespace ?? '').toLowerCase();
  const service = (obj.metadata.labels?.[SERVICE_NAME_LABEL] ?? '').toLowerCase();
  const endpoints: EndpointRecord[] = [];
  if (o.addressType === 'IPv4' || o.addressType === 'IPv6') {
    const ports = slimPorts(o.ports, 'port');
    for (const e of arr(o.endpoints)) {
      if (!isRecord(e)) continue;
      const cond = isRecord(e.conditions) ? e.conditions : {};
      const ready = cond.ready !== false;
      const hostname = str(e.hostname).toLowerCase();
      for (const a of arr(e.addresses)) {
        const c = canonicalIP(str(a));
        if (c) endpoints.push({ ip: c.text, family: c.family, hostname, ready, ports });
      }
    }
  }
  return { namespace, name: obj.metadata.name ?? '', service, endpoints };
}

/** Pod IPs (status.podIPs, else status.podIP) of a v1 Pod. */
export function podIPs(obj: KubeObject): string[] {
  const status = isRecord(obj.status) ? obj.status : {};
  const ips = arr(status.podIPs)
    .map((p) => (isRecord(p) ? str(p.ip) : ''))
    .filter(Boolean);
  if (ips.length === 0 && str(status.podIP)) ips.push(str(status.podIP));
  const out: string[] = [];
  for (const ip of ips) {
    const c = canonicalIP(ip);
    if (c) out.push(c.text);
  }
  return out;
}

/**
 * A slice as sent between processes: endpoints as tuples, the ports once (a slice's endpoints
 * share one ports array, which a structured or JSON copy would otherwise repeat per endpoint).
 */
export interface PackedSlice {
  readonly namespace: string;
  readonly name: string;
  readonly service: string;
  readonly ports: readonly PortRecord[];
  /** [ip, family, hostname, ready] per endpoint; endpoints with other ports carry them as a 5th item. */
  readonly endpoints: readonly (readonly [string, 4 | 6, string, boolean] | readonly [string, 4 | 6, string, boolean, readonly PortRecord[]])[];
}

/** One change to a ClusterIndex, plain data (JSON-safe) so it can cross to worker processes. */
export type IndexOp =
  | { readonly op: 'ns'; readonly name: string }
  | { readonly op: 'ns-'; readonly name: string }
  | { readonly op: 'svc'; readonly svc: ServiceRecord }
  | { readonly op: 'svc-'; readonly namespace: string; readonly name: string }
  | { readonly op: 'slice'; readonly slice: PackedSlice }
  | { readonly op: 'slice-'; readonly namespace: string; readonly name: string }
  | { readonly op: 'pod'; readonly namespace: string; readonly name: string; readonly ips: readonly string[] }
  | { readonly op: 'pod-'; readonly namespace: string; readonly name: string };

export function packSlice(s: SliceRecord): PackedSlice {
  const ports = s.endpoints[0]?.ports ?? [];
  return {
    namespace: s.namespace,
    name: s.name,
    service: s.service,
    ports,
    endpoints: s.endpoints.map((e) => (e.ports === ports ? [e.ip, e.family, e.hostname, e.ready] : [e.ip, e.family, e.hostname, e.ready, e.ports])),
  };
}

export function unpackSlice(p: PackedSlice): SliceRecord {
  return {
    namespace: p.namespace,
    name: p.name,
    service: p.service,
    endpoints: p.endpoints.map((e) => ({ ip: e[0], family: e[1], hostname: e[2], ready: e[3], ports: e[4] ?? p.ports })),
  };
}

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}
function removeFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

/**
 * The mutable index. Every change bumps `generation` (answer caches key on it) and the serial.
 * Keys are `namespace/name`, lower case.
 */
export class ClusterIndex implements ClusterView {
  private readonly namespaces = new Set<string>();
  private readonly services = new Map<string, ServiceRecord>();
  private readonly slices = new Map<string, SliceRecord>();
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly servicesByIP = new Map<string, Set<string>>();
  private readonly slicesByIP = new Map<string, Set<string>>();
  private readonly servicesPerNamespace = new Map<string, number>();
  private readonly pods = new Map<string, { ips: string[]; namespace: string }>();
  private readonly podNamespaceByIP = new Map<string, string>();
  private gen = 0;
  private modified: number;
  /** Told of every change that happened (worker replicas follow the primary's index this way). */
  onChange: ((op: IndexOp) => void) | undefined;

  /** `now` (ms) stamps the SOA serial; tests pin it. */
  constructor(private readonly now: () => number = Date.now) {
    this.modified = Math.floor(now() / 1000);
  }

  /** Bumps on every change to the records (not on pod changes, which only steer autopath). */
  generation(): number {
    return this.gen;
  }

  serial(): number {
    return this.modified;
  }

  private touch(): void {
    this.gen++;
    this.modified = Math.floor(this.now() / 1000);
  }

  // --- namespaces

  setNamespace(name: string): void {
    const n = name.toLowerCase();
    if (this.namespaces.has(n)) return;
    this.namespaces.add(n);
    this.touch();
    this.onChange?.({ op: 'ns', name: n });
  }

  deleteNamespace(name: string): void {
    const n = name.toLowerCase();
    if (!this.namespaces.delete(n)) return;
    this.touch();
    this.onChange?.({ op: 'ns-', name: n });
  }

  hasNamespace(namespace: string): boolean {
    return this.namespaces.has(namespace) || (this.servicesPerNamespace.get(namespace) ?? 0) > 0;
  }

  // --- services

  setService(svc: ServiceRecord): void {
    const key = `${svc.namespace}/${svc.name}`;
    const old = this.services.get(key);
    if (old) for (const ip of old.clusterIPs) removeFrom(this.servicesByIP, ip, key);
    else this.servicesPerNamespace.set(svc.namespace, (this.servicesPerNamespace.get(svc.namespace) ?? 0) + 1);
    this.services.set(key, svc);
    for (const ip of svc.clusterIPs) addTo(this.servicesByIP, ip, key);
    this.touch();
    this.onChange?.({ op: 'svc', svc });
  }

  deleteService(namespace: string, name: string): void {
    const key = `${namespace.toLowerCase()}/${name.toLowerCase()}`;
    const old = this.services.get(key);
    if (!old) return;
    for (const ip of old.clusterIPs) removeFrom(this.servicesByIP, ip, key);
    this.services.delete(key);
    const n = (this.servicesPerNamespace.get(old.namespace) ?? 1) - 1;
    if (n <= 0) this.servicesPerNamespace.delete(old.namespace);
    else this.servicesPerNamespace.set(old.namespace, n);
    this.touch();
    this.onChange?.({ op: 'svc-', namespace: old.namespace, name: old.name });
  }

  service(namespace: string, name: string): ServiceRecord | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  serviceCount(): number {
    return this.services.size;
  }

  // --- endpoint slices

  setEndpointSlice(slice: SliceRecord): void {
    const key = `${slice.namespace}/${slice.name}`;
    this.unlinkSlice(key);
    this.slices.set(key, slice);
    if (slice.service) addTo(this.slicesByService, `${slice.namespace}/${slice.service}`, key);
    for (const e of slice.endpoints) addTo(this.slicesByIP, e.ip, key);
    this.touch();
    this.onChange?.({ op: 'slice', slice: packSlice(slice) });
  }

  deleteEndpointSlice(namespace: string, name: string): void {
    const key = `${namespace.toLowerCase()}/${name}`;
    if (!this.unlinkSlice(key)) return;
    this.touch();
    this.onChange?.({ op: 'slice-', namespace: namespace.toLowerCase(), name });
  }

  private unlinkSlice(key: string): boolean {
    const old = this.slices.get(key);
    if (!old) return false;
    if (old.service) removeFrom(this.slicesByService, `${old.namespace}/${old.service}`, key);
    for (const e of old.endpoints) removeFrom(this.slicesByIP, e.ip, key);
    this.slices.delete(key);
    return true;
  }

  endpointCount(): number {
    let n = 0;
    for (const s of this.slices.values()) n += s.endpoints.length;
    return n;
  }

  endpoints(namespace: string, name: string): readonly EndpointRecord[] {
    const keys = this.slicesByService.get(`${namespace}/${name}`);
    if (!keys) return [];
    if (keys.size === 1) {
      for (const k of keys) return this.slices.get(k)?.endpoints ?? [];
    }
    const seen = new Set<string>();
    const out: EndpointRecord[] = [];
    // Slice names sort for a stable order across restarts.
    for (const k of [...keys].sort()) {
      for (const e of this.slices.get(k)?.endpoints ?? []) {
        if (seen.has(e.ip)) continue;
        seen.add(e.ip);
        out.push(e);
      }
    }
    return out;
  }

  byIP(ip: string): { services: ServiceRecord[]; endpoints: { service: ServiceRecord; endpoint: EndpointRecord }[] } {
    const services: ServiceRecord[] = [];
    for (const k of this.servicesByIP.get(ip) ?? []) {
      const s = this.services.get(k);
      if (s) services.push(s);
    }
    const endpoints: { service: ServiceRecord; endpoint: EndpointRecord }[] = [];
    for (const k of this.slicesByIP.get(ip) ?? []) {
      const slice = this.slices.get(k);
      if (!slice?.service) continue;
      const service = this.services.get(`${slice.namespace}/${slice.service}`);
      if (!service) continue;
      for (const e of slice.endpoints) if (e.ip === ip) endpoints.push({ service, endpoint: e });
    }
    return { services, endpoints };
  }

  // --- pods (autopath needs the namespace of a client by its IP)

  setPod(namespace: string, name: string, ips: readonly string[]): void {
    const key = `${namespace}/${name}`;
    const cur = this.pods.get(key);
    // Pods change often in ways DNS does not care about; only the IPs matter here.
    if (cur && cur.ips.length === ips.length && cur.ips.every((ip, i) => ip === ips[i])) return;
    const had = this.unlinkPod(key);
    if (ips.length === 0) {
      if (had) this.onChange?.({ op: 'pod-', namespace, name });
      return;
    }
    this.pods.set(key, { ips: [...ips], namespace });
    for (const ip of ips) this.podNamespaceByIP.set(ip, namespace);
    this.onChange?.({ op: 'pod', namespace, name, ips: [...ips] });
  }

  deletePod(namespace: string, name: string): void {
    if (this.unlinkPod(`${namespace}/${name}`)) this.onChange?.({ op: 'pod-', namespace, name });
  }

  private unlinkPod(key: string): boolean {
    const old = this.pods.get(key);
    if (!old) return false;
    for (const ip of old.ips) if (this.podNamespaceByIP.get(ip) === old.namespace) this.podNamespaceByIP.delete(ip);
    this.pods.delete(key);
    return true;
  }

  // --- replication

  /** The whole content as the changes that rebuild it in an empty index (for a new replica). */
  snapshot(): IndexOp[] {
    const ops: IndexOp[] = [];
    for (const name of this.namespaces) ops.push({ op: 'ns', name });
    for (const svc of this.services.values()) ops.push({ op: 'svc', svc });
    for (const slice of this.slices.values()) ops.push({ op: 'slice', slice: packSlice(slice) });
    for (const [key, p] of this.pods) ops.push({ op: 'pod', namespace: p.namespace, name: key.slice(p.namespace.length + 1), ips: p.ips });
    return ops;
  }

  /** Applies changes reported by another index's `onChange` or `snapshot`. */
  apply(ops: readonly IndexOp[]): void {
    for (const o of ops) {
      switch (o.op) {
        case 'ns':
          this.setNamespace(o.name);
          break;
        case 'ns-':
          this.deleteNamespace(o.name);
          break;
        case 'svc':
          this.setService(o.svc);
          break;
        case 'svc-':
          this.deleteService(o.namespace, o.name);
          break;
        case 'slice':
          this.setEndpointSlice(unpackSlice(o.slice));
          break;
        case 'slice-':
          this.deleteEndpointSlice(o.namespace, o.name);
          break;
        case 'pod':
          this.setPod(o.namespace, o.name, o.ips);
          break;
        case 'pod-':
          this.deletePod(o.namespace, o.name);
          break;
      }
    }
  }

  /** Namespace of the pod that holds `ip`, if any. */
  podNamespace(ip: string): string | undefined {
    return this.podNamespaceByIP.get(ip);
  }
}
