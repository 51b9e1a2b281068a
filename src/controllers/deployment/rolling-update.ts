/**
 * RollingUpdate arithmetic (upstream deployment/util/deployment_util.go and rolling.go):
 * maxSurge/maxUnavailable resolution, how far the new ReplicaSet may grow, and how far the old
 * ReplicaSets may shrink. All pure; ReplicaSets are read, never changed.
 */
import type { DeploymentJson, ReplicaSetJson } from '../replicaset/workload-types.js';
import { specReplicas } from '../replicaset/workload-types.js';
import { byCreationTimestamp } from './replica-set-order.js';

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as is, `N%` of `total` rounded up (maxSurge) or
 * down (maxUnavailable). Throws for strings that are not percentages.
 */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage: ${JSON.stringify(v)}`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export interface Fenceposts {
  readonly maxSurge: number;
  readonly maxUnavailable: number;
}

/**
 * Upstream ResolveFenceposts: absolute maxSurge (rounded up) and maxUnavailable (rounded down)
 * for `desired` replicas; when both come out 0 (percentages rounding down), maxUnavailable is 1
 * so the rollout can still move.
 */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): Fenceposts {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { maxSurge: surge, maxUnavailable: unavailable };
}

export function isRollingUpdate(d: DeploymentJson): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** Upstream MaxSurge: 0 unless RollingUpdate. */
export function maxSurge(d: DeploymentJson): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, specReplicas(d)).maxSurge;
}

/** Upstream MaxUnavailable: 0 unless RollingUpdate with replicas, at most spec.replicas. */
export function maxUnavailable(d: DeploymentJson): number {
  const desired = specReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(desired, resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desired).maxUnavailable);
}

/** Sum of spec.replicas (upstream GetReplicaCountForReplicaSets). */
export function specReplicaSum(rss: readonly (ReplicaSetJson | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += specReplicas(rs);
  return n;
}

/** Sum of status.replicas (upstream GetActualReplicaCountForReplicaSets). */
export function actualReplicaSum(rss: readonly (ReplicaSetJson | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rs.status?.replicas ?? 0;
  return n;
}

export function readyReplicaSum(rss: readonly (ReplicaSetJson | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rs.status?.readyReplicas ?? 0;
  return n;
}

export function availableReplicaSum(rss: readonly (ReplicaSetJson | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rs.status?.availableReplicas ?? 0;
  return n;
}

/**
 * Upstream NewRSNewReplicas: the size the new ReplicaSet may have now. RollingUpdate grows it
 * while all ReplicaSets together stay within replicas + maxSurge (never above replicas);
 * Recreate jumps to replicas.
 */
export function newRSNewReplicas(d: DeploymentJson, allRSs: readonly ReplicaSetJson[], newRS: ReplicaSetJson): number {
  const desired = specReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const maxTotal = desired + maxSurge(d);
  const current = specReplicaSum(allRSs);
  const newSize = specReplicas(newRS);
  if (current >= maxTotal) return newSize;
  return newSize + Math.min(maxTotal - current, desired - newSize);
}

/** A new spec.replicas for one ReplicaSet. */
export interface ScaleStep {
  readonly name: string;
  readonly replicas: number;
}

/**
 * Upstream reconcileOldReplicaSets (cleanupUnhealthyReplicas + scaleDownOldReplicaSetsForRollingUpdate):
 * how far the old ReplicaSets may shrink while at least replicas - maxUnavailable pods stay
 * available. Unhealthy (unavailable) old replicas go first, then available ones, oldest
 * ReplicaSet first. Returns the resulting sizes of the old ReplicaSets that change.
 */
export function planOldReplicaSetScaleDown(d: DeploymentJson, oldRSs: readonly ReplicaSetJson[], newRS: ReplicaSetJson): ScaleStep[] {
  const active = oldRSs.filter((rs) => specReplicas(rs) > 0);
  const oldPods = specReplicaSum(active);
  if (oldPods === 0) return [];
  const desired = specReplicas(d);
  const minAvailable = desired - maxUnavailable(d);
  const allPods = specReplicaSum([...oldRSs, newRS]);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const sizes = new Map<string, number>();
  const sizeOf = (rs: ReplicaSetJson): number => sizes.get(rs.metadata.name ?? '') ?? specReplicas(rs);
  const ordered = [...active].sort(byCreationTimestamp);

  // Unhealthy replicas first: they count against availability anyway.
  let cleaned = 0;
  for (const rs of ordered) {
    if (cleaned >= maxScaledDown) break;
    const size = sizeOf(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size === available) continue;
    const n = Math.min(maxScaledDown - cleaned, size - available);
    sizes.set(rs.metadata.name ?? '', size - n);
    cleaned += n;
  }

  // Then available ones, as long as enough stay available overall.
  const availableNow = availableReplicaSum([...oldRSs, newRS]);
  if (availableNow > minAvailable) {
    const toScale = availableNow - minAvailable;
    let scaled = 0;
    for (const rs of ordered) {
      if (scaled >= toScale) break;
      const size = sizeOf(rs);
      if (size === 0) continue;
      const n = Math.min(size, toScale - scaled);
      sizes.set(rs.metadata.name ?? '', size - n);
      scaled += n;
    }
  }
  return ordered.filter((rs) => sizes.has(rs.metadata.name ?? '') && sizeOf(rs) !== specReplicas(rs)).map((rs) => ({ name: rs.metadata.name ?? '', replicas: sizeOf(rs) }));
}
