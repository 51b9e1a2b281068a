/**
 * Which services to resync when a pod changes (upstream k8s.io/endpointslice/util
 * GetPodUpdateProjectionKey / GetServicesToUpdate): a pod event matters to the services whose
 * selector matches the pod's labels; an update only when something endpoints depend on changed
 * (readiness, IPs, deletion, labels, hostname/subdomain).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Pod, Service } from './endpoints-types.js';
import { selectorMatches, serviceSelector } from './endpoints-types.js';
import { isPodReady, podIPs } from './pod-endpoints.js';

const keyOf = (s: Service): string => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;

/** Keys (`ns/name`) of the services in `services` that select a pod with these labels. */
export function servicesSelecting(services: readonly Service[], namespace: string, labels: Record<string, string> | undefined): Set<string> {
  const out = new Set<string>();
  for (const svc of services) {
    if ((svc.metadata.namespace ?? '') !== namespace) continue;
    const sel = serviceSelector(svc);
    if (sel && selectorMatches(sel, labels ?? {})) out.add(keyOf(svc));
  }
  return out;
}

/** Whether the pod changed in a way that can change its endpoints (upstream podEndpointsChanged, first result). */
function podChanged(oldPod: Pod, newPod: Pod): boolean {
  if ((oldPod.metadata.deletionTimestamp ?? '') !== (newPod.metadata.deletionTimestamp ?? '')) return true;
  if (isPodReady(oldPod) !== isPodReady(newPod)) return true;
  if (!isDeepStrictEqual(podIPs(oldPod), podIPs(newPod))) return true;
  // Phase is not in upstream's list, but a pod turning terminal must leave the endpoints.
  if ((oldPod.status?.phase ?? '') !== (newPod.status?.phase ?? '')) return true;
  return false;
}

/** Whether the pod changed in a way that can change which services match it or its hostname. */
function labelsChanged(oldPod: Pod, newPod: Pod): boolean {
  return (
    !isDeepStrictEqual(oldPod.metadata.labels ?? {}, newPod.metadata.labels ?? {}) ||
    (oldPod.spec?.hostname ?? '') !== (newPod.spec?.hostname ?? '') ||
    (oldPod.spec?.subdomain ?? '') !== (newPod.spec?.subdomain ?? '')
  );
}

/**
 * Services to resync for a pod event. `oldPod` undefined: an add; `newPod` undefined: a delete.
 * For an update: nothing when the resourceVersion is unchanged (a resync) or nothing relevant
 * changed; the current services when only the pod changed; when labels changed, the services
 * gained or lost — or all old and new ones if the pod also changed.
 */
export function servicesToUpdateForPod(services: readonly Service[], oldPod: Pod | undefined, newPod: Pod | undefined): Set<string> {
  const pod = newPod ?? oldPod;
  if (!pod) return new Set();
  const ns = pod.metadata.namespace ?? '';
  if (!oldPod || !newPod) return servicesSelecting(services, ns, pod.metadata.labels);
  if (oldPod.metadata.resourceVersion === newPod.metadata.resourceVersion) return new Set();
  const changed = podChanged(oldPod, newPod);
  const relabeled = labelsChanged(oldPod, newPod);
  if (!changed && !relabeled) return new Set();
  const current = servicesSelecting(services, ns, newPod.metadata.labels);
  if (!relabeled) return current;
  const previous = servicesSelecting(services, ns, oldPod.metadata.labels);
  const out = new Set<string>();
  if (changed) {
    for (const k of current) out.add(k);
    for (const k of previous) out.add(k);
  } else {
    for (const k of current) if (!previous.has(k)) out.add(k);
    for (const k of previous) if (!current.has(k)) out.add(k);
  }
  return out;
}
