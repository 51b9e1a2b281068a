/**
 * Pod identity and health for StatefulSets (upstream stateful_set_utils.go): a member pod
 * is named `<set>-<ordinal>`, carries its name and ordinal as labels, its hostname is its
 * name and its subdomain the governing Service.
 */
import type { OwnerReference } from '../../api/object.js';
import type { Pod, PodTemplate, StatefulSet } from './statefulset-types.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

const ORDINAL_RE = /^(.*)-([0-9]+)$/;

/** Parent set name and ordinal from a pod name; ordinal -1 when the name has none. */
export function parseStatefulPodName(name: string): { parent: string; ordinal: number } {
  const m = ORDINAL_RE.exec(name);
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1] ?? '', ordinal } : { parent: '', ordinal: -1 };
}

export function ordinalOf(pod: Pod): number {
  return parseStatefulPodName(pod.metadata.name ?? '').ordinal;
}

/** Whether the pod's name makes it a member of the set (upstream isMemberOf). */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parseStatefulPodName(pod.metadata.name ?? '').parent === set.metadata.name;
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name ?? ''}-${ordinal}`;
}

export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function revisionOf(pod: Pod): string {
  return pod.metadata.labels?.[REVISION_LABEL] ?? '';
}

/** Pod name, namespace and identity labels are as the set wants them (upstream identityMatches). */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  const labels = pod.metadata.labels ?? {};
  return (
    ordinal >= 0 &&
    isMemberOf(set, pod) &&
    pod.metadata.namespace === set.metadata.namespace &&
    labels[POD_NAME_LABEL] === pod.metadata.name &&
    labels[POD_INDEX_LABEL] === String(ordinal)
  );
}

/** The identity labels of the pod at `ordinal`. */
export function identityLabels(set: StatefulSet, ordinal: number): Record<string, string> {
  return { [POD_NAME_LABEL]: podName(set, ordinal), [POD_INDEX_LABEL]: String(ordinal) };
}

// ---- state predicates (upstream isCreated, isRunningAndReady, ...) ----

export const isCreated = (pod: Pod): boolean => (pod.status?.phase ?? '') !== '';
export const isFailed = (pod: Pod): boolean => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: Pod): boolean => pod.status?.phase === 'Succeeded';
export const isTerminating = (pod: Pod): boolean => !!pod.metadata.deletionTimestamp;

function readyCondition(pod: Pod): { status: string; lastTransitionTime?: string | null } | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && readyCondition(pod)?.status === 'True';
}

/**
 * Milliseconds until a running, ready pod counts as available (0: available now), or
 * undefined when it is not ready at all.
 */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, nowMs: number): number | undefined {
  if (!isRunningAndReady(pod)) return undefined;
  if (minReadySeconds <= 0) return 0;
  const since = Date.parse(readyCondition(pod)?.lastTransitionTime ?? '');
  if (Number.isNaN(since)) return 0;
  return Math.max(0, since + minReadySeconds * 1000 - nowMs);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  return msUntilAvailable(pod, minReadySeconds, nowMs) === 0;
}

export const isHealthy = (pod: Pod): boolean => isRunningAndReady(pod) && !isTerminating(pod);

/** The controller reference a set puts on its pods. */
export function controllerRef(set: StatefulSet): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name ?? '', uid: set.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/**
 * The pod for `ordinal` built from `template` at `revision` (upstream newVersionedStatefulSetPod).
 * PersistentVolumeClaims are not served by Switchyard, but each claim template still becomes a pod
 * volume naming the claim `<template>-<set>-<ordinal>` (upstream updateStorage), so the template's
 * volumeMounts resolve and the pod validates.
 */
export function newStatefulSetPod(set: StatefulSet, ordinal: number, template: PodTemplate, revision: string): Pod {
  const name = podName(set, ordinal);
  const tm = template.metadata ?? {};
  const metadata: Pod['metadata'] = {
    name,
    namespace: set.metadata.namespace,
    labels: { ...tm.labels, ...identityLabels(set, ordinal), [REVISION_LABEL]: revision },
    ownerReferences: [controllerRef(set)],
  };
  if (tm.annotations && Object.keys(tm.annotations).length > 0) metadata.annotations = { ...tm.annotations };
  if (tm.finalizers && tm.finalizers.length > 0) metadata.finalizers = [...tm.finalizers];
  const spec: Record<string, unknown> = { ...(JSON.parse(JSON.stringify(template.spec ?? {})) as Record<string, unknown>), hostname: name };
  const serviceName = set.spec?.serviceName;
  if (serviceName) spec['subdomain'] = serviceName;
  else delete spec['subdomain'];
  const claims = (set.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? '').filter((n) => n !== '');
  if (claims.length > 0) {
    // Claims first, then the template's other volumes (a template volume of the same name is replaced).
    const others = (Array.isArray(spec['volumes']) ? (spec['volumes'] as unknown[]) : []).filter(
      (v) => !(typeof v === 'object' && v !== null && claims.includes(String((v as Record<string, unknown>)['name']))),
    );
    spec['volumes'] = [...claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: `${c}-${name}` } })), ...others];
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}
