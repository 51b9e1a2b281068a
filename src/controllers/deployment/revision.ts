/**
 * Revisions and the annotations a Deployment puts on its ReplicaSets (upstream
 * deployment/util/deployment_util.go): `deployment.kubernetes.io/revision`, the revision history
 * kept when an old ReplicaSet becomes the new one again (rollback), desired/max replicas, and
 * the Deployment's own annotations copied over (kubectl rollout undo copies them back).
 */
import type { DeploymentJson, ReplicaSetJson } from '../replicaset/workload-types.js';
import { specReplicas } from '../replicaset/workload-types.js';
import { byCreationTimestamp } from './replica-set-order.js';
import { maxSurge } from './rolling-update.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const DEPRECATED_ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';
/** Upstream maxRevHistoryLengthInChars. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Annotations never copied from a Deployment to its ReplicaSets (upstream annotationsToSkip). */
export const ANNOTATIONS_TO_SKIP: ReadonlySet<string> = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO_ANNOTATION,
]);

function parseRevision(v: string | undefined): number | undefined {
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** The revision of a ReplicaSet (0 when unset or unparsable). */
export function revisionOf(rs: ReplicaSetJson): number {
  return parseRevision(rs.metadata.annotations?.[REVISION_ANNOTATION]) ?? 0;
}

/** Highest revision among `rss` (0 for none). */
export function maxRevision(rss: readonly ReplicaSetJson[]): number {
  let max = 0;
  for (const rs of rss) max = Math.max(max, revisionOf(rs));
  return max;
}

/**
 * Copies the Deployment's annotations (but the skipped ones) onto `rs`, in place; true if anything
 * changed (upstream copyDeploymentAnnotationsToReplicaSet).
 */
export function copyDeploymentAnnotations(d: DeploymentJson, rs: ReplicaSetJson): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  return changed;
}

/** Sets desired-replicas and max-replicas on `rs`, in place; true if either changed. */
export function setReplicasAnnotations(rs: ReplicaSetJson, desired: number, max: number): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  let changed = false;
  if (annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (annotations[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

/** Whether desired-replicas/max-replicas on `rs` differ from the Deployment's current values. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSetJson, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/**
 * Upstream SetNewReplicaSetAnnotations, in place on `rs`: copy the Deployment's annotations, raise
 * the revision to `newRevision` if it is higher (remembering the previous one in the revision
 * history, which is what a rollback to an old ReplicaSet leaves behind) and, for a ReplicaSet
 * about to be created (`exists` false), set the replicas annotations. True if anything changed.
 */
export function setNewReplicaSetAnnotations(d: DeploymentJson, rs: ReplicaSetJson, newRevision: number, exists: boolean): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const annotations = (rs.metadata.annotations ??= {});
  const oldRaw = annotations[REVISION_ANNOTATION];
  let oldRevision = parseRevision(oldRaw);
  if (oldRevision === undefined) {
    if (oldRaw !== undefined && oldRaw !== '') return changed;
    oldRevision = 0;
  }
  if (oldRevision < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRaw !== undefined) {
      const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
      if (history === '') annotations[REVISION_HISTORY_ANNOTATION] = oldRaw;
      else {
        const parts = history.split(',');
        let total = history.length + oldRaw.length + 1;
        let start = 0;
        while (total > MAX_REVISION_HISTORY_CHARS && start < parts.length) {
          total -= (parts[start] ?? '').length + 1;
          start++;
        }
        if (total <= MAX_REVISION_HISTORY_CHARS) annotations[REVISION_HISTORY_ANNOTATION] = [...parts.slice(start), oldRaw].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, specReplicas(d), specReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/**
 * Old ReplicaSets to delete for `revisionHistoryLimit` (upstream cleanupDeployment): the oldest
 * revisions beyond the limit, skipping any that still have pods, are not yet observed at their
 * generation, or are already being deleted.
 */
export function replicaSetsToCleanUp(d: DeploymentJson, oldRSs: readonly ReplicaSetJson[]): ReplicaSetJson[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  const ordered = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreationTimestamp(a, b));
  return ordered
    .slice(0, diff)
    .filter(
      (rs) =>
        (rs.status?.replicas ?? 0) === 0 &&
        specReplicas(rs) === 0 &&
        (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0),
    );
}
