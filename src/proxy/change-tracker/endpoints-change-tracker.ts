/**
 * Records EndpointSlice changes per Service until the proxier drains them
 * (kube-proxy's EndpointsChangeTracker + EndpointSliceCache). Slices are
 * cached per name, applied and pending, because an endpoint can move from one
 * slice to another: the Service's endpoints are always recomputed from all its
 * slices, and an address listed twice is kept once.
 */
import type { KubeObject } from '../../api/object.js';
import type { Clock } from '../../client/clock.js';
import { realClock } from '../../client/clock.js';
import { bool, int, rec, recs, str, strs, stringMap } from '../json-fields.js';
import {
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME,
  LABEL_HEADLESS,
  LABEL_HOSTNAME,
  LABEL_SERVICE_NAME,
  LABEL_SERVICE_PROXY_NAME,
  LABEL_TOPOLOGY_ZONE,
  type EndpointInfo,
  type IPFamily,
  type Protocol,
  type ServicePortKey,
  endpointString,
  servicePortKey,
} from '../types.js';
import { ipFamilyOf } from './service-port.js';

/** The parts of one EndpointSlice the proxy uses (kept small and comparable). */
interface SliceInfo {
  readonly remove: boolean;
  readonly ports: readonly { name: string; port: number; protocol: Protocol }[];
  readonly endpoints: readonly SliceEndpoint[];
}

interface SliceEndpoint {
  readonly address: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName: string;
  readonly zone: string;
  readonly zoneHints: readonly string[];
  readonly nodeHints: readonly string[];
  readonly deprecatedTopology: Readonly<Record<string, string>>;
}

export interface EndpointsChange {
  /** `ns/name`. */
  readonly service: string;
  readonly previous: ReadonlyMap<ServicePortKey, readonly EndpointInfo[]>;
  readonly current: ReadonlyMap<ServicePortKey, readonly EndpointInfo[]>;
}

export interface EndpointsCheckout {
  readonly changes: readonly EndpointsChange[];
  /** Per Service, the `last-change-trigger-time` annotations seen since the last checkout (ms since epoch). */
  readonly lastChangeTriggerTimes: ReadonlyMap<string, readonly number[]>;
}

export interface EndpointsMapUpdate {
  readonly updatedServices: ReadonlySet<string>;
  /** Service port keys whose endpoint list changed. */
  readonly changedKeys: ReadonlySet<ServicePortKey>;
  /** UDP endpoints that went away, as `key|ip:port` (kernel modes flush their conntrack entries). */
  readonly deletedUDPEndpoints: ReadonlySet<string>;
  /** UDP service ports that went from no endpoints to some. */
  readonly newlyActiveUDPServices: ReadonlySet<ServicePortKey>;
  readonly lastChangeTriggerTimes: ReadonlyMap<string, readonly number[]>;
}

function sliceInfoFrom(slice: KubeObject, remove: boolean): SliceInfo {
  const ports = recs(slice['ports'])
    .map((p) => ({ name: str(p['name']) ?? '', port: int(p['port']) ?? 0, protocol: (p['protocol'] === 'UDP' || p['protocol'] === 'SCTP' ? p['protocol'] : 'TCP') as Protocol }))
    .sort((a, b) => a.port - b.port || a.name.localeCompare(b.name));
  if (remove) return { remove, ports, endpoints: [] };
  const endpoints: SliceEndpoint[] = [];
  for (const ep of recs(slice['endpoints'])) {
    const addresses = strs(ep['addresses']);
    const address = addresses[0];
    if (address === undefined) continue;
    const cond = rec(ep['conditions']) ?? {};
    const hints = rec(ep['hints']) ?? {};
    endpoints.push({
      address,
      // Upstream: unset ready/serving mean true, unset terminating means false.
      ready: bool(cond['ready']) ?? true,
      serving: bool(cond['serving']) ?? true,
      terminating: bool(cond['terminating']) ?? false,
      nodeName: str(ep['nodeName']) ?? '',
      zone: str(ep['zone']) ?? '',
      zoneHints: recs(hints['forZones']).map((z) => str(z['name']) ?? '').filter(Boolean).sort(),
      nodeHints: recs(hints['forNodes']).map((n) => str(n['name']) ?? '').filter(Boolean).sort(),
      deprecatedTopology: stringMap(ep['deprecatedTopology']),
    });
  }
  endpoints.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { remove, ports, endpoints };
}

