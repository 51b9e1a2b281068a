/**
 * Orders of ReplicaSets the Deployment controller relies on (upstream controller.ReplicaSetsBy*
 * and deploymentutil.ReplicaSetsByRevision). Comparators for Array.prototype.sort.
 */
import type { ReplicaSetJson } from '../replicaset/workload-types.js';
import { specReplicas } from '../replicaset/workload-types.js';

function created(rs: ReplicaSetJson): number {
  const t = Date.parse(rs.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Oldest first; equal times by name. */
export function byCreationTimestamp(a: ReplicaSetJson, b: ReplicaSetJson): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Largest first; equal sizes oldest first (scaling down). */
export function bySizeOlder(a: ReplicaSetJson, b: ReplicaSetJson): number {
  return specReplicas(b) - specReplicas(a) || byCreationTimestamp(a, b);
}

/** Largest first; equal sizes newest first (scaling up). */
export function bySizeNewer(a: ReplicaSetJson, b: ReplicaSetJson): number {
  return specReplicas(b) - specReplicas(a) || byCreationTimestamp(b, a);
}
