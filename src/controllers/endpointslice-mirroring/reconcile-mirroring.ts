/**
 * The EndpointSlice mirroring controller's pure reconciler (upstream
 * pkg/controller/endpointslicemirroring reconciler): turns a hand-written Endpoints object of a
 * selectorless Service into EndpointSlices and returns the creates, updates and deletes needed to
 * get from the existing mirrored slices there.
 *
 * Layout: the Endpoints subsets are repacked; every subset becomes one slice per address family
 * (its addresses up to `maxEndpointsPerSubset`, ready from `addresses`, not ready from
 * `notReadyAddresses`). Slices are keyed by address type + port set; the first existing slice
 * of a key is updated in place when anything differs, extra ones are deleted, and a create that
 * coincides with a delete of the same address type reuses the doomed slice instead.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { EndpointAddress, EndpointPort, Endpoints, Service } from '../endpoints/endpoints-types.js';
import { ANNOTATION_LAST_APPLIED, ANNOTATION_LAST_CHANGE_TRIGGER_TIME, ANNOTATION_LEADER_ELECTION, serviceSelector } from '../endpoints/endpoints-types.js';
import { repackSubsets } from '../endpoints/repack-subsets.js';
import {
  type AddressType,
  type EndpointSlice,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_SKIP_MIRROR,
  MIRRORING_CONTROLLER_NAME,
  type SliceEndpoint,
  type SlicePort,
} from './endpointslice-types.js';

/** kube-controller-manager --mirroring-max-endpoints-per-subset default. */
export const DEFAULT_MAX_ENDPOINTS_PER_SUBSET = 1000;

export interface MirroringInput {
  readonly namespace: string;
  readonly name: string;
  /** The Endpoints object, or undefined when it does not exist. */
  readonly endpoints: Endpoints | undefined;
  /** The Service of the same name, or undefined when it does not exist. */
  readonly service: Service | undefined;
  /** Slices this controller mirrored for that name (managed-by + service-name labels). */
  readonly existingSlices: readonly EndpointSlice[];
  readonly maxEndpointsPerSubset?: number;
}

export interface MirroringPlan {
  readonly toCreate: EndpointSlice[];
  readonly toUpdate: EndpointSlice[];
  readonly toDelete: EndpointSlice[];
  /** Addresses that are not IPs and were not mirrored. */
  readonly invalidAddresses: number;
  /** Addresses beyond maxEndpointsPerSubset that were not mirrored. */
  readonly skippedAddresses: number;
  /** Why everything mirrored is removed, when that is the decision. */
  readonly cleanupReason?: string;
}

/**
 * Upstream shouldMirror (without the Service check): not labelled skip-mirror=true and not a
 * leader-election lock.
 */
export function shouldMirror(endpoints: Endpoints): boolean {
  if (endpoints.metadata.labels?.[LABEL_SKIP_MIRROR] === 'true') return false;
  if (endpoints.metadata.annotations?.[ANNOTATION_LEADER_ELECTION] !== undefined) return false;
  return true;
}

/** An IP's address type and canonical text (Go net.IP.String()), or undefined if not an IP. */
export function parseEndpointIP(ip: string): { type: AddressType; ip: string } | undefined {
  if (isIPv4(ip)) return { type: 'IPv4', ip };
  if (!isIPv6(ip) || ip.includes('%')) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] && isIPv4(mapped[1])) return { type: 'IPv4', ip: mapped[1] };
  return { type: 'IPv6', ip: new URL(`http://[${ip}]/`).hostname.slice(1, -1) };
}

function toSlicePort(p: EndpointPort): SlicePort {
  const out: SlicePort = { name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port };
  if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
  return out;
}

/** Identity of a port set: independent of order; missing name/protocol read as ''/TCP. */
function portsKey(ports: readonly SlicePort[] | null | undefined): string {
  return JSON.stringify(
    (ports ?? [])
      .map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port ?? null, p.appProtocol ?? null])
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
  );
}

const sliceKey = (type: AddressType | undefined, ports: readonly SlicePort[] | null | undefined): string => `${type ?? 'IPv4'}|${portsKey(ports)}`;

