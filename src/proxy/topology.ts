/**
 * Which endpoints this node uses for a Service port (kube-proxy's
 * CategorizeEndpoints, pkg/proxy/topology.go), plus the deprecated
 * `spec.topologyKeys` filter of Kubernetes 1.17-1.21. Pure.
 *
 * - "Usable" means ready; when no endpoint is ready anywhere, serving+terminating
 *   endpoints are used instead (separately for Cluster and Local policy).
 * - Cluster policy honours topology: topologyKeys when set, otherwise hints
 *   (node hints first, then zone hints), used only when every ready endpoint
 *   carries one and at least one matches this node / zone.
 * - Local policy uses endpoints on this node only.
 */
import { usesClusterEndpoints, usesLocalEndpoints } from './change-tracker/service-port.js';
import { type EndpointInfo, LABEL_TOPOLOGY_ZONE, type ServicePortInfo, endpointString } from './types.js';

/** The node the proxier runs on. */
export interface NodeTopology {
  readonly nodeName: string;
  /** Node labels (zone, region, hostname, ...). */
  readonly labels: Readonly<Record<string, string>>;
}

export type TopologyMode = '' | 'PreferSameZone' | 'PreferSameNode' | 'TopologyKeys';

export interface CategorizedEndpoints {
  /** Usable endpoints for Cluster-policy traffic; empty when the Service never uses that policy. */
  readonly clusterEndpoints: readonly EndpointInfo[];
  /** Usable endpoints for Local-policy traffic; empty when the Service never uses that policy. */
  readonly localEndpoints: readonly EndpointInfo[];
  /** Union of the two, sorted. */
  readonly allReachableEndpoints: readonly EndpointInfo[];
  /** True when the Service has a usable endpoint somewhere in the cluster (even if not on this node). */
  readonly hasAnyEndpoints: boolean;
  /** The topology rule that narrowed clusterEndpoints ('' = none). */
  readonly topologyMode: TopologyMode;
}

export interface CategorizeOptions {
  /**
   * When a Service sets trafficDistribution but no endpoint carries hints (the
   * EndpointSlice controller in use does not write them), derive them from the
   * endpoints' own nodeName and zone as the upstream controller would.
   * Switchyard extension; upstream kube-proxy relies on the controller. Default true.
   */
  readonly synthesizeHints?: boolean;
}

const isServingTerminating = (ep: EndpointInfo): boolean => ep.serving && ep.terminating;

/** Adds implied hints when the Service asks for trafficDistribution and no endpoint has any. */
export function withSynthesizedHints(endpoints: readonly EndpointInfo[], trafficDistribution: string | undefined): readonly EndpointInfo[] {
  if (!trafficDistribution) return endpoints;
  const known = ['PreferClose', 'PreferSameZone', 'PreferSameNode'];
  if (!known.includes(trafficDistribution)) return endpoints;
  if (endpoints.some((ep) => ep.zoneHints.length > 0 || ep.nodeHints.length > 0)) return endpoints;
  return endpoints.map((ep) => ({
    ...ep,
    zoneHints: ep.zone ? [ep.zone] : [],
    nodeHints: trafficDistribution === 'PreferSameNode' && ep.nodeName ? [ep.nodeName] : [],
  }));
}

/** Upstream topologyModeFromHints. */
export function topologyModeFromHints(endpoints: readonly EndpointInfo[], nodeName: string, zone: string): '' | 'PreferSameZone' | 'PreferSameNode' {
  let hasReady = false;
  let allNodeHints = true;
  let forNode = false;
  let allZoneHints = true;
  let forZone = false;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    hasReady = true;
    if (ep.nodeHints.length === 0) allNodeHints = false;
    else if (ep.nodeHints.includes(nodeName)) forNode = true;
    if (ep.zoneHints.length === 0) allZoneHints = false;
    else if (ep.zoneHints.includes(zone)) forZone = true;
  }
  if (!hasReady) return '';
  if (allNodeHints && forNode) return 'PreferSameNode';
  if (allZoneHints && forZone) return 'PreferSameZone';
  return '';
}

/**
 * The deprecated topologyKeys filter: the first key (in order) for which some
 * endpoint has the node's value wins; "*" matches every endpoint; no match
 * leaves no endpoints. A node without labels can only match "*" (when last).
 */