/**
 * Endpoints of one Service computed from all of its slices. Slices are visited
 * in name order; an address seen twice keeps the first copy unless a later one
 * is local (upstream rule) or ready where the first is not (so an endpoint that
 * is briefly listed in an old and a new slice is not dropped as unready).
 */
export function endpointsFromSlices(
  namespace: string,
  service: string,
  slices: ReadonlyMap<string, SliceInfo>,
  nodeName: string,
  family: IPFamily,
): Map<ServicePortKey, EndpointInfo[]> {
  const byKey = new Map<ServicePortKey, Map<string, EndpointInfo>>();
  for (const name of [...slices.keys()].sort()) {
    const slice = slices.get(name);
    if (!slice) continue;
    for (const port of slice.ports) {
      if (port.port <= 0) continue;
      const key = servicePortKey(namespace, service, port.name, port.protocol);
      let set = byKey.get(key);
      if (!set) byKey.set(key, (set = new Map()));
      for (const ep of slice.endpoints) {
        if (ipFamilyOf(ep.address) !== family) continue;
        const isLocal = nodeName !== '' && ep.nodeName === nodeName;
        const topology: Record<string, string> = { ...ep.deprecatedTopology };
        if (ep.nodeName) topology[LABEL_HOSTNAME] = ep.nodeName;
        if (ep.zone) topology[LABEL_TOPOLOGY_ZONE] = ep.zone;
        const info: EndpointInfo = {
          ip: ep.address,
          port: port.port,
          ready: ep.ready,
          serving: ep.serving,
          terminating: ep.terminating,
          nodeName: ep.nodeName,
          zone: ep.zone,
          isLocal,
          zoneHints: ep.zoneHints,
          nodeHints: ep.nodeHints,
          topology,
        };
        const id = endpointString(info);
        const existing = set.get(id);
        if (!existing || (isLocal && !existing.isLocal) || (info.ready && !existing.ready)) set.set(id, info);
      }
    }
  }
  const out = new Map<ServicePortKey, EndpointInfo[]>();
  for (const [key, set] of byKey) {
    if (set.size === 0) continue;
    out.set(key, [...set.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]));
  }
  return out;
}

export class EndpointsChangeTracker {
  private readonly nodeName: string;
  private readonly family: IPFamily;
  private readonly clock: Clock;
  private readonly startedAt: number;
  private readonly services = new Map<string, { applied: Map<string, SliceInfo>; pending: Map<string, SliceInfo> }>();
  private triggerTimes = new Map<string, number[]>();

  constructor(opts: { readonly nodeName: string; readonly ipFamily: IPFamily; readonly clock?: Clock }) {
    this.nodeName = opts.nodeName;
    this.family = opts.ipFamily;
    this.clock = opts.clock ?? realClock;
    this.startedAt = this.clock.now();
  }

