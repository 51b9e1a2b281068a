/**
 * Pod predicates the workload controllers share (upstream pkg/api/v1/pod and
 * pkg/controller/controller_utils.go): active, ready, available, controller references.
 */
import type { KubeObject, OwnerReference } from '../../api/object.js';
import type { ConditionJson, PodJson } from './workload-types.js';

/** A pod counts toward its controller until it terminates or is being deleted (IsPodActive). */
export function isPodActive(pod: PodJson): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** The pod's Ready condition, if any. */
export function podReadyCondition(pod: PodJson): ConditionJson | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: PodJson): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** Milliseconds since the epoch of an RFC 3339 time, or undefined when absent or unparsable. */
export function parseTime(t: string | null | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Ready for at least `minReadySeconds` at `nowMs` (upstream IsPodAvailable: a pod without a
 * transition time counts as available only when minReadySeconds is 0).
 */
export function isPodAvailable(pod: PodJson, minReadySeconds: number, nowMs: number): boolean {
  const cond = podReadyCondition(pod);
  if (cond?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = parseTime(cond.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

/** The owner reference with `controller: true`, if any (metav1.GetControllerOf). */
export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** RFC 3339 with seconds precision, as metav1.Time serializes. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