export function filterByTopologyKeys(endpoints: readonly EndpointInfo[], keys: readonly string[], nodeLabels: Readonly<Record<string, string>>): readonly EndpointInfo[] {
  if (keys.length === 0) return endpoints;
  if (Object.keys(nodeLabels).length === 0) return keys[keys.length - 1] === '*' ? endpoints : [];
  for (const key of keys) {
    if (key === '*') return endpoints;
    const want = nodeLabels[key];
    if (want === undefined) continue;
    const matched = endpoints.filter((ep) => ep.topology[key] === want);
    if (matched.length > 0) return matched;
  }
  return [];
}

function availableForTopology(ep: EndpointInfo, mode: TopologyMode, nodeName: string, zone: string): boolean {
  switch (mode) {
    case '':
    case 'TopologyKeys':
      return true;
    case 'PreferSameNode':
      return ep.nodeHints.includes(nodeName);
    case 'PreferSameZone':
      return ep.zoneHints.includes(zone);
  }
}

function sortEndpoints(eps: Iterable<EndpointInfo>): EndpointInfo[] {
  return [...eps].sort((a, b) => {
    const x = endpointString(a);
    const y = endpointString(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Categorizes the endpoints of one Service port for `node` (see file comment). */
export function categorizeEndpoints(
  endpointsIn: readonly EndpointInfo[],
  info: ServicePortInfo,
  node: NodeTopology,
  opts: CategorizeOptions = {},
): CategorizedEndpoints {
  const none: CategorizedEndpoints = { clusterEndpoints: [], localEndpoints: [], allReachableEndpoints: [], hasAnyEndpoints: false, topologyMode: '' };
  if (endpointsIn.length === 0) return none;
  const endpoints = opts.synthesizeHints === false ? endpointsIn : withSynthesizedHints(endpointsIn, info.trafficDistribution);
  const zone = node.labels[LABEL_TOPOLOGY_ZONE] ?? '';
  let clusterEndpoints: readonly EndpointInfo[] = [];
  let topologyMode: TopologyMode = '';
  let hasAnyEndpoints = false;

  if (usesClusterEndpoints(info)) {
    if (info.topologyKeys.length > 0) {
      topologyMode = 'TopologyKeys';
      clusterEndpoints = filterByTopologyKeys(
        endpoints.filter((ep) => ep.ready),
        info.topologyKeys,
        node.labels,
      );
      if (!endpoints.some((ep) => ep.ready)) {
        clusterEndpoints = filterByTopologyKeys(endpoints.filter(isServingTerminating), info.topologyKeys, node.labels);
      }
    } else {
      topologyMode = topologyModeFromHints(endpoints, node.nodeName, zone);
      clusterEndpoints = endpoints.filter((ep) => ep.ready && availableForTopology(ep, topologyMode, node.nodeName, zone));
      // Hints are ignored when nothing here matches them, so an empty list means nothing is ready anywhere.
      if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter(isServingTerminating);
    }
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true;
  }

  if (!usesLocalEndpoints(info)) {
    return { clusterEndpoints, localEndpoints: [], allReachableEndpoints: clusterEndpoints, hasAnyEndpoints, topologyMode };
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalReady = true;
    } else if (isServingTerminating(ep)) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalServingTerminating = true;
    }
  }
  let localEndpoints: readonly EndpointInfo[] = [];
  if (hasLocalReady) localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  else if (hasLocalServingTerminating) localEndpoints = endpoints.filter((ep) => ep.isLocal && isServingTerminating(ep));

  if (!usesClusterEndpoints(info)) {
    return { clusterEndpoints: [], localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints, topologyMode };
  }
  const union = new Map<string, EndpointInfo>();
  for (const ep of clusterEndpoints) union.set(endpointString(ep), ep);
  for (const ep of localEndpoints) union.set(endpointString(ep), ep);
  return { clusterEndpoints, localEndpoints, allReachableEndpoints: sortEndpoints(union.values()), hasAnyEndpoints, topologyMode };
}

/** Endpoints for traffic to the cluster IPs (internalTrafficPolicy). */
export function internalEndpoints(info: ServicePortInfo, c: CategorizedEndpoints): readonly EndpointInfo[] {
  return info.internalPolicyLocal ? c.localEndpoints : c.clusterEndpoints;
}

/** Endpoints for traffic to NodePorts, external IPs and load-balancer IPs (externalTrafficPolicy). */
export function externalEndpoints(info: ServicePortInfo, c: CategorizedEndpoints): readonly EndpointInfo[] {
  return info.externalPolicyLocal ? c.localEndpoints : c.clusterEndpoints;
}
