/**
 * From a Pod (and its Node) to an EndpointSlice endpoint and port set, as the
 * upstream EndpointSlice reconciler does (staging/src/k8s.io/endpointslice:
 * utils.go podToEndpoint/getEndpointPorts, util/controller_utils.go, util/endpointset.go).
 */
import { isIP } from 'node:net';
import {
  type AddressType,
  type ContainerPort,
  type Endpoint,
  type EndpointPort,
  LABEL_TOPOLOGY_ZONE,
  type Node,
  type Pod,
  type Service,
  type ServicePort,
} from './slice-types.js';

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Succeeded or Failed: the pod never runs again. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * Whether the pod gets an endpoint at all: not terminal and with an IP. Terminating pods
 * (deletionTimestamp set) are included, marked `terminating` (upstream since 1.26).
 */
export function shouldPodBeInEndpoints(pod: Pod): boolean {
  if (isPodTerminal(pod)) return false;
  return Boolean(pod.status?.podIP) || (pod.status?.podIPs?.length ?? 0) > 0;
}

/** `hostname` is published only when the pod's subdomain names this service (same namespace). */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  return Boolean(pod.spec?.hostname) && pod.spec?.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace;
}

/** Go's ParseIPSloppy + String for IPv4: leading zeros in an octet are read as decimal. */
function normalizeIP(ip: string): string {
  // Fast path: no octet starts with a zero followed by a digit.
  if (!/(^|\.)0\d/.test(ip)) return ip;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip.split('.').map((o) => String(Number(o))).join('.');
  return ip;
}

/** The pod's addresses of one family: `status.podIPs`, or `status.podIP` when podIPs is empty. */
export function podAddresses(pod: Pod, addressType: AddressType): string[] {
  const ips = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
  const out: string[] = [];
  for (const raw of ips) {
    const ip = normalizeIP(raw);
    const family = isIP(ip);
    if ((family === 4 && addressType === 'IPv4') || (family === 6 && addressType === 'IPv6')) out.push(ip);
  }
  return out;
}

function findNamedPort(ports: readonly ContainerPort[] | undefined, name: string, protocol: string): number | undefined {
  for (const p of ports ?? []) if (p.name === name && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

/**
 * The container port a service port targets on this pod: a numeric targetPort as is (the
 * service port number when unset); a named one looked up in the containers' ports with the
 * same protocol, then in restartable init containers (sidecars). Undefined when the pod does
 * not expose the name.
 */
export function findPort(pod: Pod, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = svcPort.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    const n = findNamedPort(c.ports, target, protocol);
    if (n !== undefined) return n;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    const n = findNamedPort(c.ports, target, protocol);
    if (n !== undefined) return n;
  }
  return undefined;
}

/**
 * The endpoint ports of a pod for a service: one per service port the pod resolves (ports the
 * pod cannot resolve are left out, so pods with different resolved sets land in different
 * slices). `name` is always present (`""` for an unnamed port). A headless service may have none.
 */
export function endpointPortsForPod(service: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port };
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** Identity of a port set, independent of order (upstream NewPortMapKey). */
export function portMapKey(ports: readonly EndpointPort[] | undefined): string {
  if (!ports || ports.length === 0) return '';
  const parts = ports.map((p) => `${p.name ?? ''}\u0000${p.protocol ?? 'TCP'}\u0000${p.port ?? ''}\u0000${p.appProtocol ?? '\u0001'}`);
  return parts.length === 1 ? (parts[0] as string) : parts.sort().join('\u0002');
}

/**
 * The endpoint for a pod. `serving` follows the Ready condition; `terminating` is a set
 * deletionTimestamp; `ready` is serving and not terminating, or always true with
 * publishNotReadyAddresses. Field order follows the upstream JSON.
 */
export function podToEndpoint(pod: Pod, node: Node | undefined, service: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata.deletionTimestamp);
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podAddresses(pod, addressType),
    conditions: { ready, serving, terminating },
  };
  if (shouldSetHostname(pod, service)) ep.hostname = pod.spec?.hostname ?? '';
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[LABEL_TOPOLOGY_ZONE];
  if (zone) ep.zone = zone;
  return ep;
}

/**
 * Identity of an endpoint across syncs: addresses, hostname and target pod (upstream
 * hashEndpoint). Everything else (conditions, node, zone) can then be updated in place.
 */
export function endpointKey(ep: Endpoint): string {
  const a = ep.addresses ?? [];
  const addrs = a.length === 1 ? (a[0] as string) : [...a].sort().join(',');
  return `${addrs}|${ep.hostname ?? ''}|${ep.targetRef?.namespace ?? ''}/${ep.targetRef?.name ?? ''}`;
}

/**
 * Equal in everything endpointKey does not cover, except hints and the targetRef's
 * resourceVersion (upstream EndpointsEqualBeyondHash).
 */
export function endpointsEqualBeyondKey(a: Endpoint, b: Endpoint): boolean {
  if (a.nodeName !== b.nodeName || a.zone !== b.zone) return false;
  const ca = a.conditions ?? {};
  const cb = b.conditions ?? {};
  if (ca.ready !== cb.ready || ca.serving !== cb.serving || ca.terminating !== cb.terminating) return false;
  const ra = a.targetRef;
  const rb = b.targetRef;
  if (!ra || !rb) return ra === rb;
  return (
    ra.kind === rb.kind &&
    ra.namespace === rb.namespace &&
    ra.name === rb.name &&
    ra.uid === rb.uid &&
    ra.apiVersion === rb.apiVersion &&
    ra.fieldPath === rb.fieldPath
  );
}
