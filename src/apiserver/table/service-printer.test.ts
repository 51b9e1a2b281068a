import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { printerFor } from './printers.js';

const NOW = new Date('2024-05-01T12:00:00Z');

function svc(name: string, spec: Record<string, unknown>, status: Record<string, unknown> = { loadBalancer: {} }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', creationTimestamp: '2024-05-01T11:55:00Z' },
    spec,
    status,
  };
}

/** Cells: name, type, cluster-ip, external-ip, port(s), age, selector. */
const cases: { name: string; obj: KubeObject; want: unknown[] }[] = [
  {
    name: 'ClusterIP',
    obj: svc('kubernetes', {
      type: 'ClusterIP',
      clusterIP: '10.96.0.1',
      clusterIPs: ['10.96.0.1'],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
    }),
    want: ['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '5m', '<none>'],
  },
  {
    name: 'NodePort',
    obj: svc('web', {
      type: 'NodePort',
      clusterIP: '10.96.1.2',
      clusterIPs: ['10.96.1.2'],
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }],
    }),
    want: ['web', 'NodePort', '10.96.1.2', '<none>', '80:30080/TCP', '5m', 'app=web'],
  },
  {
    name: 'several ports, sorted selector',
    obj: svc('dns', {
      type: 'ClusterIP',
      clusterIPs: ['10.96.0.10'],
      selector: { 'k8s-app': 'kube-dns', app: 'dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ],
    }),
    want: ['dns', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP', '5m', 'app=dns,k8s-app=kube-dns'],
  },
  {
    name: 'LoadBalancer pending',
    obj: svc('lb', {
      type: 'LoadBalancer',
      clusterIPs: ['10.96.3.4'],
      selector: { app: 'lb' },
      ports: [{ port: 80, protocol: 'TCP', nodePort: 31000 }],
    }),
    want: ['lb', 'LoadBalancer', '10.96.3.4', '<pending>', '80:31000/TCP', '5m', 'app=lb'],
  },
  {
    name: 'LoadBalancer with ingress (sorted, deduplicated, hostname when no IP) plus external IPs',
    obj: svc(
      'lb',
      {
        type: 'LoadBalancer',
        clusterIPs: ['10.96.3.4'],
        externalIPs: ['198.51.100.7'],
        ports: [{ port: 443, protocol: 'TCP', nodePort: 31443 }],
      },
      {
        loadBalancer: {
          ingress: [{ ip: '203.0.113.9' }, { hostname: 'a.example.com' }, { ip: '203.0.113.10' }, { ip: '203.0.113.9' }],
        },
      },
    ),
    want: [
      'lb',
      'LoadBalancer',
      '10.96.3.4',
      '203.0.113.10,203.0.113.9,a.example.com,198.51.100.7',
      '443:31443/TCP',
      '5m',
      '<none>',
    ],
  },
  {
    name: 'LoadBalancer with a long ingress list is not clipped (tables are always wide)',
    obj: svc(
      'lb',
      { type: 'LoadBalancer', clusterIPs: ['10.96.3.4'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30001 }] },
      { loadBalancer: { ingress: [{ hostname: 'very-long-name.elb.example.com' }] } },
    ),
    want: ['lb', 'LoadBalancer', '10.96.3.4', 'very-long-name.elb.example.com', '80:30001/TCP', '5m', '<none>'],
  },
  {
    name: 'ExternalName',
    obj: svc('db', { type: 'ExternalName', externalName: 'db.example.com' }),
    want: ['db', 'ExternalName', '<none>', 'db.example.com', '<none>', '5m', '<none>'],
  },
  {
    name: 'headless',
    obj: svc('web-headless', {
      type: 'ClusterIP',
      clusterIP: 'None',
      clusterIPs: ['None'],
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP' }],
    }),
    want: ['web-headless', 'ClusterIP', 'None', '<none>', '80/TCP', '5m', 'app=web'],
  },
  {
    name: 'ClusterIP with external IPs and no ports',
    obj: svc('ext', { type: 'ClusterIP', clusterIPs: ['10.96.5.5'], externalIPs: ['192.0.2.1', '192.0.2.2'] }),
    want: ['ext', 'ClusterIP', '10.96.5.5', '192.0.2.1,192.0.2.2', '<none>', '5m', '<none>'],
  },
  {
    name: 'clusterIP without clusterIPs (undefaulted object)',
    obj: svc('old', { type: 'ClusterIP', clusterIP: '10.96.9.9', ports: [{ port: 80, protocol: 'TCP' }] }),
    want: ['old', 'ClusterIP', '10.96.9.9', '<none>', '80/TCP', '5m', '<none>'],
  },
  {
    name: 'dual-stack shows the primary IP',
    obj: svc('ds', { type: 'ClusterIP', clusterIPs: ['10.96.7.7', 'fd00::7'], ports: [{ port: 80, protocol: 'TCP' }] }),
    want: ['ds', 'ClusterIP', '10.96.7.7', '<none>', '80/TCP', '5m', '<none>'],
  },
];

describe('service printer', () => {
  const printer = printerFor('', 'Service');
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(printer.cells(c.obj, NOW), c.want));
  }

  test('columns', () => {
    assert.deepEqual(
      printer.columns.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Type', 0],
        ['Cluster-IP', 0],
        ['External-IP', 0],
        ['Port(s)', 0],
        ['Age', 0],
        ['Selector', 1],
      ],
    );
    assert.deepEqual(printer.columns[0], {
      name: 'Name',
      type: 'string',
      format: 'name',
      description: printer.columns[0]?.description,
      priority: 0,
    });
    assert.ok(printer.columns.slice(1).every((c) => c.format === ''));
  });
});
