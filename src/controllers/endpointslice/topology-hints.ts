/**
 * Topology Aware Routing hints for Services annotated
 * `service.kubernetes.io/topology-mode: Auto` (upstream topologycache): each zone gets a share
 * of the ready endpoints proportional to the allocatable CPU of its ready nodes, within an
 * overload threshold of 20%. Endpoints are first hinted for their own zone, then zones with
 * too many give endpoints to zones with too few.
 *
 * Differences from upstream, kept small on purpose:
 * - upstream keeps the per-zone CPU ratios in a long-lived cache updated on node events; here
 *   they are computed from the node list on each sync (`zoneCpuRatios`), which is pure;
 * - map iteration order (random in Go) is replaced by sorted zone names, so results are stable;
 * - endpoints that are not ready have their hints cleared (upstream intends to but clears a copy).
 */
import { cloneJson } from '../../api/object.js';
import { type Endpoint, type EndpointSlice, LABEL_TOPOLOGY_ZONE, type Node, type ServiceEvent } from './slice-types.js';

/** Most overload an endpoint should see relative to an even spread (upstream overloadThreshold). */
export const OVERLOAD_THRESHOLD = 0.2;

export const MSG_NO_ZONE_SPECIFIED = 'One or more endpoints do not have a zone specified';
export const MSG_NO_ALLOCATED_HINTS = 'No hints allocated for zones';
export const MSG_HINTS_ENABLED = 'Topology Aware Hints has been enabled';
export const MSG_HINTS_DISABLED = 'Topology Aware Hints has been disabled';
export const MSG_INSUFFICIENT_NODE_INFO = 'Insufficient Node information: allocatable CPU or zone not specified on one or more nodes';
export const MSG_ONE_ZONE_ONLY = 'Nodes only ready in one zone';
export const MSG_INSUFFICIENT_ENDPOINTS = 'Insufficient number of endpoints';
export const MSG_MIN_ALLOCATION_EXCEEDS = 'Unable to allocate minimum required endpoints to each zone without exceeding overload threshold';

/**
 * The slices of one sync as the reconciler has them: ones to create and update (owned by the
 * plan, may be changed in place) and unchanged ones (shared, cloned before any change and then
 * moved to `toUpdate`).
 */
export interface SliceSet {
  toCreate: EndpointSlice[];
  toUpdate: EndpointSlice[];
  unchanged: EndpointSlice[];
}

export interface Allocation {
  readonly minimum: number;
  readonly maximum: number;
  readonly desired: number;
}

const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A resource.Quantity as milli-units (rounded up, as Quantity.MilliValue); 0 when unparsable. */
export function parseMilliQuantity(q: string | undefined): number {
  if (!q) return 0;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec(q.trim());
  if (!m) return 0;
  const value = Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? 1) * 1000;
  return Number.isFinite(value) ? Math.ceil(value - 1e-9) : 0;
}

function isNodeReady(node: Node): boolean {
  const c = (node.status?.conditions ?? []).find((x) => x.type === 'Ready');
  return c?.status === 'True';
}

/** Control-plane nodes do not count towards zone capacity. */
function hasExcludedLabels(node: Node): boolean {
  const l = node.metadata.labels ?? {};
  return 'node-role.kubernetes.io/control-plane' in l || 'node-role.kubernetes.io/master' in l;
}

/**
 * Share of allocatable CPU per zone over the ready, non-control-plane nodes; null when any such
 * node lacks a zone label or CPU, or when fewer than two zones have capacity (upstream SetNodes).
 */
export function zoneCpuRatios(nodes: readonly Node[]): Map<string, number> | null {
  const cpuByZone = new Map<string, number>();
  let total = 0;
  for (const node of nodes) {
    if (hasExcludedLabels(node) || !isNodeReady(node)) continue;
    const zone = node.metadata.labels?.[LABEL_TOPOLOGY_ZONE];
    const cpu = parseMilliQuantity(node.status?.allocatable?.cpu);
    if (!zone || cpu <= 0) return null;
    total += cpu;
    cpuByZone.set(zone, (cpuByZone.get(zone) ?? 0) + cpu);
  }
  if (total === 0 || cpuByZone.size < 2) return null;
  const ratios = new Map<string, number>();
  for (const zone of [...cpuByZone.keys()].sort()) ratios.set(zone, (cpuByZone.get(zone) ?? 0) / total);
  return ratios;
}

/**
 * Minimum, desired and maximum number of endpoints per zone, or the reason hints cannot be
 * allocated (upstream getAllocations).
 */
