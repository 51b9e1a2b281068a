/**
 * The StatefulSet reconciler, pure (upstream stateful_set_control.go, updateStatefulSet):
 * given a set and the pods it owns, the writes to make now, in order, and the status to report.
 *
 * - Replicas are ordinals [start, start+replicas); pods outside are condemned.
 * - OrderedReady ("monotonic"): create ordinal N only when every lower ordinal is Running and
 *   Ready (and available after minReadySeconds); delete condemned pods from the highest
 *   ordinal, one at a time, each only once its successors are gone. Parallel: all at once.
 * - Pods that Failed or Succeeded are deleted, and recreated on a later pass once gone.
 * - RollingUpdate: once all replicas are healthy, delete the highest-ordinal pod at or above
 *   the partition that is not at the update revision; it comes back at the update revision.
 *   Pods below the partition are (re)created at the current revision.
 * - Status counts what exists; the rollout completes (currentRevision := updateRevision) when
 *   every created pod is updated and ready.
 *
 * Each write assumes the previous ones succeeded; the caller stops at the first failure.
 */
import {
  identityLabels,
  identityMatches,
  isCreated,
  isFailed,
  isHealthy,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  msUntilAvailable,
  newStatefulSetPod,
  ordinalOf,
  revisionOf,
  startOrdinal,
} from './statefulset-pods.js';
import { templateFromPod, updateRevisionName } from './statefulset-revision.js';
import type { Pod, PodTemplate, StatefulSet, StatefulSetStatus } from './statefulset-types.js';

export type StatefulSetAction =
  | { readonly kind: 'create'; readonly pod: Pod }
  | { readonly kind: 'delete'; readonly pod: Pod; readonly why: 'condemned' | 'finished' | 'update' }
  /** Put back identity labels someone removed or changed. */
  | { readonly kind: 'fixIdentity'; readonly pod: Pod; readonly labels: Readonly<Record<string, string>> };

export interface StatefulSetPlan {
  readonly actions: readonly StatefulSetAction[];
  readonly status: StatefulSetStatus;
  /** Look again after this long (a ready pod becoming available under minReadySeconds). */
  readonly requeueAfterMs?: number;
}

export interface PlanInput {
  readonly set: StatefulSet;
  /** Pods the set owns and whose names make them members (already claimed). */
  readonly pods: readonly Pod[];
  readonly nowMs: number;
}

/** Upstream computeReplicaStatus + completeRollingUpdate. */
export function computeStatus(set: StatefulSet, pods: readonly Pod[], currentRevision: string, updateRevision: string, nowMs: number): StatefulSetStatus {
  const minReady = set.spec?.minReadySeconds ?? 0;
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let current = 0;
  let updated = 0;
  for (const pod of pods) {
    if (isCreated(pod)) replicas++;
    if (isRunningAndReady(pod)) {
      ready++;
      if (msUntilAvailable(pod, minReady, nowMs) === 0) available++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const rev = revisionOf(pod);
      if (rev === currentRevision) current++;
      if (rev === updateRevision) updated++;
    }
  }
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation ?? 0,
    replicas,
    readyReplicas: ready,
    currentReplicas: current,
    updatedReplicas: updated,
    availableReplicas: available,
    currentRevision,
    updateRevision,
    collisionCount: set.status?.collisionCount ?? 0,
  };
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && updated === replicas && ready === replicas) {
    status.currentReplicas = updated;
    status.currentRevision = updateRevision;
  }
  return status;
}

