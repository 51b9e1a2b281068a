/** Builders for Services, EndpointSlices and EndpointInfos used by the proxy's tests. */
import type { KubeObject } from '../../api/object.js';
import { type EndpointInfo, LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE, type ServicePortInfo, servicePortKey } from '../types.js';

export function service(name: string, spec: Record<string, unknown>, extra: { namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string>; status?: unknown } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: extra.namespace ?? 'default', ...(extra.annotations ? { annotations: extra.annotations } : {}), ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], sessionAffinity: 'None', ...spec },
    ...(extra.status !== undefined ? { status: extra.status } : {}),
  };
}

export interface SliceEndpointSpec {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  node?: string;
  zone?: string;
  zoneHints?: string[];
  nodeHints?: string[];
}

export function slice(
  name: string,
  serviceName: string,
  ports: { name?: string; port: number; protocol?: string }[],
  endpoints: SliceEndpointSpec[],
  extra: { namespace?: string; addressType?: string; annotations?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: extra.namespace ?? 'default',
      labels: { 'kubernetes.io/service-name': serviceName },
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    addressType: extra.addressType ?? 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: {
        ...(e.ready !== undefined ? { ready: e.ready } : {}),
        ...(e.serving !== undefined ? { serving: e.serving } : {}),
        ...(e.terminating !== undefined ? { terminating: e.terminating } : {}),
      },
      ...(e.node ? { nodeName: e.node } : {}),
      ...(e.zone ? { zone: e.zone } : {}),
      ...(e.zoneHints || e.nodeHints
        ? { hints: { ...(e.zoneHints ? { forZones: e.zoneHints.map((n) => ({ name: n })) } : {}), ...(e.nodeHints ? { forNodes: e.nodeHints.map((n) => ({ name: n })) } : {}) } }
        : {}),
    })),
  };
}

/** An EndpointInfo with defaults (ready, serving, port 80, not local). */
export function ep(ip: string, o: Partial<EndpointInfo> = {}): EndpointInfo {
  const nodeName = o.nodeName ?? '';
  const zone = o.zone ?? '';
  return {
    ip,
    port: 80,
    ready: true,
    serving: true,
    terminating: false,
    nodeName,
    zone,
    isLocal: false,
    zoneHints: [],
    nodeHints: [],
    topology: { ...(nodeName ? { [LABEL_HOSTNAME]: nodeName } : {}), ...(zone ? { [LABEL_TOPOLOGY_ZONE]: zone } : {}) },
    ...o,
  };
}

/** A ServicePortInfo with defaults (ClusterIP 10.96.0.10:80/TCP, Cluster policies). */
export function portInfo(o: Partial<ServicePortInfo> = {}): ServicePortInfo {
  const namespace = o.namespace ?? 'default';
  const name = o.name ?? 'svc';
  const portName = o.portName ?? '';
  const protocol = o.protocol ?? 'TCP';
  return {
    key: servicePortKey(namespace, name, portName, protocol),
    namespace,
    name,
    portName,
    protocol,
    type: 'ClusterIP',
    port: 80,
    clusterIPs: ['10.96.0.10'],
    nodePort: 0,
    externalIPs: [],
    loadBalancerIPs: [],
    loadBalancerSourceRanges: [],
    sessionAffinity: { type: 'None' },
    internalPolicyLocal: false,
    externalPolicyLocal: false,
    healthCheckNodePort: 0,
    topologyKeys: [],
    ...o,
  };
}
