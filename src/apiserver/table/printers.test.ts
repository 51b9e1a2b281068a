import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { RESOURCE_TYPES } from '../resources.js';
import { hasPrinter, printerFor } from './printers.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const CREATED = '2024-05-01T11:55:00Z'; // 5m before NOW

function obj(apiVersion: string, kind: string, name: string, body: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: 'default', creationTimestamp: CREATED, ...meta }, ...body };
}

interface Case {
  readonly name: string;
  readonly obj: KubeObject;
  readonly want: unknown[];
}

function runCases(group: string, kind: string, cases: readonly Case[]): void {
  describe(`${group || 'core'}/${kind} printer`, () => {
    const printer = printerFor(group, kind);
    for (const c of cases) {
      test(c.name, () => {
        const cells = printer.cells(c.obj, NOW);
        assert.deepEqual(cells, c.want);
        assert.equal(cells.length, printer.columns.length, 'one cell per column');
      });
    }
  });
}

/** Column headers as `kubectl get -o wide` shows them; `*` marks priority 1. */
describe('column sets match upstream', () => {
  const want: [group: string, kind: string, columns: string][] = [
    ['', 'Pod', 'Name Ready Status Restarts Age IP* Node* Nominated_Node* Readiness_Gates*'],
    ['', 'Service', 'Name Type Cluster-IP External-IP Port(s) Age Selector*'],
    ['', 'Endpoints', 'Name Endpoints Age'],
    ['', 'Namespace', 'Name Status Age'],
    ['', 'Node', 'Name Status Roles Age Version Internal-IP* External-IP* OS-Image* Kernel-Version* Container-Runtime*'],
    ['', 'Secret', 'Name Type Data Age'],
    ['', 'ConfigMap', 'Name Data Age'],
    ['', 'Event', 'Last_Seen Type Reason Object Subobject* Source* Message First_Seen* Count* Name*'],
    ['events.k8s.io', 'Event', 'Last_Seen Type Reason Object Subobject* Source* Message First_Seen* Count* Name*'],
    ['', 'ServiceAccount', 'Name Secrets Age'],
    ['apps', 'Deployment', 'Name Ready Up-to-date Available Age Containers* Images* Selector*'],
    ['apps', 'ReplicaSet', 'Name Desired Current Ready Age Containers* Images* Selector*'],
    ['apps', 'StatefulSet', 'Name Ready Age Containers* Images*'],
    ['discovery.k8s.io', 'EndpointSlice', 'Name AddressType Ports Endpoints Age'],
    ['networking.k8s.io', 'Ingress', 'Name Class Hosts Address Ports Age'],
    ['networking.k8s.io', 'IngressClass', 'Name Controller Parameters Age'],
    ['coordination.k8s.io', 'Lease', 'Name Holder Age'],
    ['example.com', 'Widget', 'Name Created_At'],
  ];
  for (const [group, kind, columns] of want) {
    test(`${group || 'core'}/${kind}`, () => {
      const got = printerFor(group, kind)
        .columns.map((c) => c.name.replace(/ /g, '_') + (c.priority === 1 ? '*' : ''))
        .join(' ');
      assert.equal(got, columns);
    });
  }

  test('every served kind has a dedicated printer', () => {
    for (const t of RESOURCE_TYPES) assert.ok(hasPrinter(t.group, t.kind), `${t.group}/${t.kind}`);
  });

  test('exactly one name-format column per printer, and descriptions are filled', () => {
    for (const t of RESOURCE_TYPES) {
      const cols = printerFor(t.group, t.kind).columns;
      assert.equal(cols.filter((c) => c.format === 'name').length, 1, `${t.kind}`);
      assert.ok(cols.every((c) => c.description.length > 0), `${t.kind}`);
    }
  });
});

