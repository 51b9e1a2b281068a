/**
 * The pure part of the ReplicaSet controller (upstream pkg/controller/replicaset/replica_set.go
 * manageReplicas + calculateStatus): from a ReplicaSet and the active pods it owns, how many pods
 * to create, which to delete, and the status to report.
 */
import { cloneJson } from '../../api/object.js';
import { newControllerRef } from './controller-ref.js';
import { podsToDelete } from './pod-ranking.js';
import { formatTime, isPodAvailable, isPodReady } from './pod-util.js';
import type { ConditionJson, PodJson, ReplicaSetJson, ReplicaSetStatusJson } from './workload-types.js';
import { specReplicas } from './workload-types.js';

/** Upstream BurstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;

export interface ReplicaPlanInput {
  readonly rs: ReplicaSetJson;
  /** Active pods the ReplicaSet owns (after adoption and release). */
  readonly pods: readonly PodJson[];
  /** Pods of the whole family (for a Deployment's RS: all its ReplicaSets' pods), for ranking. */
  readonly relatedPods?: readonly PodJson[];
  readonly nowMs: number;
}

export type ReplicaPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'create'; readonly count: number }
  | { readonly kind: 'delete'; readonly pods: readonly PodJson[] };

/** What manageReplicas would do: create the missing pods or delete the surplus (at most BURST_REPLICAS). */
export function planReplicas(input: ReplicaPlanInput): ReplicaPlan {
  const diff = input.pods.length - specReplicas(input.rs);
  if (diff < 0) return { kind: 'create', count: Math.min(-diff, BURST_REPLICAS) };
  if (diff > 0) {
    const count = Math.min(diff, BURST_REPLICAS);
    return { kind: 'delete', pods: podsToDelete(input.pods, input.relatedPods ?? input.pods, count, input.nowMs) };
  }
  return { kind: 'none' };
}

/**
 * The pod a ReplicaSet creates (upstream GetPodFromTemplate): the template's labels, annotations,
 * finalizers and spec, `generateName: <rs>-` and a controller reference to the ReplicaSet.
 */
export function podFromTemplate(rs: ReplicaSetJson): PodJson {
  const tmpl = rs.spec?.template ?? {};
  const meta = tmpl.metadata ?? {};
  const pod: PodJson = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name ?? ''}-`,
      namespace: rs.metadata.namespace,
      ownerReferences: [newControllerRef({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name ?? '', uid: rs.metadata.uid ?? '' })],
    },
    spec: cloneJson(tmpl.spec ?? {}),
  };
  if (meta.labels && Object.keys(meta.labels).length) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/** Wait the batches double in (upstream slowStartBatch sizes: 1, 2, 4, ... up to `count`). */
export function slowStartBatches(count: number, initial = 1): number[] {
  const out: number[] = [];
  let remaining = count;
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining)) {
    out.push(size);
    remaining -= size;
  }
  return out;
}

function labelsMatch(template: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(template ?? {})) if (labels?.[k] !== v) return false;
  return true;
}

export interface ManageError {
  /** Whether pods were missing (FailedCreate) or surplus (FailedDelete). */
  readonly message: string;
}

/**
 * The status a sync reports (upstream calculateStatus + observedGeneration): counts over the
 * active owned pods and a ReplicaFailure condition while creating or deleting fails.
 */
export function calculateReplicaSetStatus(rs: ReplicaSetJson, pods: readonly PodJson[], manageError: ManageError | undefined, nowMs: number): ReplicaSetStatusJson {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = rs.spec?.template?.metadata?.labels;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    if (labelsMatch(templateLabels, p.metadata.labels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, nowMs)) available++;
    }
  }
  let conditions: ConditionJson[] = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const diff = pods.length - specReplicas(rs);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: formatTime(nowMs), reason, message: manageError.message });
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaSetStatusJson = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Whether `next` differs from the stored status (upstream compares counters, generation and conditions). */
export function replicaSetStatusChanged(current: ReplicaSetStatusJson | undefined, next: ReplicaSetStatusJson): boolean {
  const c = current ?? {};
  return (
    (c.replicas ?? 0) !== (next.replicas ?? 0) ||
    (c.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0) ||
    (c.readyReplicas ?? 0) !== (next.readyReplicas ?? 0) ||
    (c.availableReplicas ?? 0) !== (next.availableReplicas ?? 0) ||
    (c.observedGeneration ?? 0) !== (next.observedGeneration ?? 0) ||
    JSON.stringify(c.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}

/**
 * When to look at the ReplicaSet again for pods that become available once minReadySeconds pass
 * (upstream resyncs after minReadySeconds; this returns the exact wait for the earliest pod), or
 * undefined when no pod is waiting.
 */
export function nextAvailabilityCheckMs(rs: ReplicaSetJson, pods: readonly PodJson[], nowMs: number): number | undefined {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  if (minReady <= 0) return undefined;
  let next: number | undefined;
  for (const p of pods) {
    if (!isPodReady(p) || isPodAvailable(p, minReady, nowMs)) continue;
    const since = Date.parse(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
    const wait = Number.isNaN(since) ? minReady * 1000 : since + minReady * 1000 - nowMs + 1;
    next = next === undefined ? wait : Math.min(next, wait);
  }
  return next === undefined ? undefined : Math.max(1, next);
}
