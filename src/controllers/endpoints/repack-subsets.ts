/**
 * Canonical layout of Endpoints subsets (upstream pkg/api/v1/endpoints RepackSubsets): expand
 * every (address, port) pair, then group addresses that offer exactly the same ports into one
 * subset. Within the result, addresses are sorted by IP then target UID, and ports and subsets
 * are in a fixed order, so two equal sets of endpoints always compare equal.
 *
 * Upstream orders ports and subsets by the md5 of a Go struct dump; that order is not
 * reproducible here, so a fixed order of our own is used (name/port/protocol for ports, the
 * first address for subsets). Only the order differs; the grouping is the same.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset } from './endpoints-types.js';

/** Placeholder port for subsets without ports, so their addresses are not dropped. */
const NO_PORT: EndpointPort = { port: -1 };

interface AddrState {
  readonly addr: EndpointAddress;
  ready: boolean;
}

const addressKey = (a: EndpointAddress): string => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;

const portKey = (p: EndpointPort): string => JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? null]);

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Upstream LessEndpointAddress as a comparator: by IP text, then no target before a target, then by UID. */
export function compareEndpointAddress(a: EndpointAddress, b: EndpointAddress): number {
  const c = cmpStr(a.ip, b.ip);
  if (c !== 0) return c;
  if (!a.targetRef && !b.targetRef) return 0;
  if (!a.targetRef) return -1;
  if (!b.targetRef) return 1;
  return cmpStr(a.targetRef.uid ?? '', b.targetRef.uid ?? '');
}

function comparePort(a: EndpointPort, b: EndpointPort): number {
  return cmpStr(a.name ?? '', b.name ?? '') || a.port - b.port || cmpStr(a.protocol ?? '', b.protocol ?? '') || cmpStr(a.appProtocol ?? '', b.appProtocol ?? '');
}

function compareSubset(a: EndpointSubset, b: EndpointSubset): number {
  const first = (s: EndpointSubset): EndpointAddress | undefined => s.addresses?.[0] ?? s.notReadyAddresses?.[0];
  const fa = first(a);
  const fb = first(b);
  if (fa && fb) {
    const c = compareEndpointAddress(fa, fb);
    if (c !== 0) return c;
  }
  return cmpStr(JSON.stringify(a), JSON.stringify(b));
}

/**
 * Returns new subsets in canonical form. An address listed both ready and not ready for the same
 * port ends up not ready (not-ready wins). Addresses are de-duplicated by IP + target UID (the
 * first occurrence's fields are kept). The input is not modified.
 */
export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const allAddrs = new Map<string, EndpointAddress>();
  // port key -> (port, address key -> state)
  const byPort = new Map<string, { port: EndpointPort; addrs: Map<string, AddrState> }>();

  const add = (addr: EndpointAddress, port: EndpointPort, ready: boolean): void => {
    const ak = addressKey(addr);
    let canonical = allAddrs.get(ak);
    if (!canonical) {
      canonical = structuredClone(addr);
      allAddrs.set(ak, canonical);
    }
    const pk = portKey(port);
    let entry = byPort.get(pk);
    if (!entry) {
      entry = { port, addrs: new Map() };
      byPort.set(pk, entry);
    }
    const prev = entry.addrs.get(ak);
    if (!prev) entry.addrs.set(ak, { addr: canonical, ready });
    else if (prev.ready) prev.ready = ready;
  };

  for (const subset of subsets) {
    const ports = subset.ports?.length ? subset.ports : [NO_PORT];
    for (const port of ports) {
      for (const a of subset.addresses ?? []) add(a, port, true);
      for (const a of subset.notReadyAddresses ?? []) add(a, port, false);
    }
  }

  // Group ports by the exact set of (address, readiness) that offers them.
  const groups = new Map<string, { addrs: AddrState[]; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    const states = [...addrs.values()].sort((x, y) => compareEndpointAddress(x.addr, y.addr));
    const key = JSON.stringify(states.map((s) => [s.addr, s.ready]));
    let g = groups.get(key);
    if (!g) {
      g = { addrs: states, ports: [] };
      groups.set(key, g);
    }
    if (port.port > 0) g.ports.push({ ...port });
  }

  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const subset: EndpointSubset = {};
    const ready = g.addrs.filter((s) => s.ready).map((s) => structuredClone(s.addr));
    const notReady = g.addrs.filter((s) => !s.ready).map((s) => structuredClone(s.addr));
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    if (g.ports.length) subset.ports = g.ports.sort(comparePort);
    out.push(subset);
  }
  return out.sort(compareSubset);
}
