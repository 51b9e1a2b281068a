/**
 * What kube-apiserver creates on start: the system namespaces and the
 * `kubernetes` Service in `default` (first IP of the service range, 443 → the
 * API server) with its Endpoints and EndpointSlice, kept up to date with the
 * advertised address and port.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/object.js';
import type { ApiServer } from './api-server.js';
import { ApiError } from './status.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

const MANAGER = 'kube-apiserver';

async function ensure(
  server: ApiServer,
  plural: [group: string, version: string, plural: string],
  namespace: string | undefined,
  desired: KubeObject,
  compare: (live: KubeObject) => boolean,
  merge: (live: KubeObject) => KubeObject,
): Promise<void> {
  const rs = server.resource(...plural);
  const name = desired.metadata.name ?? '';
  let live: KubeObject | undefined;
  try {
    live = await rs.get(namespace, name);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 404)) throw e;
  }
  const opts = { dryRun: false, fieldManager: MANAGER };
  if (!live) {
    try {
      await rs.create(namespace, desired, opts);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
    }
    return;
  }
  if (!compare(live)) await rs.update(namespace, name, (cur) => merge(cur), opts);
}

export interface BootstrapOptions {
  readonly advertiseAddress: string;
  readonly securePort: number;
  /** --cluster-dns: the kube-dns Service's ClusterIP (no Service when empty). */
  readonly clusterDNS?: string;
  /** Where the embedded DNS answers, published as the kube-dns Endpoints (must not be loopback). */
  readonly dnsEndpoint?: { readonly ip: string; readonly port: number };
}

export async function bootstrapCluster(server: ApiServer, opts: BootstrapOptions): Promise<void> {
  for (const ns of SYSTEM_NAMESPACES) {
    await ensure(server, ['', 'v1', 'namespaces'], undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, () => true, (l) => l);
  }
  const port = { name: 'https', port: opts.securePort, protocol: 'TCP' };
  const firstIP = server.serviceAllocations.firstServiceIP();
  const svc: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: firstIP,
      clusterIPs: [firstIP],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.securePort }],
      sessionAffinity: 'None',
    },
  };
  const svcPorts = (o: KubeObject): unknown => (o.spec as { ports?: unknown }).ports;
  await ensure(
    server,
    ['', 'v1', 'services'],
    'default',
    svc,
    (live) => isDeepStrictEqual(svcPorts(live), svcPorts(svc)),
    (live) => ({ ...live, spec: { ...(live.spec as object), ports: svcPorts(svc) } }),
  );
  if (opts.clusterDNS) {
    // The cluster DNS Service, named and labelled as kubeadm/k3s name CoreDNS's, so tools that
    // look for `kube-system/kube-dns` find it.
    const dnsSvc: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      },
      spec: {
        clusterIP: opts.clusterDNS,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
      },
    };
    await ensure(server, ['', 'v1', 'services'], 'kube-system', dnsSvc, () => true, (l) => l);
    if (opts.dnsEndpoint) {
      // kube-dns has no selector: its Endpoints are written here, and the EndpointSlice
      // mirroring controller turns them into slices like any hand-written Endpoints.
      const { ip, port } = opts.dnsEndpoint;
      const dnsEndpoints: KubeObject = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
        subsets: [{ addresses: [{ ip }], ports: [{ name: 'dns', port, protocol: 'UDP' }, { name: 'dns-tcp', port, protocol: 'TCP' }] }],
      };
      await ensure(
        server,
        ['', 'v1', 'endpoints'],
        'kube-system',
        dnsEndpoints,
        (live) => isDeepStrictEqual(live.subsets, dnsEndpoints.subsets),
        (live) => ({ ...live, subsets: dnsEndpoints.subsets }),
      );
    }
  }
  if (!opts.advertiseAddress) return; // no usable address: the service stays without endpoints
  const endpoints: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: opts.advertiseAddress }], ports: [port] }],
  };
  await ensure(
    server,
    ['', 'v1', 'endpoints'],
    'default',
    endpoints,
    (live) => isDeepStrictEqual(live.subsets, endpoints.subsets),
    (live) => ({ ...live, subsets: endpoints.subsets }),
  );
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [opts.advertiseAddress], conditions: { ready: true } }],
    ports: [port],
  };
  await ensure(
    server,
    ['discovery.k8s.io', 'v1', 'endpointslices'],
    'default',
    slice,
    (live) => isDeepStrictEqual(live.endpoints, slice.endpoints) && isDeepStrictEqual(live.ports, slice.ports),
    (live) => ({ ...live, endpoints: slice.endpoints, ports: slice.ports }),
  );
}
