/**
 * Capacity limit of one Endpoints object (upstream endpoint controller truncateEndpoints):
 * at most MAX_ENDPOINTS_CAPACITY addresses, ready ones kept in preference to not-ready ones,
 * the allowance spread over the subsets in proportion to their sizes (rounded up, so the last
 * subsets may get less).
 */
import type { EndpointAddress, EndpointSubset } from './endpoints-types.js';

/** Upstream maxCapacity. */
export const MAX_ENDPOINTS_CAPACITY = 1000;

/** Value of endpoints.kubernetes.io/over-capacity once addresses were dropped. */
export const OVER_CAPACITY_TRUNCATED = 'truncated';

export function countAddresses(subsets: readonly EndpointSubset[] | undefined): { ready: number; notReady: number } {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets ?? []) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  return { ready, notReady };
}

/**
 * Returns the subsets cut down to `capacity` addresses and whether anything was cut.
 * When the ready addresses alone exceed the capacity every not-ready address goes and the ready
 * ones are cut; otherwise only not-ready addresses are cut. Subsets left without any address are
 * dropped (an Endpoints subset must have one; upstream would leave it empty).
 */
export function truncateSubsets(subsets: readonly EndpointSubset[], capacity = MAX_ENDPOINTS_CAPACITY): { subsets: EndpointSubset[]; truncated: boolean } {
  const { ready, notReady } = countAddresses(subsets);
  if (ready + notReady <= capacity) return { subsets: [...subsets], truncated: false };

  const truncateReady = ready > capacity;
  const max = truncateReady ? capacity : capacity - ready;
  const total = truncateReady ? ready : notReady;
  let canBeAdded = max;
  const out: EndpointSubset[] = [];
  for (const s of subsets) {
    const source: readonly EndpointAddress[] = (truncateReady ? s.addresses : s.notReadyAddresses) ?? [];
    const share = Math.min(Math.ceil((source.length / total) * max), canBeAdded);
    const kept = source.slice(0, share);
    canBeAdded -= kept.length;
    const next: EndpointSubset = {};
    if (truncateReady) {
      if (kept.length) next.addresses = kept;
    } else {
      if (s.addresses?.length) next.addresses = s.addresses;
      if (kept.length) next.notReadyAddresses = kept;
    }
    if (s.ports?.length) next.ports = s.ports;
    if (next.addresses || next.notReadyAddresses) out.push(next);
  }
  return { subsets: out, truncated: true };
}
