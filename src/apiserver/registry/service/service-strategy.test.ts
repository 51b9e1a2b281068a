import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.js';
import { fieldErrorString } from '../../field-errors.js';
import { ServiceAllocations } from './service-allocations.js';
import { serviceStrategy } from './service-strategy.js';

/** Runs a create the way the store does and returns what `kubectl get -o yaml` would show of spec/status. */
function createThrough(input: KubeObject, alloc: ServiceAllocations): KubeObject {
  const obj = structuredClone(input);
  serviceStrategy.prepareForCreate?.(obj);
  serviceStrategy.defaults?.(obj);
  assert.deepEqual((serviceStrategy.validateCreate?.(obj) ?? []).map(fieldErrorString), []);
  const r = alloc.allocateCreate(obj, false);
  assert.ok(r.ok);
  r.commit();
  return obj;
}

describe('serviceStrategy end to end', () => {
  const cases: { name: string; input: KubeObject; clusterIP: string; want: { spec: unknown; status: unknown } }[] = [
    {
      name: 'minimal ClusterIP service (kubectl create service clusterip / expose)',
      input: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'my-nginx', namespace: 'default' },
        spec: { selector: { app: 'nginx' }, ports: [{ port: 80 }] },
        status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
      },
      clusterIP: '10.96.0.10',
      want: {
        spec: {
          clusterIP: '10.96.0.10',
          clusterIPs: ['10.96.0.10'],
          internalTrafficPolicy: 'Cluster',
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
          selector: { app: 'nginx' },
          sessionAffinity: 'None',
          type: 'ClusterIP',
        },
        status: { loadBalancer: {} },
      },
    },
    {
      name: 'NodePort with a requested node port',
      input: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'np', namespace: 'default' },
        spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }] },
      },
      clusterIP: '10.96.0.11',
      want: {
        spec: {
          clusterIP: '10.96.0.11',
          clusterIPs: ['10.96.0.11'],
          externalTrafficPolicy: 'Cluster',
          internalTrafficPolicy: 'Cluster',
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http', nodePort: 30080 }],
          selector: { app: 'web' },
          sessionAffinity: 'None',
          type: 'NodePort',
        },
        status: { loadBalancer: {} },
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const alloc = new ServiceAllocations({ serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767' });
      const input = structuredClone(c.input);
      (input['spec'] as Record<string, unknown>)['clusterIP'] = c.clusterIP;
      const out = createThrough(input, alloc);
      assert.deepEqual({ spec: out['spec'], status: out['status'] }, c.want);
    });
  }

  test('update keeps the stored status and ignores a client status', () => {
    const old: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lb', namespace: 'default', resourceVersion: '4', uid: 'u' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.7', ipMode: 'VIP' }] } },
    };
    const obj = structuredClone(old);
    obj['status'] = { loadBalancer: {} };
    serviceStrategy.prepareForUpdate?.(obj, old);
    assert.deepEqual(obj['status'], old['status']);
  });

  test('validateUpdate reports a changed clusterIP as upstream 1.32 does', () => {
    const alloc = new ServiceAllocations({ serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767' });
    const old = createThrough(
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', resourceVersion: '2' }, spec: { clusterIP: '10.96.0.5', ports: [{ port: 80 }] } },
      alloc,
    );
    const obj = structuredClone(old);
    (obj['spec'] as Record<string, unknown>)['clusterIP'] = '10.96.0.6';
    serviceStrategy.prepareForUpdate?.(obj, old);
    serviceStrategy.defaults?.(obj);
    assert.deepEqual((serviceStrategy.validateUpdate?.(obj, old) ?? []).map(fieldErrorString), [
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.6"}: may not change once set',
    ]);
  });
});
