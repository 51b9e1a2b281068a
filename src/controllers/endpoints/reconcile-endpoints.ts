/**
 * The Endpoints controller's pure reconciler (upstream pkg/controller/endpoint syncService):
 * from a Service, the pods in its namespace and the current Endpoints object, decide what to
 * write. Nothing here talks to the API.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Endpoints, EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from './endpoints-types.js';
import {
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME,
  ANNOTATION_OVER_CAPACITY,
  LABEL_HEADLESS_SERVICE,
  selectorMatches,
  serviceSelector,
} from './endpoints-types.js';
import { findPort, isPodReady, podToEndpointAddress, shouldPodBeInEndpoints } from './pod-endpoints.js';
import { repackSubsets } from './repack-subsets.js';
import { OVER_CAPACITY_TRUNCATED, truncateSubsets } from './truncate-endpoints.js';

export interface EndpointsReconcileInput {
  readonly namespace: string;
  readonly name: string;
  /** The Service, or undefined when it no longer exists. */
  readonly service: Service | undefined;
  /** Pods of the service's namespace (the reconciler applies the selector). */
  readonly pods: readonly Pod[];
  /** The Endpoints object as cached, if any. */
  readonly current: Endpoints | undefined;
  /** Value for the last-change-trigger-time annotation (from TriggerTimeTracker); undefined removes it. */
  readonly triggerTime?: string;
}

export type EndpointsPlan =
  | { readonly action: 'none'; readonly reason: string }
  | { readonly action: 'create'; readonly endpoints: Endpoints; readonly ready: number; readonly notReady: number }
  | { readonly action: 'update'; readonly endpoints: Endpoints; readonly ready: number; readonly notReady: number }
  | { readonly action: 'delete'; readonly namespace: string; readonly name: string };

/** Pods the service selects (all of them, whatever their state). */
export function selectPods(service: Service, pods: readonly Pod[]): Pod[] {
  const sel = serviceSelector(service);
  if (!sel) return [];
  const ns = service.metadata.namespace;
  return pods.filter((p) => p.metadata.namespace === ns && selectorMatches(sel, p.metadata.labels));
}

/** Whether the service has a cluster IP (upstream helper.IsServiceIPSet). */
function hasClusterIP(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/**
 * The subsets the service's endpoints should have, in canonical (repacked) form, before
 * truncation. Ready pods (or all pods with publishNotReadyAddresses) are `addresses`, the others
 * `notReadyAddresses`; each service port resolves per pod, and a port a pod does not expose
 * leaves that pod out of that port only. A headless service without ports lists bare addresses.
 */
export function desiredSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const svcPorts = service.spec?.ports ?? [];
  const subsets: EndpointSubset[] = [];
  const addSubset = (pod: Pod, addr: EndpointAddress, port: EndpointPort | undefined): void => {
    const ports = port ? [port] : [];
    if (publishNotReady || isPodReady(pod)) subsets.push({ addresses: [addr], ports });
    else subsets.push({ notReadyAddresses: [addr], ports });
  };
  for (const pod of selectPods(service, pods)) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const addr = podToEndpointAddress(service, pod);
    if (!addr) continue;
    if (svcPorts.length === 0) {
      // Only headless services may do without ports.
      if (service.spec?.clusterIP === 'None') addSubset(pod, addr, undefined);
      continue;
    }
    for (const sp of svcPorts) {
      const portNum = findPort(pod, sp);
      if (portNum === undefined) continue;
      // Field order as the API serves it: name, port, protocol, appProtocol.
      const ep: EndpointPort = { ...(sp.name ? { name: sp.name } : {}), port: portNum, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
      addSubset(pod, addr, ep);
    }
  }
  return repackSubsets(subsets);
}