export function getAllocations(
  numEndpoints: number,
  ratios: ReadonlyMap<string, number> | null,
): { ok: true; allocations: Map<string, Allocation> } | { ok: false; message: string } {
  if (!ratios) return { ok: false, message: MSG_INSUFFICIENT_NODE_INFO };
  if (ratios.size < 2) return { ok: false, message: MSG_ONE_ZONE_ONLY };
  if (ratios.size > numEndpoints) return { ok: false, message: `${MSG_INSUFFICIENT_ENDPOINTS} (${numEndpoints} endpoints, ${ratios.size} zones)` };
  let remaining = numEndpoints;
  let minTotal = 0;
  const partial = new Map<string, { minimum: number; desired: number }>();
  for (const [zone, ratio] of ratios) {
    const desired = ratio * numEndpoints;
    const minimum = Math.ceil(desired * (1 / (1 + OVERLOAD_THRESHOLD)));
    partial.set(zone, { minimum, desired: Math.max(desired, minimum) });
    minTotal += minimum;
    remaining -= minimum;
    if (remaining < 0) return { ok: false, message: `${MSG_MIN_ALLOCATION_EXCEEDS} (${numEndpoints} endpoints, ${ratios.size} zones)` };
  }
  const allocations = new Map<string, Allocation>();
  for (const [zone, a] of partial) allocations.set(zone, { ...a, maximum: a.minimum + numEndpoints - minTotal });
  return { ok: true, allocations };
}

function endpointReady(ep: Endpoint): boolean {
  return ep.conditions?.ready === true;
}

function countReady(slices: readonly EndpointSlice[]): number {
  let n = 0;
  for (const s of slices) for (const ep of s.endpoints ?? []) if (endpointReady(ep)) n++;
  return n;
}

/**
 * Clears hints on every slice being created or updated, and moves unchanged slices that carry
 * any hint to `toUpdate` (cleared copies). Mutates `si`.
 */
export function removeHintsFromSlices(si: SliceSet): void {
  for (const s of [...si.toCreate, ...si.toUpdate]) for (const ep of s.endpoints ?? []) delete ep.hints;
  const still: EndpointSlice[] = [];
  for (const s of si.unchanged) {
    if ((s.endpoints ?? []).some((ep) => ep.hints !== undefined)) {
      const copy = cloneJson(s);
      for (const ep of copy.endpoints ?? []) delete ep.hints;
      si.toUpdate.push(copy);
    } else {
      still.push(s);
    }
  }
  si.unchanged = still;
}

/**
 * Hints per zone in an unchanged slice, or null when the slice must be rewritten: a ready
 * endpoint without a zone hint, a hint for a zone that gets no allocation, or more hints than a
 * zone's maximum (upstream getHintsByZone).
 */
function hintsByZoneOf(slice: EndpointSlice, allocated: ReadonlyMap<string, number>, allocations: ReadonlyMap<string, Allocation>): Map<string, number> | null {
  const byZone = new Map<string, number>();
  for (const ep of slice.endpoints ?? []) {
    if (!endpointReady(ep)) continue;
    const zones = ep.hints?.forZones ?? [];
    if (zones.length === 0) return null;
    for (const z of zones) {
      if (!allocations.has(z.name)) return null;
      byZone.set(z.name, (byZone.get(z.name) ?? 0) + 1);
    }
  }
  for (const [zone, n] of byZone) {
    const a = allocations.get(zone);
    if (!a || n + (allocated.get(zone) ?? 0) > a.maximum) return null;
  }
  return byZone;
}

function getMost(zones: ReadonlyMap<string, number>): [string, number] {
  let zone = '';
  let num = 0;
  for (const [z, n] of zones) {
    if (n > num) {
      zone = z;
      num = n;
    }
  }
  return [zone, num];
}

/**
 * Whole endpoints each zone should give away or receive, from fractional surpluses and
 * deficits against `desired` (upstream getGivingAndReceivingZones).
 */
export function givingAndReceivingZones(
  allocations: ReadonlyMap<string, Allocation>,
  allocated: ReadonlyMap<string, number>,
): { giving: Map<string, number>; receiving: Map<string, number> } {
  const givingDesired = new Map<string, number>();
  const receivingDesired = new Map<string, number>();
  for (const [zone, a] of allocations) {
    const have = allocated.get(zone) ?? 0;
    if (have > a.desired) givingDesired.set(zone, have - a.desired);
    else if (have < a.desired) receivingDesired.set(zone, a.desired - have);
  }
  const giving = new Map<string, number>();
  const receiving = new Map<string, number>();
  for (;;) {
    const [gz, toGive] = getMost(givingDesired);
    const [rz, toReceive] = getMost(receivingDesired);
    if (gz === '' || rz === '' || (toGive < 1 && toReceive < 1) || toGive < 0.5 || toReceive < 0.5) break;
    giving.set(gz, (giving.get(gz) ?? 0) + 1);
    givingDesired.set(gz, toGive - 1);
    receiving.set(rz, (receiving.get(rz) ?? 0) + 1);
    receivingDesired.set(rz, toReceive - 1);
  }
  return { giving, receiving };
}