runCases('', 'Endpoints', [
  { name: 'no subsets', obj: obj('v1', 'Endpoints', 'web'), want: ['web', '<none>', '5m'] },
  {
    name: 'two addresses, one port',
    obj: obj('v1', 'Endpoints', 'web', {
      subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ name: '', port: 80, protocol: 'TCP' }] }],
    }),
    want: ['web', '10.0.0.1:80,10.0.0.2:80', '5m'],
  },
  {
    name: 'more than three',
    obj: obj('v1', 'Endpoints', 'web', {
      subsets: [
        {
          addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'].map((ip) => ({ ip })),
          ports: [{ port: 80, protocol: 'TCP' }],
        },
      ],
    }),
    want: ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 3 more...', '5m'],
  },
  {
    name: 'every address once per port',
    obj: obj('v1', 'Endpoints', 'dns', {
      subsets: [
        {
          addresses: [{ ip: '10.1.0.20' }, { ip: '10.1.0.21' }],
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP' },
            { name: 'dns-tcp', port: 53, protocol: 'TCP' },
            { name: 'metrics', port: 9153, protocol: 'TCP' },
          ],
        },
      ],
    }),
    want: ['dns', '10.1.0.20:53,10.1.0.21:53,10.1.0.20:53 + 3 more...', '5m'],
  },
  {
    name: 'headless without ports lists bare IPs',
    obj: obj('v1', 'Endpoints', 'h', { subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] }] }),
    want: ['h', '10.0.0.1,10.0.0.2', '5m'],
  },
  {
    name: 'IPv6 addresses are bracketed',
    obj: obj('v1', 'Endpoints', 'v6', { subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 8080 }] }] }),
    want: ['v6', '[fd00::1]:8080', '5m'],
  },
  {
    name: 'only not-ready addresses show as empty',
    obj: obj('v1', 'Endpoints', 'nr', { subsets: [{ notReadyAddresses: [{ ip: '10.0.0.9' }], ports: [{ port: 80 }] }] }),
    want: ['nr', '', '5m'],
  },
]);

runCases('discovery.k8s.io', 'EndpointSlice', [
  {
    name: 'IPv4 slice',
    obj: obj('discovery.k8s.io/v1', 'EndpointSlice', 'web-abc12', {
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }, { addresses: ['10.0.0.2'], conditions: { ready: false } }],
    }),
    want: ['web-abc12', 'IPv4', '80,443', '10.0.0.1,10.0.0.2', '5m'],
  },
  {
    name: 'empty slice',
    obj: obj('discovery.k8s.io/v1', 'EndpointSlice', 'web-empty', { addressType: 'IPv4', endpoints: [] }),
    want: ['web-empty', 'IPv4', '<unset>', '<unset>', '5m'],
  },
  {
    name: 'unnumbered ports show name or *; more than three endpoints',
    obj: obj('discovery.k8s.io/v1', 'EndpointSlice', 'x', {
      addressType: 'IPv4',
      ports: [{ name: 'http' }, {}],
      endpoints: ['1', '2', '3', '4'].map((n) => ({ addresses: [`10.0.0.${n}`] })),
    }),
    want: ['x', 'IPv4', 'http,*', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '5m'],
  },
]);

runCases('', 'Namespace', [
  { name: 'active', obj: obj('v1', 'Namespace', 'default', { status: { phase: 'Active' } }), want: ['default', 'Active', '5m'] },
  {
    name: 'terminating',
    obj: obj('v1', 'Namespace', 'old', { status: { phase: 'Terminating' } }, { deletionTimestamp: CREATED }),
    want: ['old', 'Terminating', '5m'],
  },
]);