/** Identity of an endpoint within a slice (upstream hashEndpoint): addresses, hostname, target. */
function endpointKey(ep: SliceEndpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** Upstream EndpointsEqualBeyondHash: node, zone, conditions and target (ignoring its resourceVersion). */
function endpointsEqualBeyondKey(a: SliceEndpoint, b: SliceEndpoint): boolean {
  const ref = (e: SliceEndpoint): unknown => (e.targetRef ? { ...e.targetRef, resourceVersion: undefined } : undefined);
  return (
    (a.nodeName ?? null) === (b.nodeName ?? null) &&
    (a.zone ?? null) === (b.zone ?? null) &&
    (a.conditions?.ready ?? null) === (b.conditions?.ready ?? null) &&
    (a.conditions?.serving ?? null) === (b.conditions?.serving ?? null) &&
    (a.conditions?.terminating ?? null) === (b.conditions?.terminating ?? null) &&
    isDeepStrictEqual(JSON.parse(JSON.stringify(ref(a) ?? null)), JSON.parse(JSON.stringify(ref(b) ?? null)))
  );
}

function addressToEndpoint(addr: EndpointAddress, ready: boolean): { type: AddressType; endpoint: SliceEndpoint } | undefined {
  const parsed = parseEndpointIP(addr.ip);
  if (!parsed) return undefined;
  const endpoint: SliceEndpoint = { addresses: [parsed.ip], conditions: { ready } };
  if (addr.hostname) endpoint.hostname = addr.hostname;
  if (addr.targetRef) endpoint.targetRef = structuredClone(addr.targetRef);
  if (addr.nodeName) endpoint.nodeName = addr.nodeName;
  return { type: parsed.type, endpoint };
}

const withoutKeys = (m: Record<string, string> | undefined, ...keys: string[]): Record<string, string> => {
  const out = { ...(m ?? {}) };
  for (const k of keys) delete out[k];
  return out;
};

/** Labels and annotations a mirrored slice carries, from its Endpoints. */
function sliceMeta(endpoints: Endpoints): { labels: Record<string, string>; annotations: Record<string, string> } {
  return {
    labels: { ...(endpoints.metadata.labels ?? {}), [LABEL_SERVICE_NAME]: endpoints.metadata.name ?? '', [LABEL_MANAGED_BY]: MIRRORING_CONTROLLER_NAME },
    annotations: withoutKeys(endpoints.metadata.annotations, ANNOTATION_LAST_CHANGE_TRIGGER_TIME, ANNOTATION_LAST_APPLIED),
  };
}

/** A new mirrored slice (generateName `<name>-`) or the replacement content of an existing one. */
function buildSlice(endpoints: Endpoints, type: AddressType, ports: SlicePort[], items: SliceEndpoint[], existing?: EndpointSlice): EndpointSlice {
  const name = endpoints.metadata.name ?? '';
  const { labels, annotations } = sliceMeta(endpoints);
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      ...(existing ? { name: existing.metadata.name, resourceVersion: existing.metadata.resourceVersion } : { generateName: `${name}-` }),
      namespace: endpoints.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name, uid: endpoints.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    addressType: type,
    endpoints: items,
    ports,
  };
}

interface DesiredGroup {
  readonly type: AddressType;
  readonly ports: SlicePort[];
  readonly endpoints: Map<string, SliceEndpoint>;
}

const byName = (a: EndpointSlice, b: EndpointSlice): number => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0);

function emptyPlan(cleanup: readonly EndpointSlice[], reason: string): MirroringPlan {
  return { toCreate: [], toUpdate: [], toDelete: [...cleanup], invalidAddresses: 0, skippedAddresses: 0, cleanupReason: reason };
}

/**
 * Decides the slice writes for one Endpoints name. Everything mirrored is deleted when the
 * Endpoints object is gone or must not be mirrored (skip-mirror, leader election), when the
 * Service is gone, or when the Service has a selector (its slices come from the EndpointSlice
 * controller then).
 */
