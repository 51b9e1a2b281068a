/**
 * The pure EndpointSlice reconciler: from a Service, the pods it selects, the nodes and the
 * slices that exist, a plan `{ toCreate, toUpdate, toDelete }` that makes the slices match the
 * pods with as few writes as possible (upstream staging/src/k8s.io/endpointslice reconciler.go).
 *
 * Per address type, pods are grouped by the port set they resolve (pods that expose different
 * named ports go to different slices). For each port set:
 *  1. existing slices keep the endpoints still wanted (changed ones replaced in place) and drop
 *     the rest; a slice left empty is deleted;
 *  2. new endpoints first fill the slices already being updated, fullest first;
 *  3. what is left goes into the unchanged slice it fills best, else into new slices.
 * Unchanged slices are not rewritten. A Service with no endpoints keeps one empty placeholder
 * slice. Creates paired with deletes become updates of the slice that would be deleted.
 */
import { isIPv6 } from 'node:net';
import { cloneJson } from '../../api/object.js';
import {
  endpointKey,
  endpointPortsForPod,
  endpointsEqualBeyondKey,
  podToEndpoint,
  portMapKey,
  shouldPodBeInEndpoints,
} from './pod-endpoint.js';
import {
  type AddressType,
  ANNOTATION_TOPOLOGY_AWARE_HINTS,
  ANNOTATION_TOPOLOGY_MODE,
  ANNOTATION_TRIGGER_TIME,
  CONTROLLER_NAME,
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
  LABEL_HEADLESS,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  type Node,
  type Pod,
  type Service,
  type ServiceEvent,
} from './slice-types.js';
import { type SliceSet, addTopologyHints, removeHintsFromSlices, zoneCpuRatios } from './topology-hints.js';
import { isValidTrafficDistribution, reconcileTrafficDistributionHints } from './traffic-distribution.js';

export interface ReconcileInput {
  readonly service: Service;
  /** Pods in the Service's namespace that its selector matches (the caller filters). */
  readonly pods: readonly Pod[];
  /** Nodes by name (or a list): an endpoint's zone comes from its node, and hints from all of them. */
  readonly nodes: ReadonlyMap<string, Node> | readonly Node[];
  /** The Service's slices managed by this controller (label selected), without ones being deleted. */
  readonly existingSlices: readonly EndpointSlice[];
  readonly maxEndpointsPerSlice: number;
  /** Used as the trigger time when `triggerTime` is not given. */
  readonly now: Date;
  /**
   * Value for `endpoints.kubernetes.io/last-change-trigger-time` on written slices (the
   * controller's trigger-time tracker computes it); null removes the annotation; undefined: `now`.
   */
  readonly triggerTime?: Date | null;
  /** Honour trafficDistribution PreferSameZone/PreferSameNode (1.33 PreferSameTrafficDistribution). Default true. */
  readonly preferSameTrafficDistribution?: boolean;
}

export interface ReconcilePlan {
  /** New slices (generateName set, no name). */
  readonly toCreate: EndpointSlice[];
  /** Full objects to PUT (existing ones carry their resourceVersion). */
  readonly toUpdate: EndpointSlice[];
  readonly toDelete: EndpointSlice[];
  /** Events to record on the Service (topology hints). */
  readonly events: ServiceEvent[];
  /** Pods left out for now because their node is unknown: the sync should be retried. */
  readonly skippedPods: string[];
  /** Hinted endpoints per zone when topology-mode Auto hints were applied, else null. */
  hintsByZone: Map<string, number> | null;
}

const emptyPlan = (): ReconcilePlan => ({ toCreate: [], toUpdate: [], toDelete: [], events: [], skippedPods: [], hintsByZone: null });

/** `service.kubernetes.io/topology-aware-hints` (wins when both are set) or `topology-mode` is Auto/auto. */
export function hintsEnabled(annotations: Readonly<Record<string, string>> | undefined): boolean {
  const a = annotations ?? {};
  const v = ANNOTATION_TOPOLOGY_AWARE_HINTS in a ? a[ANNOTATION_TOPOLOGY_AWARE_HINTS] : a[ANNOTATION_TOPOLOGY_MODE];
  return v === 'Auto' || v === 'auto';
}

/** The service selects pods (a nil or empty selector selects none) and is not ExternalName. */
export function serviceWantsSlices(service: Service): boolean {
  const sel = service.spec?.selector;
  return service.spec?.type !== 'ExternalName' && sel !== undefined && sel !== null && Object.keys(sel).length > 0;
}

