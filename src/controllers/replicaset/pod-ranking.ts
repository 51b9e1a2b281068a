/**
 * Which pods a ReplicaSet deletes first when it scales down (upstream ActivePodsWithRanks in
 * pkg/controller/controller_utils.go, with LogarithmicScaleDown and PodDeletionCost on, as
 * they are by default). Earlier in the order = deleted first:
 *   1. not scheduled before scheduled;
 *   2. Pending before Unknown before Running;
 *   3. not ready before ready;
 *   4. lower `controller.kubernetes.io/pod-deletion-cost` first;
 *   5. more ready pods of the same family on its node first (doubled-up pods);
 *   6. both ready: ready more recently first (log2 buckets of the ready duration, ties by uid);
 *   7. more container restarts first;
 *   8. created more recently first (log2 buckets of the age, ties by uid).
 */
import { isPodActive, isPodReady, parseTime, podReadyCondition } from './pod-util.js';
import type { PodJson } from './workload-types.js';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseOrdinal(pod: PodJson): number {
  return PHASE_ORDINAL[pod.status?.phase ?? ''] ?? 0;
}

function deletionCost(pod: PodJson): number {
  const raw = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw.trim())) return 0;
  const v = Number(raw.trim());
  return Number.isSafeInteger(v) ? v : 0;
}

function maxRestarts(pod: PodJson): number {
  let max = 0;
  for (const c of pod.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  return max;
}

/** floor(log2(age in ns)), -1 for a time in the future or unknown (upstream logarithmicRankDiff). */
function logBucket(tMs: number | undefined, nowMs: number): number {
  if (tMs === undefined) return -1;
  const ns = (nowMs - tMs) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** Newer (or unknown) first by log2 buckets; ties broken by uid. Returns <0, 0, >0. */
function compareAge(a: PodJson, b: PodJson, ta: number | undefined, tb: number | undefined, nowMs: number): number {
  if (ta === tb) return 0;
  const diff = logBucket(ta, nowMs) - logBucket(tb, nowMs);
  if (diff !== 0) return diff;
  const ua = a.metadata.uid ?? '';
  const ub = b.metadata.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/**
 * Number of ready, active pods of `related` on each pod's node: a pod sharing its node with
 * more of its siblings is a better candidate for deletion (upstream getPodsRankedByRelatedPodsOnSameNode).
 */
export function relatedPodsOnSameNode(pods: readonly PodJson[], related: readonly PodJson[]): number[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (!node || !isPodActive(p) || !isPodReady(p)) continue;
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  return pods.map((p) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0));
}

/** Comparator of two ranked pods: negative when `a` should be deleted before `b`. */
export function comparePodsForDeletion(a: PodJson, rankA: number, b: PodJson, rankB: number, nowMs: number): number {
  const nodeA = a.spec?.nodeName ?? '';
  const nodeB = b.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '' ? -1 : 1;
  const phase = phaseOrdinal(a) - phaseOrdinal(b);
  if (phase !== 0) return phase;
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  const cost = deletionCost(a) - deletionCost(b);
  if (cost !== 0) return cost;
  if (rankA !== rankB) return rankB - rankA;
  if (readyA && readyB) {
    const c = compareAge(a, b, parseTime(podReadyCondition(a)?.lastTransitionTime), parseTime(podReadyCondition(b)?.lastTransitionTime), nowMs);
    if (c !== 0) return c;
  }
  const restarts = maxRestarts(b) - maxRestarts(a);
  if (restarts !== 0) return restarts;
  return compareAge(a, b, parseTime(a.metadata.creationTimestamp), parseTime(b.metadata.creationTimestamp), nowMs);
}

/**
 * The `count` pods of `pods` to delete first (upstream getPodsToDelete). `related` are the pods
 * of the whole family (for a Deployment: of all its ReplicaSets), used for the doubled-up rank.
 */
export function podsToDelete(pods: readonly PodJson[], related: readonly PodJson[], count: number, nowMs: number): PodJson[] {
  if (count <= 0) return [];
  if (count >= pods.length) return [...pods];
  const ranks = relatedPodsOnSameNode(pods, related);
  const order = pods.map((_, i) => i);
  // Stable sort with the index as the last tie-breaker keeps the choice deterministic.
  order.sort((i, j) => comparePodsForDeletion(pods[i] as PodJson, ranks[i] ?? 0, pods[j] as PodJson, ranks[j] ?? 0, nowMs) || i - j);
  return order.slice(0, count).map((i) => pods[i] as PodJson);
}