export function reconcileMirroring(input: MirroringInput): MirroringPlan {
  const { endpoints, service } = input;
  const existing = [...input.existingSlices].sort(byName);
  if (!endpoints) return emptyPlan(existing, 'endpoints not found');
  if (!shouldMirror(endpoints)) return emptyPlan(existing, 'endpoints must not be mirrored');
  if (!service) return emptyPlan(existing, 'service not found');
  if (serviceSelector(service)) return emptyPlan(existing, 'service has a selector');

  const max = input.maxEndpointsPerSubset ?? DEFAULT_MAX_ENDPOINTS_PER_SUBSET;
  const desired = new Map<string, DesiredGroup>();
  let invalidAddresses = 0;
  let skippedAddresses = 0;

  for (const subset of repackSubsets(endpoints.subsets ?? [])) {
    const ports = (subset.ports ?? []).map(toSlicePort);
    // Both families get a key, so that slices of a family with no addresses left are removed.
    for (const type of ['IPv4', 'IPv6'] as const) {
      const key = sliceKey(type, ports);
      if (!desired.has(key)) desired.set(key, { type, ports, endpoints: new Map() });
    }
    const total = (subset.addresses?.length ?? 0) + (subset.notReadyAddresses?.length ?? 0);
    let added = 0;
    const addAll = (addrs: readonly EndpointAddress[] | undefined, ready: boolean): void => {
      for (const addr of addrs ?? []) {
        if (added >= max) return;
        const ep = addressToEndpoint(addr, ready);
        if (!ep) {
          invalidAddresses++;
          continue;
        }
        desired.get(sliceKey(ep.type, ports))?.endpoints.set(endpointKey(ep.endpoint), ep.endpoint);
        added++;
      }
    };
    addAll(subset.addresses, true);
    addAll(subset.notReadyAddresses, false);
    skippedAddresses += total - added;
  }
  skippedAddresses -= invalidAddresses;

  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const key = sliceKey(s.addressType, s.ports);
    existingByKey.set(key, [...(existingByKey.get(key) ?? []), s]);
  }

  const toCreate: EndpointSlice[] = [];
  const toUpdate: EndpointSlice[] = [];
  const toDelete: EndpointSlice[] = [];
  const { labels: wantLabels, annotations: wantAnnotations } = sliceMeta(endpoints);
  const compareLabels = withoutKeys(wantLabels, LABEL_MANAGED_BY, LABEL_SERVICE_NAME);

  for (const [key, group] of desired) {
    const current = existingByKey.get(key) ?? [];
    if (group.endpoints.size === 0) {
      toDelete.push(...current);
      continue;
    }
    const [first, ...rest] = current;
    toDelete.push(...rest);
    if (first) {
      const want = group.endpoints;
      let changed = false;
      let matches = 0;
      for (const ep of first.endpoints ?? []) {
        const w = want.get(endpointKey(ep));
        if (!w || !endpointsEqualBeyondKey(w, ep)) {
          changed = true;
          break;
        }
        matches++;
      }
      if (matches !== want.size) changed = true;
      const sameMeta =
        isDeepStrictEqual(withoutKeys(first.metadata.labels, LABEL_MANAGED_BY, LABEL_SERVICE_NAME), compareLabels) &&
        isDeepStrictEqual({ ...(first.metadata.annotations ?? {}) }, wantAnnotations);
      if (!changed && sameMeta) continue;
    }
    const items = [...group.endpoints.values()].slice(0, max);
    const slice = buildSlice(endpoints, group.type, group.ports, items, first);
    (first ? toUpdate : toCreate).push(slice);
  }
  for (const [key, slices] of existingByKey) {
    if (!desired.has(key)) toDelete.push(...slices);
  }

  // Reuse slices about to be deleted for slices about to be created (same address type).
  for (let i = 0; i < toCreate.length; ) {
    const create = toCreate[i] as EndpointSlice;
    const j = toDelete.findIndex((d) => d.addressType === create.addressType);
    if (j < 0) {
      i++;
      continue;
    }
    const [victim] = toDelete.splice(j, 1) as [EndpointSlice];
    toCreate.splice(i, 1);
    const { generateName: _g, ...meta } = create.metadata;
    toUpdate.push({ ...create, metadata: { ...meta, name: victim.metadata.name, resourceVersion: victim.metadata.resourceVersion } });
  }

  return { toCreate, toUpdate, toDelete, invalidAddresses, skippedAddresses };
}