function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

/** Address types from spec.ipFamilies; without them, the ClusterIP's family, or both when headless. */
export function addressTypesForService(service: Service): AddressType[] {
  const out = new Set<AddressType>();
  for (const f of service.spec?.ipFamilies ?? []) {
    if (f === 'IPv4') out.add('IPv4');
    if (f === 'IPv6') out.add('IPv6');
  }
  if (out.size > 0) return [...out];
  if (isServiceIPSet(service)) return [isIPv6(service.spec?.clusterIP ?? '') ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

const RESERVED_LABELS: ReadonlySet<string> = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

function sameStringMap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/**
 * The labels a slice of this service should carry: the service's labels (reserved keys
 * excluded), the headless marker, service-name and managed-by. `changed` compares only the
 * non-reserved labels, as upstream (so edits of reserved labels on the Service do not churn).
 */
export function sliceLabels(slice: EndpointSlice | undefined, service: Service): { labels: Record<string, string>; changed: boolean } {
  const fromSlice: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice?.metadata.labels ?? {})) if (!RESERVED_LABELS.has(k)) fromSlice[k] = v;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata.labels ?? {})) if (!RESERVED_LABELS.has(k)) labels[k] = v;
  const changed = !sameStringMap(fromSlice, labels);
  if (!isServiceIPSet(service)) labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = service.metadata.name ?? '';
  labels[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  return { labels, changed };
}

/** The slice has an ownerReference to this Service (uid, kind Service, apiVersion v1). */
export function ownedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === service.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