export function planStatefulSet(input: PlanInput): StatefulSetPlan {
  const { set, pods, nowMs } = input;
  const spec = set.spec ?? {};
  const start = startOrdinal(set);
  const replicaCount = spec.replicas ?? 1;
  const minReady = spec.minReadySeconds ?? 0;
  const monotonic = spec.podManagementPolicy !== 'Parallel';
  const updateRevision = updateRevisionName(set);
  const currentRevision = set.status?.currentRevision || updateRevision;
  const status = computeStatus(set, pods, currentRevision, updateRevision, nowMs);

  if (set.metadata.deletionTimestamp) return { actions: [], status };

  // The current revision's template, recovered from a pod that has it (see statefulset-revision.ts).
  let currentTemplate: PodTemplate | undefined;
  if (currentRevision !== updateRevision) {
    const carrier = pods.find((p) => revisionOf(p) === currentRevision);
    if (carrier) currentTemplate = templateFromPod(carrier);
  }
  const partition = spec.updateStrategy?.type === 'OnDelete' ? undefined : (spec.updateStrategy?.rollingUpdate?.partition ?? 0);
  const newPod = (index: number): Pod => {
    // Below the partition pods stay at the current revision; OnDelete recreates at the update revision.
    if (partition !== undefined && index < partition && currentTemplate) return newStatefulSetPod(set, start + index, currentTemplate, currentRevision);
    return newStatefulSetPod(set, start + index, spec.template ?? {}, updateRevision);
  };

  const slots: { pod: Pod; exists: boolean }[] = [];
  const byIndex = new Map<number, Pod>();
  const condemned: Pod[] = [];
  for (const pod of pods) {
    const ord = ordinalOf(pod);
    if (ord >= start && ord < start + replicaCount) byIndex.set(ord - start, pod);
    else if (ord >= 0) condemned.push(pod);
  }
  for (let i = 0; i < replicaCount; i++) {
    const pod = byIndex.get(i);
    slots.push(pod ? { pod, exists: true } : { pod: newPod(i), exists: false });
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

  // The first unhealthy pod, in ordinal order: replicas first, then condemned from the lowest.
  let firstUnhealthy: Pod | undefined = slots.find((s) => !s.exists || !isHealthy(s.pod))?.pod;
  if (!firstUnhealthy) firstUnhealthy = [...condemned].reverse().find((p) => !isHealthy(p));

  const actions: StatefulSetAction[] = [];
  let requeueAfterMs: number | undefined;
  const waitAvailable = (pod: Pod): boolean => {
    const ms = msUntilAvailable(pod, minReady, nowMs);
    if (ms === undefined || ms === 0) return ms === undefined;
    requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, ms + 1);
    return true;
  };
  const done = (): StatefulSetPlan => ({ actions, status, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) });

  // 1. Living replicas, in ordinal order.
  for (const slot of slots) {
    const pod = slot.pod;
    if (slot.exists && (isFailed(pod) || isSucceeded(pod))) {
      if (!isTerminating(pod)) actions.push({ kind: 'delete', pod, why: 'finished' });
      if (monotonic) return done();
      continue;
    }
    if (!slot.exists) {
      actions.push({ kind: 'create', pod });
      if (monotonic) return done();
      continue;
    }
    if (monotonic && isTerminating(pod)) return done();
    if (monotonic && !isRunningAndReady(pod)) return done();
    if (monotonic && waitAvailable(pod)) return done();
    if (!identityMatches(set, pod)) actions.push({ kind: 'fixIdentity', pod, labels: identityLabels(set, ordinalOf(pod)) });
  }

  // 2. Condemned pods, highest ordinal first.
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return done();
      continue;
    }
    if (monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || waitAvailable(pod))) return done();
    actions.push({ kind: 'delete', pod, why: 'condemned' });
    if (monotonic) return done();
  }

  // 3. Rolling update, from the highest ordinal down to the partition, one pod at a time.
  if (partition === undefined) return done();
  for (let i = slots.length - 1; i >= partition; i--) {
    const slot = slots[i];
    if (!slot) continue;
    if (slot.exists && revisionOf(slot.pod) !== updateRevision && !isTerminating(slot.pod)) {
      actions.push({ kind: 'delete', pod: slot.pod, why: 'update' });
      return done();
    }
    if (!slot.exists || !isHealthy(slot.pod)) return done();
  }
  return done();
}
