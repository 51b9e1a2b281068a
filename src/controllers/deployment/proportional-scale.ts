/**
 * Scaling a Deployment whose replicas changed (upstream sync.go `scale` and
 * deploymentutil.GetReplicaSetProportion): with one active ReplicaSet it simply takes the new
 * size; during a rollout the difference is spread over the active ReplicaSets in proportion to
 * their size, judged against the max-replicas annotation they were last scaled for.
 */
import type { DeploymentJson, ReplicaSetJson } from '../replicaset/workload-types.js';
import { specReplicas } from '../replicaset/workload-types.js';
import { byCreationTimestamp, bySizeNewer, bySizeOlder } from './replica-set-order.js';
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION } from './revision.js';
import { isRollingUpdate, maxSurge, specReplicaSum } from './rolling-update.js';

export interface ScaleTarget {
  readonly name: string;
  readonly replicas: number;
  /**
   * Write the replicas annotations even when the size stays (upstream scaleReplicaSet is called
   * for every ReplicaSet during a proportional scale; scaleReplicaSetAndRecordEvent skips equal sizes).
   */
  readonly evenIfSameSize: boolean;
}

const isActive = (rs: ReplicaSetJson | undefined): rs is ReplicaSetJson => rs !== undefined && specReplicas(rs) > 0;

/** Upstream FindActiveOrLatest: the only active ReplicaSet, or the newest one if none is active; undefined if several are. */
export function findActiveOrLatest(newRS: ReplicaSetJson | undefined, oldRSs: readonly ReplicaSetJson[]): ReplicaSetJson | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = [...newestFirst, newRS].filter(isActive);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** Upstream IsSaturated: the new ReplicaSet has, wants and has available all the replicas. */
export function isSaturated(d: DeploymentJson, rs: ReplicaSetJson | undefined): boolean {
  if (!rs) return false;
  const raw = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return false;
  const desired = specReplicas(d);
  return specReplicas(rs) === desired && Number(raw) === desired && (rs.status?.availableReplicas ?? 0) === desired;
}

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Upstream getReplicaSetFraction: how many replicas `rs` gains (or loses) for the Deployment's new size. */
function replicaSetFraction(rs: ReplicaSetJson, d: DeploymentJson): number {
  const desired = specReplicas(d);
  if (desired === 0) return -specReplicas(rs);
  const maxReplicas = desired + maxSurge(d);
  const raw = rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION];
  let before = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : 0;
  // Without the annotation (someone scaled the RS by hand) fall back to the current total.
  if (before === 0) before = d.status?.replicas ?? 0;
  if (before === 0) return 0;
  return roundHalfAway((specReplicas(rs) * maxReplicas) / before) - specReplicas(rs);
}

function proportion(rs: ReplicaSetJson, d: DeploymentJson, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** The ReplicaSet sizes after a scaling event (upstream `scale`); empty when nothing changes. */
export function planScale(d: DeploymentJson, newRS: ReplicaSetJson | undefined, oldRSs: readonly ReplicaSetJson[]): ScaleTarget[] {
  const desired = specReplicas(d);
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) {
    if (specReplicas(single) === desired) return [];
    return [{ name: single.metadata.name ?? '', replicas: desired, evenIfSameSize: false }];
  }
  if (isSaturated(d, newRS)) {
    return oldRSs.filter(isActive).map((rs) => ({ name: rs.metadata.name ?? '', replicas: 0, evenIfSameSize: false }));
  }
  if (!isRollingUpdate(d)) return [];

  const active = [...oldRSs, newRS].filter(isActive);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - specReplicaSum(active);
  if (toAdd > 0) active.sort(bySizeNewer);
  else if (toAdd < 0) active.sort(bySizeOlder);

  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of active) {
    const p = toAdd !== 0 ? proportion(rs, d, toAdd, added) : 0;
    sizes.set(rs.metadata.name ?? '', specReplicas(rs) + p);
    added += p;
  }
  const first = active[0];
  if (first && toAdd !== 0) {
    // Leftovers from rounding go to the largest ReplicaSet.
    const name = first.metadata.name ?? '';
    sizes.set(name, Math.max(0, (sizes.get(name) ?? 0) + toAdd - added));
  }
  return active.map((rs) => ({ name: rs.metadata.name ?? '', replicas: sizes.get(rs.metadata.name ?? '') ?? specReplicas(rs), evenIfSameSize: true }));
}
