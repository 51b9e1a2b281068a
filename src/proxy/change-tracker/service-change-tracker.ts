/**
 * Records Service changes as `{previous, current}` per Service until the
 * proxier drains them (kube-proxy's ServiceChangeTracker). Handlers call
 * `update()`; the sync loop calls `checkout()` and applies the result to its
 * ServicePortMap with `applyServiceChanges()`.
 */
import type { KubeObject } from '../../api/object.js';
import type { IPFamily, ServicePortInfo, ServicePortKey } from '../types.js';
import { servicePortsFromService } from './service-port.js';

export interface ServiceChange {
  /** `ns/name`. */
  readonly service: string;
  readonly previous: ReadonlyMap<ServicePortKey, ServicePortInfo>;
  readonly current: ReadonlyMap<ServicePortKey, ServicePortInfo>;
}

export interface ServiceMapUpdate {
  /** `ns/name` of every Service with a change applied. */
  readonly updatedServices: ReadonlySet<string>;
  /** Service port keys added, removed or changed. */
  readonly changedKeys: ReadonlySet<ServicePortKey>;
  /** Cluster IPs of UDP ports that went away (kernel modes flush conntrack for them). */
  readonly deletedUDPClusterIPs: ReadonlySet<string>;
}

function samePorts(a: ReadonlyMap<ServicePortKey, ServicePortInfo>, b: ReadonlyMap<ServicePortKey, ServicePortInfo>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || JSON.stringify(v) !== JSON.stringify(w)) return false;
  }
  return true;
}

export class ServiceChangeTracker {
  private readonly family: IPFamily;
  private readonly items = new Map<string, { previous: ReadonlyMap<ServicePortKey, ServicePortInfo>; current: ReadonlyMap<ServicePortKey, ServicePortInfo> }>();

  constructor(opts: { readonly ipFamily: IPFamily }) {
    this.family = opts.ipFamily;
  }

  /**
   * Records a transition (add: previous undefined; delete: current undefined).
   * A change that cancels out an earlier pending one is dropped. Returns true
   * while any change is pending (upstream semantics).
   */
  update(previous: KubeObject | undefined, current: KubeObject | undefined): boolean {
    const obj = current ?? previous;
    if (!obj) return this.items.size > 0;
    const nsn = `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name ?? ''}`;
    let change = this.items.get(nsn);
    if (!change) {
      change = { previous: servicePortsFromService(previous, this.family), current: new Map() };
      this.items.set(nsn, change);
    }
    change.current = servicePortsFromService(current, this.family);
    if (samePorts(change.previous, change.current)) this.items.delete(nsn);
    return this.items.size > 0;
  }

  /** Number of Services with a change not yet checked out (kubeproxy_sync_proxy_rules_service_changes_pending). */
  pendingCount(): number {
    return this.items.size;
  }

  /** Hands over the pending changes and forgets them. */
  checkout(): ServiceChange[] {
    const out = [...this.items].map(([service, c]) => ({ service, previous: c.previous, current: c.current }));
    this.items.clear();
    return out;
  }
}

/** Applies checked-out changes to `map` in place (upstream ServicePortMap.Update). */
export function applyServiceChanges(map: Map<ServicePortKey, ServicePortInfo>, changes: readonly ServiceChange[]): ServiceMapUpdate {
  const updatedServices = new Set<string>();
  const changedKeys = new Set<ServicePortKey>();
  const deletedUDPClusterIPs = new Set<string>();
  for (const c of changes) {
    updatedServices.add(c.service);
    for (const [key, info] of c.current) {
      const old = map.get(key);
      if (!old || JSON.stringify(old) !== JSON.stringify(info)) changedKeys.add(key);
      map.set(key, info);
    }
    for (const [key, info] of c.previous) {
      if (c.current.has(key)) continue;
      map.delete(key);
      changedKeys.add(key);
      if (info.protocol === 'UDP') for (const ip of info.clusterIPs) deletedUDPClusterIPs.add(ip);
    }
  }
  return { updatedServices, changedKeys, deletedUDPClusterIPs };
}
