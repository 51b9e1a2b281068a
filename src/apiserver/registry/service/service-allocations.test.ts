import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.js';
import { fieldErrorString } from '../../field-errors.js';
import { type AllocationResult, ServiceAllocations } from './service-allocations.js';
import { serviceStrategy } from './service-strategy.js';

type Spec = Record<string, unknown>;

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const newAllocs = (): ServiceAllocations =>
  new ServiceAllocations({ serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767', random: seeded(3) });

let counter = 0;
function svc(spec: Spec, name = `svc-${++counter}`): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1' }, spec: structuredClone(spec) };
}

/** What the store does on create: strategy, validation, allocation. Returns the object and the result. */
function create(a: ServiceAllocations, spec: Spec, opts: { dryRun?: boolean; commit?: boolean; name?: string } = {}): { obj: KubeObject; r: AllocationResult } {
  const obj = svc(spec, opts.name);
  serviceStrategy.prepareForCreate?.(obj);
  serviceStrategy.defaults?.(obj);
  assert.deepEqual((serviceStrategy.validateCreate?.(obj) ?? []).map(fieldErrorString), [], 'test input must be valid');
  const r = a.allocateCreate(obj, opts.dryRun ?? false);
  if (r.ok && opts.commit !== false) r.commit();
  return { obj, r };
}

function update(a: ServiceAllocations, old: KubeObject, spec: Spec, opts: { commit?: boolean } = {}): { obj: KubeObject; r: AllocationResult } {
  const obj: KubeObject = { ...structuredClone(old), spec: structuredClone(spec) };
  serviceStrategy.prepareForUpdate?.(obj, old);
  serviceStrategy.defaults?.(obj);
  assert.deepEqual((serviceStrategy.validateUpdate?.(obj, old) ?? []).map(fieldErrorString), [], 'test input must be valid');
  const r = a.allocateUpdate(obj, old, false);
  if (r.ok && opts.commit !== false) r.commit();
  return { obj, r };
}

const spec = (o: KubeObject): Spec => o['spec'] as Spec;
const ports = (o: KubeObject): Spec[] => spec(o)['ports'] as Spec[];
const errs = (r: AllocationResult): string[] => (r.ok ? [] : r.errors.map(fieldErrorString));
const ipNum = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

describe('allocateCreate', () => {
  test('ClusterIP: random IP from the dynamic band, families filled', () => {
    const a = newAllocs();
    const { obj, r } = create(a, { ports: [{ port: 80 }] });
    assert.equal(r.ok, true);
    const ip = spec(obj)['clusterIP'] as string;
    assert.deepEqual(spec(obj)['clusterIPs'], [ip]);
    assert.ok(ipNum(ip) > ipNum('10.96.1.0') && ipNum(ip) < ipNum('10.112.0.0'), ip);
    assert.deepEqual(spec(obj)['ipFamilies'], ['IPv4']);
    assert.equal(spec(obj)['ipFamilyPolicy'], 'SingleStack');
    assert.equal(a.clusterIPs.has(ip), true);
  });

  test('requested clusterIP is honoured; a second request fails with the upstream message', () => {
    const a = newAllocs();
    assert.equal(spec(create(a, { clusterIP: '10.96.0.5', ports: [{ port: 80 }] }).obj)['clusterIP'], '10.96.0.5');
    const { r } = create(a, { clusterIP: '10.96.0.5', ports: [{ port: 80 }] });
    assert.deepEqual(errs(r), ['spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: failed to allocate IP 10.96.0.5: provided IP is already allocated']);
  });

  test('clusterIP outside the CIDR', () => {
    const { r } = create(newAllocs(), { clusterIP: '10.112.0.1', ports: [{ port: 80 }] });
    assert.deepEqual(errs(r), [
      'spec.clusterIPs: Invalid value: []string{"10.112.0.1"}: failed to allocate IP 10.112.0.1: the provided IP (10.112.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    ]);
  });

  const noIP: { name: string; spec: Spec; policy?: string; families?: string[] }[] = [
    { name: 'headless', spec: { clusterIP: 'None', selector: { app: 'x' } }, policy: 'SingleStack', families: ['IPv4'] },
    { name: 'headless without selector', spec: { clusterIP: 'None' }, policy: 'RequireDualStack', families: ['IPv4', 'IPv6'] },
    { name: 'ExternalName', spec: { type: 'ExternalName', externalName: 'db.example.com' } },
  ];
  for (const c of noIP) {
    test(`${c.name}: no IP allocated`, () => {
      const a = newAllocs();
      const { obj, r } = create(a, c.spec);
      assert.equal(r.ok, true);
      assert.equal(a.clusterIPs.used(), 0);
      assert.equal(spec(obj)['ipFamilyPolicy'], c.policy);
      assert.deepEqual(spec(obj)['ipFamilies'], c.families);
    });
  }

  test('NodePort: node ports allocated, TCP and UDP on one port share a node port', () => {
    const a = newAllocs();
    const { obj } = create(a, {
      type: 'NodePort',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'web', port: 80 },
      ],
    });
    const [udp, tcp, web] = ports(obj).map((p) => p['nodePort'] as number);
    assert.equal(udp, tcp);
    assert.notEqual(web, udp);
    for (const p of [udp, web]) assert.ok(p !== undefined && p >= 30086 && p <= 32767, `${p} should come from the dynamic band`);
    assert.equal(a.nodePorts.used(), 2);
  });

  test('requested nodePort taken by another service', () => {
    const a = newAllocs();
    create(a, { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
    const { r } = create(a, { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
    assert.deepEqual(errs(r), ['spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated']);
  });

  test('requested nodePort outside the range', () => {
    const { r } = create(newAllocs(), { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] });
    assert.deepEqual(errs(r), ['spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767']);
  });

  test('failed node port allocation rolls back the clusterIP', () => {
    const a = newAllocs();
    create(a, { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
    const before = a.clusterIPs.used();
    const { r } = create(a, { type: 'NodePort', clusterIP: '10.96.0.77', ports: [{ port: 80, nodePort: 30080 }] });
    assert.equal(r.ok, false);
    assert.equal(a.clusterIPs.used(), before);
    assert.equal(a.clusterIPs.has('10.96.0.77'), false);
  });

  test('LoadBalancer without node ports', () => {
    const a = newAllocs();
    const { obj } = create(a, { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] });
    assert.equal(ports(obj)[0]?.['nodePort'], undefined);
    assert.equal(a.nodePorts.used(), 0);
  });

  test('LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort', () => {
    const a = newAllocs();
    const { obj } = create(a, { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
    const hc = spec(obj)['healthCheckNodePort'] as number;
    assert.ok(hc >= 30000 && hc <= 32767);
    assert.notEqual(hc, ports(obj)[0]?.['nodePort']);
    assert.equal(a.nodePorts.used(), 2);
  });

  test('rollback releases everything', () => {
    const a = newAllocs();
    const { r } = create(a, { type: 'NodePort', ports: [{ port: 80 }] }, { commit: false });
    assert.ok(r.ok);
    r.rollback();
    assert.equal(a.clusterIPs.used(), 0);
    assert.equal(a.nodePorts.used(), 0);
  });

  test('dry run fills realistic values and keeps nothing', () => {
    const a = newAllocs();
    const { obj, r } = create(a, { type: 'NodePort', ports: [{ port: 80 }] }, { dryRun: true });
    assert.ok(r.ok);
    assert.match(spec(obj)['clusterIP'] as string, /^10\.(9[6-9]|10[0-9]|11[01])\./);
    assert.equal(typeof ports(obj)[0]?.['nodePort'], 'number');
    assert.equal(a.clusterIPs.used(), 0);
    assert.equal(a.nodePorts.used(), 0);
  });
});

describe('allocateUpdate: type transitions', () => {
  test('resubmitting the original manifest keeps clusterIP and node ports', () => {
    const a = newAllocs();
    const manifest = { type: 'NodePort', ports: [{ name: 'web', port: 80 }] };
    const { obj: old } = create(a, manifest);
    const { obj, r } = update(a, old, manifest);
    assert.equal(r.ok, true);
    assert.equal(spec(obj)['clusterIP'], spec(old)['clusterIP']);
    assert.equal(ports(obj)[0]?.['nodePort'], ports(old)[0]?.['nodePort']);
    assert.equal(a.nodePorts.used(), 1);
  });

  test('NodePort -> ClusterIP releases node ports on commit only', () => {
    const a = newAllocs();
    const { obj: old } = create(a, { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
    const client = { ...structuredClone(spec(old)), type: 'ClusterIP' };
    const first = update(a, old, client, { commit: false });
    assert.equal(ports(first.obj)[0]?.['nodePort'], undefined);
    assert.equal(spec(first.obj)['externalTrafficPolicy'], undefined);
    assert.ok(first.r.ok);
    first.r.rollback();
    assert.equal(a.nodePorts.has(30080), true, 'rollback keeps the old node port');
    update(a, old, client);
    assert.equal(a.nodePorts.has(30080), false);
  });

  test('ClusterIP -> NodePort keeps the clusterIP and allocates node ports', () => {
    const a = newAllocs();
    const { obj: old } = create(a, { ports: [{ port: 80 }] });
    const { obj } = update(a, old, { ...structuredClone(spec(old)), type: 'NodePort' });
    assert.equal(spec(obj)['clusterIP'], spec(old)['clusterIP']);
    assert.equal(typeof ports(obj)[0]?.['nodePort'], 'number');
    assert.equal(a.nodePorts.used(), 1);
  });

  test('ClusterIP -> ExternalName releases the clusterIP', () => {
    const a = newAllocs();
    const { obj: old } = create(a, { clusterIP: '10.96.0.20', ports: [{ port: 80 }] });
    const { obj, r } = update(a, old, { ...structuredClone(spec(old)), type: 'ExternalName', externalName: 'db.example.com' });
    assert.equal(r.ok, true);
    assert.equal(spec(obj)['clusterIP'], undefined);
    assert.equal(spec(obj)['clusterIPs'], undefined);
    assert.equal(spec(obj)['ipFamilies'], undefined);
    assert.equal(a.clusterIPs.has('10.96.0.20'), false);
  });

  test('ExternalName -> ClusterIP allocates', () => {
    const a = newAllocs();
    const { obj: old } = create(a, { type: 'ExternalName', externalName: 'db.example.com' });
    const { obj } = update(a, old, { type: 'ClusterIP', ports: [{ port: 80 }] });
    const ip = spec(obj)['clusterIP'] as string;
    assert.equal(a.clusterIPs.has(ip), true);
    assert.deepEqual(spec(obj)['ipFamilies'], ['IPv4']);
  });

  test('changing a node port frees the old one', () => {
    const a = newAllocs();
    const { obj: old } = create(a, { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
    update(a, old, { ...structuredClone(spec(old)), ports: [{ port: 80, nodePort: 30081 }] });
    assert.deepEqual(a.nodePorts.allocated(), [30081]);
  });

  test('LoadBalancer Cluster -> Local allocates a healthCheckNodePort, and back frees it', () => {
    const a = newAllocs();
    const { obj: old } = create(a, { type: 'LoadBalancer', ports: [{ port: 80 }] });
    const { obj: local } = update(a, old, { ...structuredClone(spec(old)), externalTrafficPolicy: 'Local' });
    const hc = spec(local)['healthCheckNodePort'] as number;
    assert.equal(a.nodePorts.has(hc), true);
    const { obj: back } = update(a, local, { ...structuredClone(spec(local)), externalTrafficPolicy: 'Cluster' });
    assert.equal(spec(back)['healthCheckNodePort'], undefined);
    assert.equal(a.nodePorts.has(hc), false);
  });
});

describe('restore and release', () => {
  test('restore rebuilds state from stored services', () => {
    const a = newAllocs();
    const stored = [
      create(a, { clusterIP: '10.96.0.1', ports: [{ port: 443 }] }, { name: 'kubernetes' }).obj,
      create(a, { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }).obj,
      create(a, { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }).obj,
      create(a, { type: 'ExternalName', externalName: 'db.example.com' }).obj,
      create(a, { clusterIP: 'None', selector: { app: 'x' } }).obj,
    ];
    const b = newAllocs();
    b.restore(stored);
    assert.deepEqual(b.clusterIPs.allocated(), a.clusterIPs.allocated());
    assert.deepEqual(b.nodePorts.allocated(), a.nodePorts.allocated());
    assert.equal(b.clusterIPs.has(b.firstServiceIP()), true);
    const again = create(b, { clusterIP: '10.96.0.1', ports: [{ port: 443 }] });
    assert.equal(again.r.ok, false);
  });

  test('restore discards previous state', () => {
    const a = newAllocs();
    create(a, { clusterIP: '10.96.0.30', ports: [{ port: 80 }] });
    a.restore([]);
    assert.equal(a.clusterIPs.used(), 0);
  });

  test('release frees IPs, node ports and the health check port', () => {
    const a = newAllocs();
    const { obj } = create(a, { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
    a.release(obj);
    assert.equal(a.clusterIPs.used(), 0);
    assert.equal(a.nodePorts.used(), 0);
  });

  test('firstServiceIP', () => assert.equal(newAllocs().firstServiceIP(), '10.96.0.1'));
});
