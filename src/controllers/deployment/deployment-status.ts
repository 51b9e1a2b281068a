/**
 * Deployment status and conditions (upstream sync.go calculateStatus, progress.go
 * syncRolloutStatus / requeueStuckDeployment and the condition helpers of deployment_util.go).
 * Pure: time comes in as `nowMs`.
 */
import { formatTime, parseTime } from '../replicaset/pod-util.js';
import type { ConditionJson, DeploymentJson, DeploymentStatusJson, ReplicaSetJson } from '../replicaset/workload-types.js';
import { specReplicas } from '../replicaset/workload-types.js';
import { actualReplicaSum, availableReplicaSum, maxUnavailable, readyReplicaSum, specReplicaSum } from './rolling-update.js';

// Condition reasons (upstream deploymentutil constants).
export const REASON = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  progressDeadlineExceeded: 'ProgressDeadlineExceeded',
  replicaSetCreateError: 'ReplicaSetCreateError',
  deploymentPaused: 'DeploymentPaused',
  deploymentResumed: 'DeploymentResumed',
} as const;

/** A condition as upstream NewDeploymentCondition makes it: both times now. */
export function newCondition(type: string, status: ConditionJson['status'], reason: string, message: string, nowMs: number): ConditionJson {
  const t = formatTime(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatusJson | undefined, type: string): ConditionJson | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Upstream SetDeploymentCondition, in place: a condition with the same status and reason is left
 * alone; the same status with another reason keeps its lastTransitionTime.
 */
export function setCondition(status: DeploymentStatusJson, cond: ConditionJson): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeCondition(status: DeploymentStatusJson, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** Upstream HasProgressDeadline (MaxInt32 means none). */
export function hasProgressDeadline(d: DeploymentJson): boolean {
  const pds = d.spec?.progressDeadlineSeconds;
  return typeof pds === 'number' && pds !== 2147483647;
}

/**
 * Upstream calculateStatus: counters summed over the ReplicaSets (replicas/updated/ready/available
 * from their status, unavailable from spec totals) and the Available condition.
 */
export function calculateStatus(allRSs: readonly (ReplicaSetJson | undefined)[], newRS: ReplicaSetJson | undefined, d: DeploymentJson, nowMs: number): DeploymentStatusJson {
  const available = availableReplicaSum(allRSs);
  const total = specReplicaSum(allRSs);
  const status: DeploymentStatusJson = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualReplicaSum(allRSs),
    updatedReplicas: actualReplicaSum([newRS]),
    readyReplicas: readyReplicaSum(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= specReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', REASON.minimumReplicasAvailable, 'Deployment has minimum availability.', nowMs));
  } else {
    setCondition(status, newCondition('Available', 'False', REASON.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', nowMs));
  }
  return status;
}

/** Upstream DeploymentComplete: every replica updated and available, and the spec observed. */
export function deploymentComplete(d: DeploymentJson, status: DeploymentStatusJson): boolean {
  const desired = specReplicas(d);
  return (
    (status.updatedReplicas ?? 0) === desired &&
    (status.replicas ?? 0) === desired &&
    (status.availableReplicas ?? 0) === desired &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** Upstream DeploymentProgressing: more updated/ready/available pods, or fewer old ones, than last time. */
export function deploymentProgressing(d: DeploymentJson, next: DeploymentStatusJson): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** Upstream DeploymentTimedOut: no progress reported for progressDeadlineSeconds. */
export function deploymentTimedOut(d: DeploymentJson, next: DeploymentStatusJson, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(next, 'Progressing');
  if (!cond) return false;
  if (cond.reason === REASON.newReplicaSetAvailable) return false;
  if (cond.reason === REASON.progressDeadlineExceeded) return true;
  const from = parseTime(cond.lastUpdateTime);
  if (from === undefined) return false;
  return from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}

/** A ReplicaSet's ReplicaFailure condition in Deployment form (upstream ReplicaSetToDeploymentCondition). */
function toDeploymentCondition(c: ConditionJson): ConditionJson {
  const out: ConditionJson = { type: c.type, status: c.status };
  if (c.lastTransitionTime) {
    out.lastUpdateTime = c.lastTransitionTime;
    out.lastTransitionTime = c.lastTransitionTime;
  }
  if (c.reason !== undefined) out.reason = c.reason;
  if (c.message !== undefined) out.message = c.message;
  return out;
}

function replicaFailures(allRSs: readonly (ReplicaSetJson | undefined)[], newRS: ReplicaSetJson | undefined): ConditionJson[] {
  const of = (rs: ReplicaSetJson | undefined): ConditionJson[] => (rs?.status?.conditions ?? []).filter((c) => c.type === 'ReplicaFailure').map(toDeploymentCondition);
  const fromNew = of(newRS);
  return fromNew.length ? fromNew : allRSs.flatMap(of);
}

/**
 * Upstream syncRolloutStatus: calculateStatus plus the Progressing condition (new RS progressing,
 * available, or past its deadline) and ReplicaFailure copied from the ReplicaSets.
 */
export function rolloutStatus(allRSs: readonly (ReplicaSetJson | undefined)[], newRS: ReplicaSetJson | undefined, d: DeploymentJson, nowMs: number): DeploymentStatusJson {
  const status = calculateStatus(allRSs, newRS, d, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const isComplete = status.replicas === status.updatedReplicas && current?.reason === REASON.newReplicaSetAvailable;
  if (hasProgressDeadline(d) && !isComplete) {
    const name = d.metadata.name ?? '';
    if (deploymentComplete(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name ?? ''}" has successfully progressed.` : `Deployment "${name}" has successfully progressed.`;
      setCondition(status, newCondition('Progressing', 'True', REASON.newReplicaSetAvailable, msg, nowMs));
    } else if (deploymentProgressing(d, status)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name ?? ''}" is progressing.` : `Deployment "${name}" is progressing.`;
      const cond = newCondition('Progressing', 'True', REASON.replicaSetUpdated, msg, nowMs);
      // Progress refreshes lastUpdateTime even when the reason stays the same.
      if (current) {
        if (current.status === 'True' && current.lastTransitionTime) cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, nowMs)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name ?? ''}" has timed out progressing.` : `Deployment "${name}" has timed out progressing.`;
      setCondition(status, newCondition('Progressing', 'False', REASON.progressDeadlineExceeded, msg, nowMs));
    }
  }
  const failures = replicaFailures(allRSs, newRS);
  if (failures[0]) setCondition(status, failures[0]);
  else removeCondition(status, 'ReplicaFailure');
  return status;
}

/**
 * Upstream requeueStuckDeployment: when a rollout is in progress without visible progress, the
 * milliseconds until just after its deadline (to check for ProgressDeadlineExceeded then), else undefined.
 */
export function stuckRequeueMs(d: DeploymentJson, next: DeploymentStatusJson, nowMs: number): number | undefined {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return undefined;
  if (deploymentComplete(d, next) || current.reason === REASON.progressDeadlineExceeded) return undefined;
  const from = parseTime(current.lastUpdateTime);
  if (from === undefined) return undefined;
  const after = from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - nowMs;
  // A second past the deadline (upstream also adds a second against clock skew; when the deadline
  // is under a second away it retries rate-limited instead, which this folds into the same wait).
  return Math.max(0, after) + 1000;
}

/** Whether two statuses are equal as JSON (upstream reflect.DeepEqual before writing). */
export function statusEqual(a: DeploymentStatusJson | undefined, b: DeploymentStatusJson): boolean {
  const norm = (s: DeploymentStatusJson | undefined): string => {
    const x = s ?? {};
    return JSON.stringify({
      observedGeneration: x.observedGeneration ?? 0,
      replicas: x.replicas ?? 0,
      updatedReplicas: x.updatedReplicas ?? 0,
      readyReplicas: x.readyReplicas ?? 0,
      availableReplicas: x.availableReplicas ?? 0,
      unavailableReplicas: x.unavailableReplicas ?? 0,
      collisionCount: x.collisionCount ?? null,
      conditions: (x.conditions ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '', c.lastUpdateTime ?? '', c.lastTransitionTime ?? '']),
    });
  };
  return norm(a) === norm(b);
}