runCases('', 'Node', [
  {
    name: 'ready control plane',
    obj: obj(
      'v1',
      'Node',
      'cp-1',
      {
        status: {
          conditions: [
            { type: 'MemoryPressure', status: 'False' },
            { type: 'Ready', status: 'True' },
          ],
          addresses: [
            { type: 'Hostname', address: 'cp-1' },
            { type: 'InternalIP', address: '192.168.1.10' },
          ],
          nodeInfo: {
            kubeletVersion: 'v1.32.4',
            osImage: 'Ubuntu 24.04 LTS',
            kernelVersion: '6.8.0-31-generic',
            containerRuntimeVersion: 'containerd://1.7.12',
          },
        },
      },
      { namespace: undefined, labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'cp-1' } },
    ),
    want: [
      'cp-1',
      'Ready',
      'control-plane',
      '5m',
      'v1.32.4',
      '192.168.1.10',
      '<none>',
      'Ubuntu 24.04 LTS',
      '6.8.0-31-generic',
      'containerd://1.7.12',
    ],
  },
  {
    name: 'not ready and cordoned, several roles sorted',
    obj: obj(
      'v1',
      'Node',
      'w-1',
      {
        spec: { unschedulable: true },
        status: {
          conditions: [{ type: 'Ready', status: 'Unknown' }],
          addresses: [{ type: 'ExternalIP', address: '203.0.113.5' }],
          nodeInfo: { kubeletVersion: 'v1.32.4' },
        },
      },
      { labels: { 'node-role.kubernetes.io/worker': '', 'kubernetes.io/role': 'edge', 'node-role.kubernetes.io/': '' } },
    ),
    want: ['w-1', 'NotReady,SchedulingDisabled', 'edge,worker', '5m', 'v1.32.4', '<none>', '203.0.113.5', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    name: 'no conditions yet',
    obj: obj('v1', 'Node', 'new'),
    want: ['new', 'Unknown', '<none>', '5m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
]);

runCases('', 'Secret', [
  {
    name: 'opaque with two keys',
    obj: obj('v1', 'Secret', 'creds', { type: 'Opaque', data: { user: 'YQ==', pass: 'Yg==' } }),
    want: ['creds', 'Opaque', 2, '5m'],
  },
  {
    name: 'tls without data',
    obj: obj('v1', 'Secret', 'tls', { type: 'kubernetes.io/tls' }),
    want: ['tls', 'kubernetes.io/tls', 0, '5m'],
  },
]);

runCases('', 'ConfigMap', [
  {
    name: 'data and binaryData both count',
    obj: obj('v1', 'ConfigMap', 'cfg', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }),
    want: ['cfg', 3, '5m'],
  },
  { name: 'empty', obj: obj('v1', 'ConfigMap', 'kube-root-ca.crt'), want: ['kube-root-ca.crt', 0, '5m'] },
]);

runCases('', 'ServiceAccount', [
  { name: 'default', obj: obj('v1', 'ServiceAccount', 'default'), want: ['default', 0, '5m'] },
  {
    name: 'with secrets',
    obj: obj('v1', 'ServiceAccount', 'bot', { secrets: [{ name: 'bot-token' }] }),
    want: ['bot', 1, '5m'],
  },
]);

runCases('', 'Event', [
  {
    name: 'kubelet event with count',
    obj: obj('v1', 'Event', 'web-0.17a', {
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', fieldPath: 'spec.containers{app}' },
      reason: 'Pulled',
      message: 'Container image "nginx" already present on machine\n',
      type: 'Normal',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2024-05-01T11:56:00Z',
      lastTimestamp: '2024-05-01T11:58:00Z',
      count: 3,
    }),
    want: [
      '2m',
      'Normal',
      'Pulled',
      'pod/web-0',
      'spec.containers{app}',
      'kubelet, node-1',
      'Container image "nginx" already present on machine',
      '4m',
      3,
      'web-0.17a',
    ],
  },
  {
    name: 'new-style event: eventTime only, reporting controller, count defaults to 1',
    obj: obj('v1', 'Event', 'svc.1', {
      involvedObject: { kind: 'Service', name: 'lb' },
      reason: 'EnsuringLoadBalancer',
      message: 'Ensuring load balancer',
      type: 'Normal',
      eventTime: '2024-05-01T11:59:00.000000Z',
      reportingComponent: 'service-controller',
      reportingInstance: '',
    }),
    want: ['60s', 'Normal', 'EnsuringLoadBalancer', 'service/lb', '', 'service-controller', 'Ensuring load balancer', '60s', 1, 'svc.1'],
  },
  {
    name: 'series overrides last seen and count; object without name prints the kind',
    obj: obj('v1', 'Event', 'n.1', {
      involvedObject: { kind: 'Node' },
      reason: 'Rebooted',
      message: 'x',
      type: 'Warning',
      eventTime: '2024-05-01T11:00:00.000000Z',
      series: { count: 7, lastObservedTime: '2024-05-01T11:59:50.000000Z' },
    }),
    want: ['10s', 'Warning', 'Rebooted', 'node', '', '', 'x', '60m', 7, 'n.1'],
  },
  {
    name: 'no timestamps at all',
    obj: obj('v1', 'Event', 'e', { involvedObject: { kind: 'Pod', name: 'p' }, reason: 'R', message: 'm', type: 'Normal' }),
    want: ['<unknown>', 'Normal', 'R', 'pod/p', '', '', 'm', '<unknown>', 1, 'e'],
  },
]);

runCases('events.k8s.io', 'Event', [
  {
    name: 'events.k8s.io fields map onto the core columns',
    obj: obj('events.k8s.io/v1', 'Event', 'web-0.17b', {
      regarding: { kind: 'Pod', name: 'web-0', fieldPath: 'spec.containers{app}' },
      reason: 'Started',
      note: 'Started container app',
      type: 'Normal',
      eventTime: null,
      reportingController: 'kubelet',
      reportingInstance: 'node-1',
      deprecatedFirstTimestamp: '2024-05-01T11:57:00Z',
      deprecatedLastTimestamp: '2024-05-01T11:59:00Z',
      deprecatedCount: 2,
    }),
    want: ['60s', 'Normal', 'Started', 'pod/web-0', 'spec.containers{app}', 'kubelet, node-1', 'Started container app', '3m', 2, 'web-0.17b'],
  },
]);

runCases('apps', 'Deployment', [
  {
    name: 'two of three ready',
    obj: obj('apps/v1', 'Deployment', 'web', {
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }] } },
      },
      status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
    }),
    want: ['web', '2/3', 3, 2, '5m', 'nginx,sidecar', 'nginx:1.27,busybox', 'app=web'],
  },
  {
    name: 'fresh deployment without status; selector with expressions',
    obj: obj('apps/v1', 'Deployment', 'new', {
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'new' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] },
        template: { spec: { containers: [{ name: 'app', image: 'app:v1' }] } },
      },
    }),
    want: ['new', '0/1', 0, 0, '5m', 'app', 'app:v1', 'app=new,env in (dev,prod)'],
  },
  {
    name: 'scaled to zero; empty selector prints empty (not <none>)',
    obj: obj('apps/v1', 'Deployment', 'zero', { spec: { replicas: 0, selector: {}, template: { spec: { containers: [] } } } }),
    want: ['zero', '0/0', 0, 0, '5m', '', '', ''],
  },
  {
    name: 'malformed selector',
    obj: obj('apps/v1', 'Deployment', 'bad', {
      spec: { replicas: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Nope' }] }, template: { spec: { containers: [] } } },
    }),
    want: ['bad', '0/1', 0, 0, '5m', '', '', '<invalid>'],
  },
]);

