/**
 * The proxy's view of Services and endpoints, independent of any dataplane
 * (kube-proxy's ServicePort / Endpoint interfaces as plain readonly data).
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type IPFamily = 'IPv4' | 'IPv6';

/** `ns/name:portName/protocol`: one port of one Service (upstream ServicePortName plus protocol). */
export type ServicePortKey = string;

export function servicePortKey(namespace: string, name: string, portName: string, protocol: Protocol): ServicePortKey {
  return `${namespace}/${name}:${portName}/${protocol}`;
}

/** `ns/name` of the Service a port key belongs to. */
export function serviceNameOfKey(key: ServicePortKey): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}

export type SessionAffinity = { readonly type: 'None' } | { readonly type: 'ClientIP'; readonly timeoutSeconds: number };

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

/** Everything the proxy needs to know about one Service port (already filtered to the proxier's IP family). */
export interface ServicePortInfo {
  readonly key: ServicePortKey;
  readonly namespace: string;
  readonly name: string;
  readonly portName: string;
  readonly protocol: Protocol;
  readonly type: ServiceType;
  readonly port: number;
  readonly clusterIPs: readonly string[];
  /** 0 when the port has none. */
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  /** `status.loadBalancer.ingress[].ip` (entries with ipMode Proxy are left out, as upstream). */
  readonly loadBalancerIPs: readonly string[];
  readonly loadBalancerSourceRanges: readonly string[];
  readonly sessionAffinity: SessionAffinity;
  /** internalTrafficPolicy Local. */
  readonly internalPolicyLocal: boolean;
  /** externalTrafficPolicy Local on an externally accessible Service. */
  readonly externalPolicyLocal: boolean;
  /** 0 unless the Service needs one (LoadBalancer with externalTrafficPolicy Local). */
  readonly healthCheckNodePort: number;
  /** Value of the `switchyard.io/scheduler` annotation, if any (validated by the dataplane). */
  readonly scheduler?: string;
  /** `spec.trafficDistribution` (PreferClose, PreferSameZone, PreferSameNode). */
  readonly trafficDistribution?: string;
  /** Deprecated `spec.topologyKeys` (1.17-1.21). */
  readonly topologyKeys: readonly string[];
}

/** One endpoint of one Service port, after de-duplication across EndpointSlices. */
export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName: string;
  readonly zone: string;
  /** True when nodeName is this proxier's node. */
  readonly isLocal: boolean;
  /** `hints.forZones[].name`; empty when absent. */
  readonly zoneHints: readonly string[];
  /** `hints.forNodes[].name`; empty when absent. */
  readonly nodeHints: readonly string[];
  /** Labels the deprecated topologyKeys match against: deprecatedTopology plus hostname and zone. */
  readonly topology: Readonly<Record<string, string>>;
}

/** `ip:port` (`[ip]:port` for IPv6), upstream Endpoint.String(). */
export function endpointString(ep: { readonly ip: string; readonly port: number }): string {
  return ep.ip.includes(':') ? `[${ep.ip}]:${ep.port}` : `${ep.ip}:${ep.port}`;
}

export type ServicePortMap = ReadonlyMap<ServicePortKey, ServicePortInfo>;
/** Endpoints per service port, sorted by endpointString. */
export type EndpointsMap = ReadonlyMap<ServicePortKey, readonly EndpointInfo[]>;

/** Well-known names. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_TOPOLOGY_REGION = 'topology.kubernetes.io/region';
export const ANNOTATION_SCHEDULER = 'switchyard.io/scheduler';
export const ANNOTATION_LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Label that makes kube-proxy ignore a Service (used by alternative service proxies). */
export const LABEL_SERVICE_PROXY_NAME = 'service.kubernetes.io/service-proxy-name';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
