/**
 * The addresses one Service port is reachable on, with the endpoints each
 * kind of traffic goes to. Shared by every dataplane so that NodePort,
 * external IP and load-balancer semantics cannot drift between modes.
 */
import type { FrontendKind, ServicePortState } from './dataplane.js';
import type { EndpointInfo, Protocol, ServicePortKey } from './types.js';

export interface Frontend {
  readonly service: ServicePortKey;
  readonly kind: FrontendKind;
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  readonly endpoints: readonly EndpointInfo[];
  /** Allowed client CIDRs (loadBalancerSourceRanges); empty = everyone. */
  readonly sourceRanges: readonly string[];
}

/** `kind|address|port`: stable identity of a frontend within its Service port. */
export function frontendId(f: Pick<Frontend, 'kind' | 'address' | 'port'>): string {
  return `${f.kind}|${f.address}|${f.port}`;
}

/** Frontends of one Service port: cluster IPs, node ports on `nodeAddresses`, external IPs, LB IPs. */
export function frontendsOf(s: ServicePortState, nodeAddresses: readonly string[]): Frontend[] {
  const { info } = s;
  const base = { service: info.key, protocol: info.protocol };
  const out: Frontend[] = [];
  for (const ip of info.clusterIPs) out.push({ ...base, kind: 'ClusterIP', address: ip, port: info.port, endpoints: s.internalEndpoints, sourceRanges: [] });
  if (info.nodePort > 0) {
    for (const ip of nodeAddresses) out.push({ ...base, kind: 'NodePort', address: ip, port: info.nodePort, endpoints: s.externalEndpoints, sourceRanges: [] });
  }
  for (const ip of info.externalIPs) out.push({ ...base, kind: 'ExternalIP', address: ip, port: info.port, endpoints: s.externalEndpoints, sourceRanges: [] });
  for (const ip of info.loadBalancerIPs) {
    out.push({ ...base, kind: 'LoadBalancer', address: ip, port: info.port, endpoints: s.externalEndpoints, sourceRanges: info.loadBalancerSourceRanges });
  }
  return out;
}
