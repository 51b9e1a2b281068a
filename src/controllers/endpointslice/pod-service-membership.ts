/**
 * Which Services a pod event concerns (upstream util/controller_utils.go
 * GetPodServiceMemberships / GetServicesToUpdateOnPodChange), as pure functions over a
 * lookup of the Services in a namespace.
 */
import { isPodReady, isPodTerminal } from './pod-endpoint.js';
import type { Pod, Service } from './slice-types.js';

/** Every key=value of the selector is a label of the pod; a nil or empty selector matches nothing. */
export function selectorMatches(selector: Readonly<Record<string, string>> | null | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (!selector) return false;
  const keys = Object.keys(selector);
  if (keys.length === 0) return false;
  const l = labels ?? {};
  return keys.every((k) => Object.hasOwn(l, k) && l[k] === selector[k]);
}

/** Keys (`ns/name`) of the services whose selector matches `labels`. */
export function servicesMatching(services: readonly Service[], labels: Readonly<Record<string, string>> | undefined): Set<string> {
  const out = new Set<string>();
  for (const s of services) {
    if (selectorMatches(s.spec?.selector, labels)) out.add(`${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`);
  }
  return out;
}

function sameLabels(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ea = Object.entries(a ?? {});
  if (ea.length !== Object.keys(b ?? {}).length) return false;
  return ea.every(([k, v]) => (b ?? {})[k] === v);
}

function ips(pod: Pod): string {
  return [pod.status?.podIP ?? '', ...(pod.status?.podIPs ?? []).map((p) => p.ip)].join(',');
}

/**
 * `podChanged`: something an endpoint shows changed (deletion, readiness, IPs; also phase
 * becoming terminal and the node, which upstream leaves to later syncs). `labelsChanged`: the
 * services the pod belongs to may differ (labels, hostname/subdomain).
 */
export function podEndpointsChanged(oldPod: Pod, newPod: Pod): { podChanged: boolean; labelsChanged: boolean } {
  const labelsChanged =
    !sameLabels(oldPod.metadata.labels, newPod.metadata.labels) ||
    oldPod.spec?.hostname !== newPod.spec?.hostname ||
    oldPod.spec?.subdomain !== newPod.spec?.subdomain;
  const podChanged =
    oldPod.metadata.deletionTimestamp !== newPod.metadata.deletionTimestamp ||
    isPodReady(oldPod) !== isPodReady(newPod) ||
    ips(oldPod) !== ips(newPod) ||
    isPodTerminal(oldPod) !== isPodTerminal(newPod) ||
    oldPod.spec?.nodeName !== newPod.spec?.nodeName;
  return { podChanged, labelsChanged };
}

/**
 * Services to sync after a pod update. Resyncs (same resourceVersion) and changes no endpoint
 * shows give none. When labels changed: all old and new services if the pod changed too,
 * otherwise only those it joined or left.
 */
export function servicesToUpdateOnPodChange(services: readonly Service[], oldPod: Pod, newPod: Pod): Set<string> {
  if (oldPod.metadata.resourceVersion && oldPod.metadata.resourceVersion === newPod.metadata.resourceVersion) return new Set();
  const { podChanged, labelsChanged } = podEndpointsChanged(oldPod, newPod);
  if (!podChanged && !labelsChanged) return new Set();
  const current = servicesMatching(services, newPod.metadata.labels);
  if (!labelsChanged) return current;
  const previous = servicesMatching(services, oldPod.metadata.labels);
  if (podChanged) return new Set([...current, ...previous]);
  const out = new Set<string>();
  for (const k of current) if (!previous.has(k)) out.add(k);
  for (const k of previous) if (!current.has(k)) out.add(k);
  return out;
}