/** Re-hints ready endpoints of giving zones for receiving zones; returns the change per zone. */
function redistributeHints(slices: readonly EndpointSlice[], giving: Map<string, number>, receiving: Map<string, number>): Map<string, number> {
  const changes = new Map<string, number>();
  const bump = (z: string, d: number): void => {
    changes.set(z, (changes.get(z) ?? 0) + d);
  };
  for (const slice of slices) {
    for (const ep of slice.endpoints ?? []) {
      if (!endpointReady(ep)) continue;
      if (giving.size === 0 || receiving.size === 0) return changes;
      if (!ep.zone) continue;
      const from = ep.zone;
      const toGive = giving.get(from) ?? 0;
      if (toGive <= 0) continue;
      for (const to of [...receiving.keys()].sort()) {
        const toReceive = receiving.get(to) ?? 0;
        if (toReceive <= 0) continue;
        ep.hints = { forZones: [{ name: to }] };
        if (toGive === 1) giving.delete(from);
        else giving.set(from, toGive - 1);
        if (toReceive === 1) receiving.delete(to);
        else receiving.set(to, toReceive - 1);
        bump(to, 1);
        bump(from, -1);
        break;
      }
    }
  }
  return changes;
}

export interface AddHintsResult {
  /** Ready endpoints hinted per zone, or null when hints were removed instead. */
  readonly hintsByZone: Map<string, number> | null;
  readonly events: ServiceEvent[];
}

const disabled = (message: string, addressType: string): ServiceEvent => ({
  type: 'Warning',
  reason: 'TopologyAwareHintsDisabled',
  message: `${message}, addressType: ${addressType}`,
});

/**
 * Adds or corrects zone hints on the slices of one address type (upstream TopologyCache.AddHints).
 * Mutates `si`; unchanged slices whose hints no longer fit are copied into `toUpdate`. When no
 * valid allocation exists every hint is removed and a Warning event explains why.
 */
export function addTopologyHints(si: SliceSet, ratios: ReadonlyMap<string, number> | null, addressType: string): AddHintsResult {
  const total = countReady(si.toCreate) + countReady(si.toUpdate) + countReady(si.unchanged);
  const alloc = getAllocations(total, ratios);
  if (!alloc.ok) {
    removeHintsFromSlices(si);
    return { hintsByZone: null, events: [disabled(alloc.message, addressType)] };
  }
  const { allocations } = alloc;

  // Keep unchanged slices whose hints still fit; the rest are rewritten.
  const allocated = new Map<string, number>();
  const still: EndpointSlice[] = [];
  for (const s of si.unchanged) {
    const byZone = hintsByZoneOf(s, allocated, allocations);
    if (!byZone) {
      si.toUpdate.push(cloneJson(s));
      continue;
    }
    still.push(s);
    for (const [z, n] of byZone) allocated.set(z, (allocated.get(z) ?? 0) + n);
  }
  si.unchanged = still;

  // 1. Every ready endpoint starts hinted for its own zone.
  const writable = [...si.toCreate, ...si.toUpdate];
  for (const s of writable) {
    for (const ep of s.endpoints ?? []) {
      if (!endpointReady(ep)) {
        delete ep.hints;
        continue;
      }
      if (!ep.zone) {
        removeHintsFromSlices(si);
        return { hintsByZone: null, events: [disabled(MSG_NO_ZONE_SPECIFIED, addressType)] };
      }
      allocated.set(ep.zone, (allocated.get(ep.zone) ?? 0) + 1);
      ep.hints = { forZones: [{ name: ep.zone }] };
    }
  }

  // 2-3. Zones above their share give endpoints to zones below it.
  const { giving, receiving } = givingAndReceivingZones(allocations, allocated);
  for (const [zone, d] of redistributeHints(writable, giving, receiving)) allocated.set(zone, (allocated.get(zone) ?? 0) + d);

  if (allocated.size === 0) {
    removeHintsFromSlices(si);
    return { hintsByZone: null, events: [disabled(MSG_NO_ALLOCATED_HINTS, addressType)] };
  }
  return { hintsByZone: allocated, events: [] };
}

/**
 * True when some zone has fewer hinted endpoints than its minimum share under the given
 * ratios (upstream serviceOverloaded): the Service needs a new sync after a node change.
 */
export function serviceOverloaded(hintsByZone: ReadonlyMap<string, number>, ratios: ReadonlyMap<string, number> | null): boolean {
  if (hintsByZone.size === 0) return false;
  if (!ratios || ratios.size === 0) return true;
  let total = 0;
  for (const n of hintsByZone.values()) total += n;
  for (const [zone, ratio] of ratios) {
    const have = hintsByZone.get(zone);
    if (have === undefined) return true;
    if (have < Math.ceil(total * ratio * (1 / (1 + OVERLOAD_THRESHOLD)))) return true;
  }
  return false;
}
