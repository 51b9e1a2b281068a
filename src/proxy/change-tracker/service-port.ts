/**
 * Service → ServicePortInfo conversion (kube-proxy's newBaseServiceInfo and
 * serviceToServiceMap): pure, one entry per port, filtered to one IP family.
 */
import { isIP } from 'node:net';
import type { KubeObject } from '../../api/object.js';
import { int, rec, recs, str, strs } from '../json-fields.js';
import {
  ANNOTATION_SCHEDULER,
  LABEL_HEADLESS,
  LABEL_SERVICE_PROXY_NAME,
  type IPFamily,
  type Protocol,
  type ServicePortInfo,
  type ServicePortKey,
  type ServiceType,
  type SessionAffinity,
  servicePortKey,
} from '../types.js';

/** Upstream default for sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10_800;

export function ipFamilyOf(ip: string): IPFamily | undefined {
  const v = isIP(ip);
  return v === 4 ? 'IPv4' : v === 6 ? 'IPv6' : undefined;
}

function protocolOf(v: unknown): Protocol {
  return v === 'UDP' || v === 'SCTP' ? v : 'TCP';
}

/**
 * True for objects kube-proxy never programs: headless Services, ExternalName
 * Services, and Services handed to another proxy via service-proxy-name.
 */
export function shouldSkipService(svc: KubeObject): boolean {
  const labels = svc.metadata.labels ?? {};
  if (LABEL_SERVICE_PROXY_NAME in labels || LABEL_HEADLESS in labels) return true;
  const spec = rec(svc['spec']) ?? {};
  if (spec['type'] === 'ExternalName') return true;
  const clusterIP = str(spec['clusterIP']) ?? '';
  return clusterIP === '' || clusterIP === 'None';
}

/**
 * The ports of a Service as the proxier of `family` sees them; empty when the
 * Service is skipped or has no cluster IP of that family.
 */
export function servicePortsFromService(svc: KubeObject | undefined, family: IPFamily): Map<ServicePortKey, ServicePortInfo> {
  const out = new Map<ServicePortKey, ServicePortInfo>();
  if (!svc || shouldSkipService(svc)) return out;
  const ofFamily = (ips: readonly string[]): string[] => [...new Set(ips.filter((ip) => ipFamilyOf(ip) === family))];
  const spec = rec(svc['spec']) ?? {};
  const status = rec(svc['status']) ?? {};
  const namespace = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name ?? '';
  const rawType = str(spec['type']);
  const type: ServiceType = rawType === 'NodePort' || rawType === 'LoadBalancer' ? rawType : 'ClusterIP';

  const clusterIPList = strs(spec['clusterIPs']);
  const clusterIPs = ofFamily(clusterIPList.length > 0 ? clusterIPList : [str(spec['clusterIP']) ?? '']);
  if (clusterIPs.length === 0) return out;

  const externalIPs = ofFamily(strs(spec['externalIPs']));
  const isLB = type === 'LoadBalancer';
  // ipMode Proxy means the load balancer delivers to the node itself, so its IP must not be captured here.
  const lbIPs = isLB
    ? ofFamily(
        recs(rec(status['loadBalancer'])?.['ingress'])
          .filter((ing) => ing['ipMode'] === undefined || ing['ipMode'] === 'VIP')
          .map((ing) => str(ing['ip']) ?? ''),
      )
    : [];
  const sourceRanges = isLB ? strs(spec['loadBalancerSourceRanges']).map((r) => r.trim()).filter(Boolean) : [];

  let sessionAffinity: SessionAffinity = { type: 'None' };
  if (spec['sessionAffinity'] === 'ClientIP') {
    const t = int(rec(rec(spec['sessionAffinityConfig'])?.['clientIP'])?.['timeoutSeconds']);
    sessionAffinity = { type: 'ClientIP', timeoutSeconds: t !== undefined && t > 0 ? t : DEFAULT_CLIENT_IP_TIMEOUT_SECONDS };
  }
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || externalIPs.length > 0;
  const externalPolicyLocal = externallyAccessible && spec['externalTrafficPolicy'] === 'Local';
  const internalPolicyLocal = spec['internalTrafficPolicy'] === 'Local';
  const healthCheckNodePort = isLB && externalPolicyLocal ? (int(spec['healthCheckNodePort']) ?? 0) : 0;
  const scheduler = svc.metadata.annotations?.[ANNOTATION_SCHEDULER]?.trim() || undefined;
  const trafficDistribution = str(spec['trafficDistribution']) || undefined;
  const topologyKeys = strs(spec['topologyKeys']);

  for (const p of recs(spec['ports'])) {
    const port = int(p['port']);
    if (port === undefined || port <= 0) continue;
    const portName = str(p['name']) ?? '';
    const protocol = protocolOf(p['protocol']);
    const key = servicePortKey(namespace, name, portName, protocol);
    out.set(key, {
      key,
      namespace,
      name,
      portName,
      protocol,
      type,
      port,
      clusterIPs,
      nodePort: type === 'ClusterIP' ? 0 : (int(p['nodePort']) ?? 0),
      externalIPs,
      loadBalancerIPs: lbIPs,
      loadBalancerSourceRanges: sourceRanges,
      sessionAffinity,
      internalPolicyLocal,
      externalPolicyLocal,
      healthCheckNodePort,
      ...(scheduler !== undefined ? { scheduler } : {}),
      ...(trafficDistribution !== undefined ? { trafficDistribution } : {}),
      topologyKeys,
    });
  }
  return out;
}

/** True when the ServicePortInfo is reachable from outside the cluster (NodePort, external or LB IPs). */
export function externallyAccessible(info: ServicePortInfo): boolean {
  return info.nodePort !== 0 || info.externalIPs.length > 0 || info.loadBalancerIPs.length > 0;
}

/** Upstream UsesClusterEndpoints: some traffic to this port is routed with the Cluster policy. */
export function usesClusterEndpoints(info: ServicePortInfo): boolean {
  return !info.internalPolicyLocal || (externallyAccessible(info) && !info.externalPolicyLocal);
}

/** Upstream UsesLocalEndpoints: some traffic to this port is routed with the Local policy. */
export function usesLocalEndpoints(info: ServicePortInfo): boolean {
  return info.internalPolicyLocal || (externallyAccessible(info) && info.externalPolicyLocal);
}
