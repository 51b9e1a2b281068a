import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.js';
import { fieldErrorString } from '../../field-errors.js';
import { defaultIPFamilies, defaultService } from './service-defaults.js';

const svc = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec,
  ...extra,
});

describe('defaultService', () => {
  const cases: { name: string; spec: Record<string, unknown>; want: Record<string, unknown>; status?: unknown; wantStatus?: unknown }[] = [
    {
      name: 'minimal ClusterIP',
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
      want: {
        selector: { app: 'web' },
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        sessionAffinity: 'None',
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
    },
    {
      name: 'named targetPort is kept',
      spec: { ports: [{ port: 80, targetPort: 'http', protocol: 'UDP' }] },
      want: {
        ports: [{ port: 80, targetPort: 'http', protocol: 'UDP' }],
        sessionAffinity: 'None',
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
    },
    {
      name: 'targetPort 0 becomes port',
      spec: { ports: [{ port: 8080, targetPort: 0 }] },
      want: {
        ports: [{ port: 8080, targetPort: 8080, protocol: 'TCP' }],
        sessionAffinity: 'None',
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
    },
    {
      name: 'NodePort gets externalTrafficPolicy',
      spec: { type: 'NodePort', ports: [{ port: 80 }] },
      want: {
        type: 'NodePort',
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        sessionAffinity: 'None',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
      },
    },
    {
      name: 'LoadBalancer gets allocateLoadBalancerNodePorts',
      spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
      want: {
        type: 'LoadBalancer',
        ports: [{ port: 443, protocol: 'TCP', targetPort: 443 }],
        sessionAffinity: 'None',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        allocateLoadBalancerNodePorts: true,
      },
    },
    {
      name: 'ClusterIP with externalIPs is externally accessible',
      spec: { externalIPs: ['192.0.2.10'], ports: [{ port: 80 }] },
      want: {
        externalIPs: ['192.0.2.10'],
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        sessionAffinity: 'None',
        type: 'ClusterIP',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
      },
    },
    {
      name: 'ExternalName gets no traffic policies',
      spec: { type: 'ExternalName', externalName: 'example.com' },
      want: { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' },
    },
    {
      name: 'ClientIP affinity gets the default timeout',
      spec: { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] },
      want: {
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
    },
    {
      name: 'ClientIP affinity keeps a given timeout',
      spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] },
      want: {
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
    },
    {
      name: 'None affinity drops its config',
      spec: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] },
      want: {
        sessionAffinity: 'None',
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const obj = svc(c.spec);
      defaultService(obj);
      assert.deepEqual(obj['spec'], c.want);
      assert.deepEqual(obj['status'], { loadBalancer: {} });
      const again = structuredClone(obj);
      defaultService(again);
      assert.deepEqual(again, obj, 'defaulting must be idempotent');
    });
  }

  test('LoadBalancer ingress IP gets ipMode VIP', () => {
    const obj = svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }, { status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }, { hostname: 'lb.example.com' }] } } });
    defaultService(obj);
    assert.deepEqual(obj['status'], { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }, { hostname: 'lb.example.com' }] } });
  });
});

describe('defaultIPFamilies (single-stack IPv4 cluster)', () => {
  const cases: {
    name: string;
    spec: Record<string, unknown>;
    old?: Record<string, unknown>;
    wantPolicy?: string;
    wantFamilies?: string[];
    wantErrors?: string[];
  }[] = [
    { name: 'plain service', spec: { type: 'ClusterIP', selector: { app: 'x' } }, wantPolicy: 'SingleStack', wantFamilies: ['IPv4'] },
    {
      name: 'headless with selector',
      spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'x' } },
      wantPolicy: 'SingleStack',
      wantFamilies: ['IPv4'],
    },
    {
      name: 'headless without selector is RequireDualStack with both families',
      spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] },
      wantPolicy: 'RequireDualStack',
      wantFamilies: ['IPv4', 'IPv6'],
    },
    {
      name: 'requested IPv4 clusterIP infers family',
      spec: { type: 'ClusterIP', clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'] },
      wantPolicy: 'SingleStack',
      wantFamilies: ['IPv4'],
    },
    {
      name: 'update adopts the old policy',
      spec: { type: 'ClusterIP' },
      old: { type: 'ClusterIP', ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4'] },
      wantPolicy: 'PreferDualStack',
      wantFamilies: ['IPv4'],
    },
    {
      name: 'RequireDualStack refused',
      spec: { type: 'ClusterIP', ipFamilyPolicy: 'RequireDualStack' },
      wantErrors: ['spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services'],
    },
    {
      name: 'IPv6 family refused',
      spec: { type: 'ClusterIP', ipFamilies: ['IPv6'] },
      wantErrors: ['spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster'],
    },
    {
      name: 'IPv6 clusterIP refused',
      spec: { type: 'ClusterIP', clusterIP: 'fd00::10', clusterIPs: ['fd00::10'] },
      wantErrors: ['spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is not configured on this cluster'],
    },
    {
      name: 'SingleStack with two families',
      spec: { type: 'ClusterIP', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'] },
      wantErrors: [
        `spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified`,
      ],
    },
    { name: 'ExternalName untouched', spec: { type: 'ExternalName', externalName: 'x.example.com' } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const obj = svc(structuredClone(c.spec));
      const old = c.old ? svc(structuredClone(c.old)) : undefined;
      const errs = defaultIPFamilies(obj, old, ['IPv4']).map(fieldErrorString);
      assert.deepEqual(errs, c.wantErrors ?? []);
      if (c.wantErrors) return;
      const spec = obj['spec'] as Record<string, unknown>;
      assert.equal(spec['ipFamilyPolicy'], c.wantPolicy);
      assert.deepEqual(spec['ipFamilies'], c.wantFamilies);
    });
  }
});
