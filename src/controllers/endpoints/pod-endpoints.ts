/**
 * How a pod contributes to a Service's endpoints (upstream k8s.io/endpointslice/util and
 * pkg/api/v1/pod helpers): whether it is included, with which IP and hostname, and which
 * container port a service port resolves to.
 */
import { isIPv6 } from 'node:net';
import type { EndpointAddress, Pod, Service, ServicePort } from './endpoints-types.js';

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** lastTransitionTime of the pod's Ready condition, if any. */
export function podReadyTransitionTime(pod: Pod): string | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? undefined;
}

/** The pod's IPs (status.podIPs, falling back to status.podIP). */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip) => typeof ip === 'string' && ip !== '');
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

/**
 * Upstream ShouldPodBeInEndpoints: terminal pods (Succeeded/Failed) and pods without an IP never
 * are; terminating pods (deletionTimestamp set) only when `includeTerminating`
 * (the service's publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** Upstream ShouldSetHostname: the pod names a hostname and its subdomain is this service. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

/**
 * The IP family endpoints of this service use: the first of spec.ipFamilies; for an old-style
 * object without it, the family of the cluster IP, or for headless services of the pod IP.
 */
function serviceFamily(svc: Service, pod: Pod): 'IPv4' | 'IPv6' {
  const fam = svc.spec?.ipFamilies?.[0];
  if (fam === 'IPv4' || fam === 'IPv6') return fam;
  const cip = svc.spec?.clusterIP;
  if (cip && cip !== 'None') return isIPv6(cip) ? 'IPv6' : 'IPv4';
  const first = podIPs(pod)[0];
  return first && isIPv6(first) ? 'IPv6' : 'IPv4';
}

/**
 * Upstream podToEndpointAddressForService: the pod's IP of the service's family with its node and
 * a Pod target reference; undefined when the pod has no IP of that family (dual-stack skew).
 */
export function podToEndpointAddress(svc: Service, pod: Pod): EndpointAddress | undefined {
  const wantV6 = serviceFamily(svc, pod) === 'IPv6';
  const ip = podIPs(pod).find((a) => isIPv6(a) === wantV6);
  if (!ip) return undefined;
  const addr: EndpointAddress = { ip };
  if (shouldSetHostname(pod, svc) && pod.spec?.hostname) addr.hostname = pod.spec.hostname;
  // Upstream always points nodeName at spec.nodeName; an empty name would not validate, so leave it out.
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  addr.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
  return addr;
}

/**
 * Upstream podutil.FindPort: a numeric targetPort is used as is; a named one is looked up among
 * the ports of the pod's containers (and restartable init containers, i.e. sidecars) with the same
 * name and protocol. Undefined when nothing matches. A missing targetPort means the service port.
 */
export function findPort(pod: Pod, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  const protocol = svcPort.protocol ?? 'TCP';
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}
