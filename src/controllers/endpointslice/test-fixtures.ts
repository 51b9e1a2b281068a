/**
 * Builders for the EndpointSlice controller's unit tests: Services, Pods, Nodes, and a fake
 * "server" that applies a reconcile plan the way the API server would (names, uids,
 * resourceVersions), so a test can run several syncs in a row.
 */
import { cloneJson } from '../../api/object.js';
import type { EndpointSlice, Node, Pod, Service, ServicePort } from './slice-types.js';

export interface ServiceOpts {
  name?: string;
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  clusterIP?: string;
  type?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  publishNotReadyAddresses?: boolean;
  trafficDistribution?: string;
  uid?: string;
  deleting?: boolean;
}

export function svc(o: ServiceOpts = {}): Service {
  const s: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: o.name ?? 'myapp', namespace: 'default', uid: o.uid ?? 'svc-uid', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: {
      selector: o.selector === undefined ? { app: 'myapp' } : o.selector,
      type: o.type ?? 'ClusterIP',
      clusterIP: o.clusterIP ?? '10.96.0.10',
      ipFamilies: ['IPv4'],
      ports: o.ports ?? [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
    },
  };
  if (o.labels) s.metadata.labels = o.labels;
  if (o.annotations) s.metadata.annotations = o.annotations;
  if (o.publishNotReadyAddresses !== undefined && s.spec) s.spec.publishNotReadyAddresses = o.publishNotReadyAddresses;
  if (o.trafficDistribution !== undefined && s.spec) s.spec.trafficDistribution = o.trafficDistribution;
  if (o.deleting) s.metadata.deletionTimestamp = '2025-01-02T00:00:00Z';
  return s;
}

export interface PodOpts {
  ip?: string | null;
  ready?: boolean;
  node?: string;
  labels?: Record<string, string>;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  hostname?: string;
  subdomain?: string;
  deleting?: boolean;
  phase?: string;
  readySince?: string;
}

/** Pod `name` with IP 10.0.<n/250>.<n%250+1> by default (n = index), Running and Ready on node-a. */
export function pod(name: string, n: number, o: PodOpts = {}): Pod {
  const ip = o.ip === undefined ? `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}` : o.ip;
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'myapp' } },
    spec: { nodeName: o.node ?? 'node-a', containers: [{ ports: o.ports ?? [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2025-01-01T00:00:05Z' }],
    },
  };
  if (ip !== null && p.status) {
    p.status.podIP = ip;
    p.status.podIPs = [{ ip }];
  }
  if (o.hostname && p.spec) p.spec.hostname = o.hostname;
  if (o.subdomain && p.spec) p.spec.subdomain = o.subdomain;
  if (o.deleting) p.metadata.deletionTimestamp = '2025-01-02T00:00:00Z';
  return p;
}

export function pods(count: number, o: PodOpts = {}, prefix = 'pod'): Pod[] {
  return Array.from({ length: count }, (_, i) => pod(`${prefix}-${i}`, i, o));
}

export function node(name: string, zone?: string, cpu = '4', ready = true): Node {
  const n: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} },
    status: { allocatable: { cpu }, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
  return n;
}

/** Stands in for the API server: keeps slices, applies plans, counts writes. */
export class FakeSliceStore {
  readonly slices = new Map<string, EndpointSlice>();
  writes = 0;
  private seq = 0;
  private rv = 100;

  list(): EndpointSlice[] {
    return [...this.slices.values()].map((s) => Object.freeze(cloneJson(s)) as EndpointSlice);
  }

  apply(plan: { toCreate: EndpointSlice[]; toUpdate: EndpointSlice[]; toDelete: EndpointSlice[] }): void {
    for (const s of plan.toCreate) {
      const c = cloneJson(s);
      c.metadata.name = `${s.metadata.generateName ?? ''}${(++this.seq).toString().padStart(5, 'x')}`;
      c.metadata.uid = `slice-uid-${this.seq}`;
      c.metadata.resourceVersion = String(++this.rv);
      this.slices.set(c.metadata.name, c);
      this.writes++;
    }
    for (const s of plan.toUpdate) {
      const name = s.metadata.name ?? '';
      const old = this.slices.get(name);
      if (!old) throw new Error(`update of missing slice ${name}`);
      const c = cloneJson(s);
      c.metadata.uid = old.metadata.uid;
      c.metadata.resourceVersion = String(++this.rv);
      this.slices.set(name, c);
      this.writes++;
    }
    for (const s of plan.toDelete) {
      this.slices.delete(s.metadata.name ?? '');
      this.writes++;
    }
  }
}
