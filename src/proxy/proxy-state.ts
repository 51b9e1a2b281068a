/** Builds the ProxyState handed to a dataplane from the shared maps (pure). */
import type { ProxyState, ServicePortState } from './dataplane.js';
import { type CategorizeOptions, type NodeTopology, categorizeEndpoints, externalEndpoints, internalEndpoints } from './topology.js';
import type { EndpointsMap, ServicePortKey, ServicePortMap } from './types.js';

export interface BuildProxyStateInput {
  readonly serviceMap: ServicePortMap;
  readonly endpointsMap: EndpointsMap;
  readonly node: NodeTopology;
  readonly nodePortAddresses: readonly string[];
  /** Undefined for a full sync. */
  readonly changed?: ReadonlySet<ServicePortKey>;
  readonly deletedUDPClusterIPs?: ReadonlySet<string>;
  readonly deletedUDPEndpoints?: ReadonlySet<string>;
  readonly topology?: CategorizeOptions;
}

/** One ServicePortState per service port, endpoints categorized for `node`. */
export function buildProxyState(input: BuildProxyStateInput): ProxyState {
  const services = new Map<ServicePortKey, ServicePortState>();
  for (const [key, info] of input.serviceMap) {
    const endpoints = input.endpointsMap.get(key) ?? [];
    const categorized = categorizeEndpoints(endpoints, info, input.node, input.topology);
    services.set(key, {
      info,
      endpoints,
      categorized,
      internalEndpoints: internalEndpoints(info, categorized),
      externalEndpoints: externalEndpoints(info, categorized),
    });
  }
  return {
    nodeName: input.node.nodeName,
    nodeLabels: input.node.labels,
    nodePortAddresses: input.nodePortAddresses,
    services,
    ...(input.changed ? { changed: input.changed } : {}),
    deletedUDPClusterIPs: input.deletedUDPClusterIPs ?? new Set(),
    deletedUDPEndpoints: input.deletedUDPEndpoints ?? new Set(),
  };
}