runCases('apps', 'ReplicaSet', [
  {
    name: 'partly ready',
    obj: obj('apps/v1', 'ReplicaSet', 'web-7d9f', {
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d9f' } },
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      },
      status: { replicas: 3, readyReplicas: 1 },
    }),
    want: ['web-7d9f', 3, 3, 1, '5m', 'nginx', 'nginx:1.27', 'app=web,pod-template-hash=7d9f'],
  },
  {
    name: 'old revision scaled down; empty selector prints <none>',
    obj: obj('apps/v1', 'ReplicaSet', 'web-old', {
      spec: { replicas: 0, selector: {}, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
      status: { replicas: 0 },
    }),
    want: ['web-old', 0, 0, 0, '5m', 'nginx', 'nginx:1.25', '<none>'],
  },
]);

runCases('apps', 'StatefulSet', [
  {
    name: 'one of two ready',
    obj: obj('apps/v1', 'StatefulSet', 'db', {
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } } },
      status: { replicas: 2, readyReplicas: 1 },
    }),
    want: ['db', '1/2', '5m', 'pg', 'postgres:16'],
  },
]);

runCases('networking.k8s.io', 'Ingress', [
  {
    name: 'class, hosts, address, TLS',
    obj: obj('networking.k8s.io/v1', 'Ingress', 'web', {
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }],
        tls: [{ hosts: ['a.example.com'], secretName: 'tls' }],
      },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
    }),
    want: ['web', 'nginx', 'a.example.com,b.example.com', '192.0.2.10', '80, 443', '5m'],
  },
  {
    name: 'no class, hostless rules, no address',
    obj: obj('networking.k8s.io/v1', 'Ingress', 'any', { spec: { rules: [{ http: { paths: [] } }] } }),
    want: ['any', '<none>', '*', '', '80', '5m'],
  },
  {
    name: 'more than three hosts',
    obj: obj('networking.k8s.io/v1', 'Ingress', 'many', {
      spec: { ingressClassName: 'nginx', rules: ['a', 'b', 'c', 'd', 'e'].map((h) => ({ host: `${h}.example.com` })) },
    }),
    want: ['many', 'nginx', 'a.example.com,b.example.com,c.example.com + 2 more...', '', '80', '5m'],
  },
]);