function newSlice(service: Service, ports: EndpointPort[] | undefined, addressType: AddressType): EndpointSlice {
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${service.metadata.name ?? ''}-`,
      namespace: service.metadata.namespace,
      labels: sliceLabels(undefined, service).labels,
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Service', name: service.metadata.name ?? '', uid: service.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
    addressType,
    endpoints: [],
  };
  if (ports && ports.length > 0) slice.ports = ports.map((p) => ({ ...p }));
  return slice;
}

function sameOwnerRefs(a: EndpointSlice, b: EndpointSlice): boolean {
  const ra = a.metadata.ownerReferences ?? [];
  const rb = b.metadata.ownerReferences ?? [];
  const norm = (o: (typeof ra)[number]): string => JSON.stringify([o.apiVersion, o.kind, o.name, o.uid, o.controller ?? null, o.blockOwnerDeletion ?? null]);
  return ra.length === rb.length && ra.every((o, i) => rb[i] !== undefined && norm(o) === norm(rb[i]));
}

/** Whether an existing slice already is the placeholder (annotations and name aside). */
function isSamePlaceholder(existing: EndpointSlice, placeholder: EndpointSlice): boolean {
  return (
    existing.metadata.namespace === placeholder.metadata.namespace &&
    sameStringMap(existing.metadata.labels ?? {}, placeholder.metadata.labels ?? {}) &&
    sameOwnerRefs(existing, placeholder) &&
    existing.addressType === placeholder.addressType &&
    (existing.endpoints ?? []).length === 0 &&
    (existing.ports ?? []).length === 0
  );
}

/** Go's RFC3339Nano in UTC: fractional seconds without trailing zeros. */
export function formatTriggerTime(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

/** The slice that will be closest to full after adding `n` endpoints, if any fits (upstream getSliceToFill). */
function sliceToFill(slices: readonly EndpointSlice[], n: number, max: number): EndpointSlice | undefined {
  let closestDiff = max;
  let closest: EndpointSlice | undefined;
  for (const s of slices) {
    const diff = max - (n + (s.endpoints ?? []).length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = s;
      if (diff === 0) return s;
    }
  }
  return closest;
}

function takeFirst(desired: Map<string, Endpoint>): Endpoint | undefined {
  for (const [k, ep] of desired) {
    desired.delete(k);
    return ep;
  }
  return undefined;
}

interface PortMapResult {
  toCreate: EndpointSlice[];
  toUpdate: EndpointSlice[];
  toDelete: EndpointSlice[];
}

/** Steps 1-3 of the module comment for the slices of one port set. `desired` is consumed. */
function reconcilePortMap(
  service: Service,
  existing: readonly EndpointSlice[],
  desired: Map<string, Endpoint>,
  ports: EndpointPort[],
  addressType: AddressType,
  max: number,
): PortMapResult {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();

  // 1. Keep wanted endpoints, replace changed ones, drop the rest.
  for (const slice of existing) {
    const name = slice.metadata.name ?? '';
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let endpointUpdated = false;
    for (const ep of slice.endpoints ?? []) {
      const key = endpointKey(ep);
      const want = desired.get(key);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondKey(want, ep)) endpointUpdated = true;
      desired.delete(key);
    }
    const { labels, changed: labelsChanged } = sliceLabels(slice, service);
    if (endpointUpdated || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) {
        toDelete.add(name);
      } else {
        const copy = cloneJson(slice);
        copy.endpoints = kept;
        copy.metadata.labels = labels;
        byName.set(name, copy);
        toUpdate.add(name);
      }
    } else if (labelsChanged) {
      const copy = cloneJson(slice);
      copy.metadata.labels = labels;
      byName.set(name, copy);
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }

  // 2. Fill the slices being written anyway, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n) as EndpointSlice);
    slices.sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const s of slices) {
      while (desired.size > 0 && s.endpoints.length < max) s.endpoints.push(takeFirst(desired) as Endpoint);
    }
  }

  // 3. The rest: into the unchanged slice it fills best, else into new slices.
  const toCreate: EndpointSlice[] = [];
  while (desired.size > 0) {
    let target: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      const found = sliceToFill([...unchanged].map((n) => byName.get(n) as EndpointSlice), desired.size, max);
      if (found) {
        target = cloneJson(found);
        byName.set(target.metadata.name ?? '', target);
      }
    }
    target ??= newSlice(service, ports, addressType);
    target.endpoints ??= [];
    while (desired.size > 0 && target.endpoints.length < max) target.endpoints.push(takeFirst(desired) as Endpoint);
    if (target.metadata.name) {
      toUpdate.add(target.metadata.name);
      unchanged.delete(target.metadata.name);
    } else {
      toCreate.push(target);
    }
  }

  return {
    toCreate,
    toUpdate: [...toUpdate].map((n) => byName.get(n) as EndpointSlice),
    toDelete: [...toDelete].map((n) => byName.get(n) as EndpointSlice),
  };
}

function nodeLookup(nodes: ReadonlyMap<string, Node> | readonly Node[]): ReadonlyMap<string, Node> {
  if (!Array.isArray(nodes)) return nodes as ReadonlyMap<string, Node>;
  return new Map((nodes as readonly Node[]).map((n) => [n.metadata.name ?? '', n]));
}

/**
 * Computes the writes that bring the Service's EndpointSlices in line with its pods. Pure: the
 * inputs are not modified (objects in the plan are fresh or copies). See the module comment.
 */
export function reconcile(input: ReconcileInput): ReconcilePlan {
  const { service } = input;
  const plan = emptyPlan();
  if (!serviceWantsSlices(service)) {
    // Slices this controller made for an earlier selector are stale now.
    plan.toDelete.push(...input.existingSlices);
    return plan;
  }
  const nodes = nodeLookup(input.nodes);
  const supported = addressTypesForService(service);
  const byType = new Map<string, EndpointSlice[]>();
  for (const s of input.existingSlices) {
    if (!(supported as string[]).includes(s.addressType)) {
      plan.toDelete.push(s);
      continue;
    }
    let list = byType.get(s.addressType);
    if (!list) byType.set(s.addressType, (list = []));
    list.push(s);
  }
  for (const addressType of supported) {
    reconcileAddressType(input, nodes, addressType, byType.get(addressType) ?? [], plan);
  }
  return plan;
}

function reconcileAddressType(
  input: ReconcileInput,
  nodes: ReadonlyMap<string, Node>,
  addressType: AddressType,
  existing: readonly EndpointSlice[],
  plan: ReconcilePlan,
): void {
  const { service } = input;
  const max = Math.max(1, input.maxEndpointsPerSlice);
  let toCreate: EndpointSlice[] = [];
  let toUpdate: EndpointSlice[] = [];
  const toDelete: EndpointSlice[] = [];

  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!ownedBy(s, service)) {
      toDelete.push(s);
      continue;
    }
    const key = portMapKey(s.ports);
    let list = existingByPorts.get(key);
    if (!list) existingByPorts.set(key, (list = []));
    list.push(s);
  }

  const desiredByPorts = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>();
  for (const pod of input.pods) {
    if (!shouldPodBeInEndpoints(pod)) continue;
    const ports = endpointPortsForPod(service, pod);
    const key = portMapKey(ports);
    let group = desiredByPorts.get(key);
    if (!group) desiredByPorts.set(key, (group = { ports, endpoints: new Map() }));
    const node = nodes.get(pod.spec?.nodeName ?? '');
    if (!node && service.spec?.publishNotReadyAddresses !== true) {
      // Upstream leaves such a pod out and retries the Service, so a pod bound to a node
      // that no longer exists cannot keep the slices stuck.
      if (!plan.skippedPods.includes(pod.metadata.name ?? '')) plan.skippedPods.push(pod.metadata.name ?? '');
      continue;
    }
    const ep = podToEndpoint(pod, node, service, addressType);
    if (ep.addresses.length > 0) group.endpoints.set(endpointKey(ep), ep);
  }

  for (const [key, group] of desiredByPorts) {
    const r = reconcilePortMap(service, existingByPorts.get(key) ?? [], group.endpoints, group.ports, addressType, max);
    toCreate.push(...r.toCreate);
    toUpdate.push(...r.toUpdate);
    toDelete.push(...r.toDelete);
  }
  for (const [key, slices] of existingByPorts) if (!desiredByPorts.has(key)) toDelete.push(...slices);

  // A Service without endpoints keeps one empty slice, so consumers can tell "no endpoints" from "not synced".
  if (existing.length === toDelete.length && toCreate.length === 0) {
    const placeholder = newSlice(service, undefined, addressType);
    const only = toDelete[0];
    if (toDelete.length === 1 && only && isSamePlaceholder(only, placeholder)) toDelete.length = 0;
    else toCreate.push(placeholder);
  }

  // Hints.
  const changed = new Set([...toUpdate, ...toDelete].map((s) => s.metadata.name));
  const si: SliceSet = { toCreate, toUpdate, unchanged: existing.filter((s) => !changed.has(s.metadata.name)) };
  const td = service.spec?.trafficDistribution;
  const auto = hintsEnabled(service.metadata.annotations);
  const useTrafficDistribution = isValidTrafficDistribution(td, input.preferSameTrafficDistribution ?? true) && !auto;
  if (auto) {
    const r = addTopologyHints(si, zoneCpuRatios([...nodes.values()]), addressType);
    plan.events.push(...r.events);
    if (r.hintsByZone) {
      const merged = plan.hintsByZone ?? new Map<string, number>();
      for (const [z, n] of r.hintsByZone) merged.set(z, (merged.get(z) ?? 0) + n);
      plan.hintsByZone = merged;
    }
  } else if (!useTrafficDistribution) {
    removeHintsFromSlices(si);
  }
  if (useTrafficDistribution) reconcileTrafficDistributionHints(td, si);
  toCreate = si.toCreate;
  toUpdate = si.toUpdate;

  finalize(input, toCreate, toUpdate, toDelete, plan);
}

/** Turns creates into updates of slices about to be deleted, stamps the trigger time, fills the plan. */
function finalize(input: ReconcileInput, toCreate: EndpointSlice[], toUpdate: EndpointSlice[], toDelete: EndpointSlice[], plan: ReconcilePlan): void {
  const { service } = input;
  for (let i = 0; i < toDelete.length && toCreate.length > 0; ) {
    const del = toDelete[i] as EndpointSlice;
    const created = toCreate[toCreate.length - 1] as EndpointSlice;
    // Only reuse slices of this Service (not of an older one with the same name) and the same address type.
    if (del.addressType === created.addressType && ownedBy(del, service)) {
      created.metadata.name = del.metadata.name;
      toCreate.pop();
      toUpdate.push(created);
      toDelete.splice(i, 1);
    } else {
      i++;
    }
  }
  const trigger = input.triggerTime === undefined ? input.now : input.triggerTime;
  const stamp = (s: EndpointSlice): void => {
    const annotations = { ...(s.metadata.annotations ?? {}) };
    if (trigger) annotations[ANNOTATION_TRIGGER_TIME] = formatTriggerTime(trigger);
    else delete annotations[ANNOTATION_TRIGGER_TIME];
    s.metadata.annotations = annotations;
  };
  // No new slices for a Service being deleted: the garbage collector would race to remove them.
  if (!service.metadata.deletionTimestamp) {
    for (const s of toCreate) {
      stamp(s);
      plan.toCreate.push(s);
    }
  }
  for (const s of toUpdate) {
    stamp(s);
    plan.toUpdate.push(s);
  }
  plan.toDelete.push(...toDelete);
}
