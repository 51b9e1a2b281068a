/**
 * Hints for `spec.trafficDistribution` (upstream staging/src/k8s.io/endpointslice/trafficdist):
 * PreferClose and PreferSameZone hint every ready endpoint for its own zone; PreferSameNode
 * also for its own node (`forNodes`). Any other value removes hints.
 */
import { cloneJson } from '../../api/object.js';
import type { Endpoint, EndpointSlice } from './slice-types.js';
import type { SliceSet } from './topology-hints.js';

export const PREFER_CLOSE = 'PreferClose';
export const PREFER_SAME_ZONE = 'PreferSameZone';
export const PREFER_SAME_NODE = 'PreferSameNode';

/** Values this controller acts on (PreferSameZone/PreferSameNode as in 1.33 with PreferSameTrafficDistribution on). */
export function isValidTrafficDistribution(value: string | undefined, preferSameEnabled = true): boolean {
  if (value === PREFER_CLOSE) return true;
  return preferSameEnabled && (value === PREFER_SAME_ZONE || value === PREFER_SAME_NODE);
}

interface Heuristic {
  needsUpdate(slice: EndpointSlice): boolean;
  update(slice: EndpointSlice): void;
}

const ready = (ep: Endpoint): boolean => ep.conditions?.ready === true;

/** Cluster-wide routing: no hints at all. */
const noHints: Heuristic = {
  needsUpdate: (slice) => (slice.endpoints ?? []).some((ep) => ep.hints !== undefined),
  update: (slice) => {
    for (const ep of slice.endpoints ?? []) delete ep.hints;
  },
};

function preferClose(nodeHints: boolean): Heuristic {
  return {
    needsUpdate(slice) {
      for (const ep of slice.endpoints ?? []) {
        if (!ready(ep)) continue;
        const zones = ep.hints?.forZones ?? [];
        if (ep.zone !== undefined) {
          if (zones.length !== 1 || zones[0]?.name !== ep.zone) return true;
        } else if (zones.length > 0) {
          return true;
        }
        const nodes = ep.hints?.forNodes ?? [];
        if (ep.nodeName !== undefined && nodeHints) {
          if (nodes.length !== 1 || nodes[0]?.name !== ep.nodeName) return true;
        } else if (nodes.length > 0) {
          return true;
        }
      }
      return false;
    },
    update(slice) {
      // Endpoints that are not ready keep whatever hints they had, as upstream.
      for (const ep of slice.endpoints ?? []) {
        if (!ready(ep)) continue;
        const hints: NonNullable<Endpoint['hints']> = {};
        if (ep.zone !== undefined) hints.forZones = [{ name: ep.zone }];
        if (ep.nodeName !== undefined && nodeHints) hints.forNodes = [{ name: ep.nodeName }];
        if (hints.forZones || hints.forNodes) ep.hints = hints;
        else delete ep.hints;
      }
    },
  };
}

/**
 * Brings hints in line with `trafficDistribution` (upstream trafficdist.ReconcileHints):
 * unchanged slices with missing or wrong hints are copied into `toUpdate`, then every slice to
 * create or update gets the heuristic's hints. Mutates `si`.
 */
export function reconcileTrafficDistributionHints(trafficDistribution: string | undefined, si: SliceSet): void {
  const close = trafficDistribution === PREFER_CLOSE || trafficDistribution === PREFER_SAME_ZONE || trafficDistribution === PREFER_SAME_NODE;
  const h = close ? preferClose(trafficDistribution === PREFER_SAME_NODE) : noHints;
  const still: EndpointSlice[] = [];
  for (const s of si.unchanged) {
    if (h.needsUpdate(s)) si.toUpdate.push(cloneJson(s));
    else still.push(s);
  }
  si.unchanged = still;
  for (const s of si.toCreate) h.update(s);
  for (const s of si.toUpdate) h.update(s);
}