/** A comparable form of subsets: empty lists dropped, target resourceVersions ignored (pod updates do not matter). */
function normalizeSubsets(subsets: readonly EndpointSubset[] | undefined): unknown {
  const addr = (a: EndpointAddress): unknown => ({
    ip: a.ip,
    hostname: a.hostname || undefined,
    nodeName: a.nodeName || undefined,
    targetRef: a.targetRef ? { ...a.targetRef, resourceVersion: undefined } : undefined,
  });
  return (subsets ?? []).map((s) => ({
    addresses: s.addresses?.length ? s.addresses.map(addr) : undefined,
    notReadyAddresses: s.notReadyAddresses?.length ? s.notReadyAddresses.map(addr) : undefined,
    ports: s.ports?.length ? s.ports.map((p) => ({ name: p.name || undefined, port: p.port, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol })) : undefined,
  }));
}

/** Subsets equal apart from empty lists and target resourceVersions. */
export function subsetsEqual(a: readonly EndpointSubset[] | undefined, b: readonly EndpointSubset[] | undefined): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(normalizeSubsets(a))), JSON.parse(JSON.stringify(normalizeSubsets(b))));
}

const labelsOrEmpty = (l: Record<string, string> | undefined): Record<string, string> => ({ ...(l ?? {}) });

/**
 * Decides the write for one service key. The service missing → delete its Endpoints; ExternalName
 * services and services without a selector → leave their Endpoints alone (the latter are written
 * by users). Otherwise build the desired object and write it only when subsets, labels or the
 * capacity annotation differ (a changed trigger time alone causes no write, as upstream).
 */
export function reconcileEndpoints(input: EndpointsReconcileInput): EndpointsPlan {
  const { service, current } = input;
  if (!service) return { action: 'delete', namespace: input.namespace, name: input.name };
  if (service.spec?.type === 'ExternalName') return { action: 'none', reason: 'ExternalName services get no endpoints' };
  if (!serviceSelector(service)) return { action: 'none', reason: 'service has no selector; its Endpoints are managed by users' };

  const full = desiredSubsets(service, input.pods);
  const { subsets, truncated } = truncateSubsets(full);
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }

  const svcLabels = labelsOrEmpty(service.metadata.labels);
  if (current) {
    const compareLabels = labelsOrEmpty(current.metadata.labels);
    delete compareLabels[LABEL_HEADLESS_SERVICE];
    const capacityOk = truncated
      ? current.metadata.annotations?.[ANNOTATION_OVER_CAPACITY] === OVER_CAPACITY_TRUNCATED
      : current.metadata.annotations?.[ANNOTATION_OVER_CAPACITY] === undefined;
    if (subsetsEqual(current.subsets, subsets) && isDeepStrictEqual(compareLabels, svcLabels) && capacityOk) {
      return { action: 'none', reason: 'endpoints are up to date' };
    }
  }

  const labels: Record<string, string> = { ...svcLabels };
  if (hasClusterIP(service)) delete labels[LABEL_HEADLESS_SERVICE];
  else labels[LABEL_HEADLESS_SERVICE] = '';

  const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
  if (input.triggerTime) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = input.triggerTime;
  else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
  if (truncated) annotations[ANNOTATION_OVER_CAPACITY] = OVER_CAPACITY_TRUNCATED;
  else delete annotations[ANNOTATION_OVER_CAPACITY];

  if (!current) {
    const endpoints: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: service.metadata.name ?? input.name,
        namespace: service.metadata.namespace ?? input.namespace,
        labels,
        ...(Object.keys(annotations).length ? { annotations } : {}),
      },
      subsets,
    };
    return { action: 'create', endpoints, ready, notReady };
  }
  const endpoints: Endpoints = {
    ...structuredClone(current),
    apiVersion: 'v1',
    kind: 'Endpoints',
    subsets,
  };
  endpoints.metadata.labels = labels;
  if (Object.keys(annotations).length) endpoints.metadata.annotations = annotations;
  else delete endpoints.metadata.annotations;
  return { action: 'update', endpoints, ready, notReady };
}
