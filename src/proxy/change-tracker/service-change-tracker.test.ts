import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { service } from '../testing/fixtures.js';
import type { ServicePortInfo } from '../types.js';
import { ServiceChangeTracker, applyServiceChanges } from './service-change-tracker.js';
import { servicePortsFromService } from './service-port.js';

describe('servicePortsFromService', () => {
  const cases: { name: string; svc: KubeObject; want: Record<string, Partial<ServicePortInfo>> }[] = [
    {
      name: 'ClusterIP with two ports, protocol default TCP',
      svc: service('web', { ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
      want: {
        'default/web:http/TCP': { port: 80, protocol: 'TCP', clusterIPs: ['10.96.0.10'], nodePort: 0, sessionAffinity: { type: 'None' } },
        'default/web:dns/UDP': { port: 53, protocol: 'UDP' },
      },
    },
    { name: 'headless is skipped', svc: service('h', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80 }] }), want: {} },
    { name: 'ExternalName is skipped', svc: service('x', { type: 'ExternalName', externalName: 'a.example', clusterIP: '', clusterIPs: [], ports: [{ port: 80 }] }), want: {} },
    {
      name: 'service-proxy-name label hands the Service to another proxy',
      svc: service('o', { ports: [{ port: 80 }] }, { labels: { 'service.kubernetes.io/service-proxy-name': 'other' } }),
      want: {},
    },
    { name: 'no cluster IP of the family: skipped', svc: service('v6', { clusterIP: 'fd00::10', clusterIPs: ['fd00::10'], ports: [{ port: 80 }] }), want: {} },
    {
      name: 'NodePort, ClientIP affinity default timeout, eTP Local',
      svc: service('np', { type: 'NodePort', sessionAffinity: 'ClientIP', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }] }),
      want: { 'default/np:/TCP': { type: 'NodePort', nodePort: 30080, sessionAffinity: { type: 'ClientIP', timeoutSeconds: 10800 }, externalPolicyLocal: true, healthCheckNodePort: 0 } },
    },
    {
      name: 'LoadBalancer: ingress IPs (not ipMode Proxy), health check port, source ranges, scheduler annotation',
      svc: service(
        'lb',
        {
          type: 'LoadBalancer',
          externalTrafficPolicy: 'Local',
          healthCheckNodePort: 32000,
          loadBalancerSourceRanges: ['192.0.2.0/24'],
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
          ports: [{ port: 443, nodePort: 30443 }],
        },
        { annotations: { 'switchyard.io/scheduler': 'lc' }, status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }, { ip: '203.0.113.8', ipMode: 'Proxy' }, { hostname: 'lb.example' }] } } },
      ),
      want: {
        'default/lb:/TCP': {
          loadBalancerIPs: ['203.0.113.7'],
          healthCheckNodePort: 32000,
          loadBalancerSourceRanges: ['192.0.2.0/24'],
          scheduler: 'lc',
          sessionAffinity: { type: 'ClientIP', timeoutSeconds: 60 },
          externalPolicyLocal: true,
        },
      },
    },
    {
      name: 'ClusterIP with externalIPs is externally accessible; eTP Local applies; iTP Local; topology settings',
      svc: service('e', {
        externalIPs: ['198.51.100.1', 'fd00::1'],
        externalTrafficPolicy: 'Local',
        internalTrafficPolicy: 'Local',
        trafficDistribution: 'PreferClose',
        topologyKeys: ['kubernetes.io/hostname', '*'],
        ports: [{ port: 80 }],
      }),
      want: {
        'default/e:/TCP': {
          externalIPs: ['198.51.100.1'],
          externalPolicyLocal: true,
          internalPolicyLocal: true,
          trafficDistribution: 'PreferClose',
          topologyKeys: ['kubernetes.io/hostname', '*'],
        },
      },
    },
    { name: 'eTP Local on a plain ClusterIP has no effect', svc: service('c', { externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }), want: { 'default/c:/TCP': { externalPolicyLocal: false } } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = servicePortsFromService(c.svc, 'IPv4');
      assert.deepEqual([...got.keys()].sort(), Object.keys(c.want).sort());
      for (const [k, want] of Object.entries(c.want)) {
        const info = got.get(k);
        assert.ok(info);
        for (const [field, v] of Object.entries(want)) assert.deepEqual((info as unknown as Record<string, unknown>)[field], v, `${k}.${field}`);
      }
    });
  }
});

describe('ServiceChangeTracker', () => {
  const a = service('a', { ports: [{ name: 'p', port: 80 }] });
  const a2 = service('a', { ports: [{ name: 'p', port: 8080 }] });
  const b = service('b', { clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'], ports: [{ port: 53, protocol: 'UDP' }] });

  test('add then delete before checkout cancels out', () => {
    const t = new ServiceChangeTracker({ ipFamily: 'IPv4' });
    assert.equal(t.update(undefined, a), true);
    assert.equal(t.pendingCount(), 1);
    assert.equal(t.update(a, undefined), false);
    assert.equal(t.pendingCount(), 0);
    assert.deepEqual(t.checkout(), []);
  });

  test('update that does not touch the proxy view (a label) records nothing', () => {
    const t = new ServiceChangeTracker({ ipFamily: 'IPv4' });
    const labelled = { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } };
    assert.equal(t.update(a, labelled), false);
  });

  test('checkout keeps the first previous and the last current; apply updates the map', () => {
    const t = new ServiceChangeTracker({ ipFamily: 'IPv4' });
    const map = new Map<string, ServicePortInfo>();
    t.update(undefined, a);
    t.update(undefined, b);
    let r = applyServiceChanges(map, t.checkout());
    assert.deepEqual([...map.keys()].sort(), ['default/a:p/TCP', 'default/b:/UDP']);
    assert.deepEqual([...r.updatedServices].sort(), ['default/a', 'default/b']);
    t.update(a, a2);
    t.update(b, undefined);
    const changes = t.checkout();
    assert.equal(changes.find((c) => c.service === 'default/a')?.previous.get('default/a:p/TCP')?.port, 80);
    r = applyServiceChanges(map, changes);
    assert.equal(map.get('default/a:p/TCP')?.port, 8080);
    assert.equal(map.has('default/b:/UDP'), false);
    assert.deepEqual([...r.changedKeys].sort(), ['default/a:p/TCP', 'default/b:/UDP']);
    assert.deepEqual([...r.deletedUDPClusterIPs], ['10.96.0.11']);
  });
});