runCases('networking.k8s.io', 'IngressClass', [
  {
    name: 'with parameters in a group',
    obj: obj(
      'networking.k8s.io/v1',
      'IngressClass',
      'external-lb',
      { spec: { controller: 'example.com/ingress-controller', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } } },
      { namespace: undefined },
    ),
    want: ['external-lb', 'example.com/ingress-controller', 'IngressParameters.k8s.example.com/external-lb', '5m'],
  },
  {
    name: 'core-group parameters and none',
    obj: obj('networking.k8s.io/v1', 'IngressClass', 'nginx', { spec: { controller: 'k8s.io/ingress-nginx' } }),
    want: ['nginx', 'k8s.io/ingress-nginx', '<none>', '5m'],
  },
  {
    name: 'parameters without apiGroup',
    obj: obj('networking.k8s.io/v1', 'IngressClass', 'c', { spec: { controller: 'x/y', parameters: { kind: 'ConfigMap', name: 'cfg' } } }),
    want: ['c', 'x/y', 'ConfigMap/cfg', '5m'],
  },
]);

runCases('coordination.k8s.io', 'Lease', [
  {
    name: 'held',
    obj: obj('coordination.k8s.io/v1', 'Lease', 'node-1', { spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } }),
    want: ['node-1', 'node-1', '5m'],
  },
  { name: 'unheld', obj: obj('coordination.k8s.io/v1', 'Lease', 'free', { spec: {} }), want: ['free', '', '5m'] },
]);

runCases('example.com', 'Widget', [
  { name: 'default printer shows the creation time', obj: obj('example.com/v1', 'Widget', 'w'), want: ['w', '2024-05-01T11:55:00Z'] },
  {
    name: 'default printer normalises to UTC seconds',
    obj: obj('example.com/v1', 'Widget', 'w2', {}, { creationTimestamp: '2024-05-01T13:55:00.5+02:00' }),
    want: ['w2', '2024-05-01T11:55:00Z'],
  },
  {
    name: 'default printer with no creation time',
    obj: obj('example.com/v1', 'Widget', 'w3', {}, { creationTimestamp: undefined }),
    want: ['w3', '0001-01-01T00:00:00Z'],
  },
]);