  /**
   * Records a slice add/update (`remove` false) or delete (`remove` true).
   * Returns true when it changes what the proxier has or will apply. Slices
   * without the service-name label, of another address family, or belonging to
   * a headless / foreign-proxy Service are ignored.
   */
  endpointSliceUpdate(slice: KubeObject, remove: boolean): boolean {
    const labels = slice.metadata.labels ?? {};
    const service = labels[LABEL_SERVICE_NAME];
    const namespace = slice.metadata.namespace;
    const name = slice.metadata.name;
    if (!service || !namespace || !name) return false;
    if (LABEL_SERVICE_PROXY_NAME in labels || LABEL_HEADLESS in labels) return false;
    if (slice['addressType'] !== this.family) return false;
    const nsn = `${namespace}/${service}`;
    const info = sliceInfoFrom(slice, remove);
    let tracker = this.services.get(nsn);
    if (!tracker) this.services.set(nsn, (tracker = { applied: new Map(), pending: new Map() }));
    const pending = tracker.pending.get(name);
    const applied = tracker.applied.get(name);
    const reference = pending ?? applied;
    const changed = reference ? JSON.stringify(reference) !== JSON.stringify(info) : !remove;
    if (!changed) return false;
    tracker.pending.set(name, info);
    if (remove) {
      // The annotation on a deleted slice tells when it was last updated, not when it went away.
      this.triggerTimes.delete(nsn);
    } else {
      const raw = slice.metadata.annotations?.[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
      const t = raw ? Date.parse(raw) : NaN;
      if (Number.isFinite(t) && t > this.startedAt) {
        const list = this.triggerTimes.get(nsn) ?? [];
        list.push(t);
        this.triggerTimes.set(nsn, list);
      }
    }
    return true;
  }

  /** Number of Services with slice changes not yet checked out (kubeproxy_sync_proxy_rules_endpoint_changes_pending). */
  pendingCount(): number {
    let n = 0;
    for (const t of this.services.values()) if (t.pending.size > 0) n++;
    return n;
  }

  /** Applies pending slices to the cache and returns the per-Service before/after endpoints. */
  checkout(): EndpointsCheckout {
    const changes: EndpointsChange[] = [];
    for (const [nsn, tracker] of this.services) {
      if (tracker.pending.size === 0) continue;
      const slash = nsn.indexOf('/');
      const ns = nsn.slice(0, slash);
      const svc = nsn.slice(slash + 1);
      const previous = endpointsFromSlices(ns, svc, tracker.applied, this.nodeName, this.family);
      for (const [name, info] of tracker.pending) {
        if (info.remove) tracker.applied.delete(name);
        else tracker.applied.set(name, info);
      }
      tracker.pending.clear();
      const current = endpointsFromSlices(ns, svc, tracker.applied, this.nodeName, this.family);
      if (tracker.applied.size === 0) this.services.delete(nsn);
      changes.push({ service: nsn, previous, current });
    }
    const lastChangeTriggerTimes = this.triggerTimes;
    this.triggerTimes = new Map();
    return { changes, lastChangeTriggerTimes };
  }
}

/** Applies a checkout to `map` in place (upstream EndpointsMap.Update). */
export function applyEndpointsChanges(map: Map<ServicePortKey, readonly EndpointInfo[]>, checkout: EndpointsCheckout): EndpointsMapUpdate {
  const updatedServices = new Set<string>();
  const changedKeys = new Set<ServicePortKey>();
  const deletedUDPEndpoints = new Set<string>();
  const newlyActiveUDPServices = new Set<ServicePortKey>();
  for (const c of checkout.changes) {
    updatedServices.add(c.service);
    for (const [key, prev] of c.previous) {
      const cur = c.current.get(key) ?? [];
      if (JSON.stringify(prev) !== JSON.stringify(cur)) changedKeys.add(key);
      if (!c.current.has(key)) map.delete(key);
      if (key.endsWith('/UDP')) {
        const still = new Set(cur.map(endpointString));
        for (const ep of prev) if (!still.has(endpointString(ep))) deletedUDPEndpoints.add(`${key}|${endpointString(ep)}`);
      }
    }
    for (const [key, cur] of c.current) {
      const prev = c.previous.get(key);
      if (!prev) {
        changedKeys.add(key);
        if (key.endsWith('/UDP') && cur.length > 0) newlyActiveUDPServices.add(key);
      }
      map.set(key, cur);
    }
  }
  return { updatedServices, changedKeys, deletedUDPEndpoints, newlyActiveUDPServices, lastChangeTriggerTimes: checkout.lastChangeTriggerTimes };
}
