import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { PatchError } from './patch-error.js';
import { patchSchemaFor } from './schema.js';

const svcSchema = patchSchemaFor('v1', 'Service');
const deploySchema = patchSchemaFor('apps/v1', 'Deployment');
const podSchema = patchSchemaFor('v1', 'Pod');

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'my-nginx', labels: { run: 'my-nginx' }, annotations: { a: '1' } },
  spec: {
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    selector: { run: 'my-nginx' },
    clusterIP: '10.96.0.10',
  },
};

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.27',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'X', value: 'x' }],
          },
        ],
      },
    },
  },
};

interface Case {
  name: string;
  doc: unknown;
  patch: unknown;
  schema: typeof svcSchema;
  /** Expected value at `pick(result)`. */
  pick: (r: any) => unknown;
  want: unknown;
}

const cases: Case[] = [
  {
    name: 'kubectl apply 3-way: port 80 replaced by 8080',
    doc: service,
    schema: svcSchema,
    patch: {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
      spec: {
        '$setElementOrder/ports': [{ port: 8080 }],
        ports: [{ port: 8080, protocol: 'TCP' }, { $patch: 'delete', port: 80 }],
      },
    },
    pick: (r) => r.spec.ports,
    want: [{ port: 8080, protocol: 'TCP' }],
  },
  {
    name: 'no delete directive: both ports survive, new one first',
    doc: service,
    schema: svcSchema,
    patch: { spec: { '$setElementOrder/ports': [{ port: 8080 }], ports: [{ port: 8080, protocol: 'TCP' }] } },
    pick: (r) => r.spec.ports.map((p: any) => p.port),
    want: [8080, 80],
  },
  {
    name: 'kubectl edit: ports replaced and label added',
    doc: service,
    schema: svcSchema,
    patch: {
      metadata: { labels: { edited: 'yes' } },
      spec: {
        '$setElementOrder/ports': [{ port: 8081 }],
        ports: [{ port: 8081, protocol: 'TCP', targetPort: 80 }, { $patch: 'delete', port: 80 }],
      },
    },
    pick: (r) => [r.metadata.labels, r.spec.ports],
    want: [{ run: 'my-nginx', edited: 'yes' }, [{ port: 8081, protocol: 'TCP', targetPort: 80 }]],
  },
  {
    name: 'merging an existing port by key keeps live fields',
    doc: service,
    schema: svcSchema,
    patch: { spec: { ports: [{ port: 80, name: 'http' }] } },
    pick: (r) => r.spec.ports,
    want: [{ port: 80, protocol: 'TCP', targetPort: 80, name: 'http' }],
  },
  {
    name: 'UDP and TCP on the same port collide (SMP keys by port only)',
    doc: service,
    schema: svcSchema,
    patch: { spec: { ports: [{ port: 80, protocol: 'UDP' }] } },
    pick: (r) => r.spec.ports,
    want: [{ port: 80, protocol: 'UDP', targetPort: 80 }],
  },
  {
    name: 'null deletes a label and a whole map',
    doc: service,
    schema: svcSchema,
    patch: { metadata: { labels: { run: null }, annotations: null } },
    pick: (r) => [r.metadata.labels, 'annotations' in r.metadata],
    want: [{}, false],
  },
  {
    name: 'selector merges key by key under SMP',
    doc: service,
    schema: svcSchema,
    patch: { spec: { selector: { tier: 'web' } } },
    pick: (r) => r.spec.selector,
    want: { run: 'my-nginx', tier: 'web' },
  },
  {
    name: 'atomic list (clusterIPs) is replaced',
    doc: { ...service, spec: { ...service.spec, externalIPs: ['1.1.1.1', '2.2.2.2'] } },
    schema: svcSchema,
    patch: { spec: { externalIPs: ['3.3.3.3'] } },
    pick: (r) => r.spec.externalIPs,
    want: ['3.3.3.3'],
  },
  {
    name: 'set image with $setElementOrder/containers',
    doc: deployment,
    schema: deploySchema,
    patch: {
      spec: {
        template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.28', name: 'nginx' }] } },
      },
    },
    pick: (r) => r.spec.template.spec.containers,
    want: [{ name: 'nginx', image: 'nginx:1.28', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'X', value: 'x' }] }],
  },
  {
    name: 'strategy change with $retainKeys, env merged by name, ports null',
    doc: deployment,
    schema: deploySchema,
    patch: {
      spec: {
        strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ env: [{ name: 'A', value: '1' }], name: 'nginx', ports: null }],
          },
        },
      },
    },
    pick: (r) => [r.spec.strategy, r.spec.template.spec.containers],
    want: [
      { type: 'Recreate' },
      [{ name: 'nginx', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }, { name: 'X', value: 'x' }] }],
    ],
  },
  {
    name: 'rollout restart adds a template annotation',
    doc: deployment,
    schema: deploySchema,
    patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } } } } },
    pick: (r) => r.spec.template.metadata,
    want: { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } },
  },
  {
    name: 'new container without $setElementOrder goes first (upstream order rule)',
    doc: deployment,
    schema: deploySchema,
    patch: { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } } },
    pick: (r) => r.spec.template.spec.containers.map((c: any) => c.name),
    want: ['sidecar', 'nginx'],
  },
  {
    name: '$setElementOrder places the new container last',
    doc: deployment,
    schema: deploySchema,
    patch: {
      spec: {
        template: {
          spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ name: 'sidecar', image: 'busybox' }] },
        },
      },
    },
    pick: (r) => r.spec.template.spec.containers.map((c: any) => c.name),
    want: ['nginx', 'sidecar'],
  },
  {
    name: '$patch: replace on a list keeps only the patch items',
    doc: deployment,
    schema: deploySchema,
    patch: { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } } },
    pick: (r) => r.spec.template.spec.containers,
    want: [{ name: 'only', image: 'x' }],
  },
  {
    name: '$patch: replace on a map',
    doc: deployment,
    schema: deploySchema,
    patch: { spec: { strategy: { $patch: 'replace', type: 'Recreate' } } },
    pick: (r) => r.spec.strategy,
    want: { type: 'Recreate' },
  },
  {
    name: '$patch: delete on a map empties it',
    doc: deployment,
    schema: deploySchema,
    patch: { spec: { strategy: { $patch: 'delete' } } },
    pick: (r) => r.spec.strategy,
    want: {},
  },
  {
    name: '$patch: delete on an absent map leaves it absent',
    doc: deployment,
    schema: deploySchema,
    patch: { spec: { paused: { $patch: 'delete' } } },
    pick: (r) => 'paused' in r.spec,
    want: false,
  },
  {
    name: 'finalizers union (primitive merge list), new first',
    doc: { metadata: { name: 'p', finalizers: ['a', 'b'] } },
    schema: podSchema,
    patch: { metadata: { finalizers: ['c', 'a'] } },
    pick: (r) => r.metadata.finalizers,
    want: ['c', 'a', 'b'],
  },
  {
    name: '$deleteFromPrimitiveList/finalizers',
    doc: { metadata: { name: 'p', finalizers: ['a', 'b', 'c'] } },
    schema: podSchema,
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'], '$setElementOrder/finalizers': ['c', 'a'] } },
    pick: (r) => r.metadata.finalizers,
    want: ['c', 'a'],
  },
  {
    name: 'ownerReferences merge by uid',
    doc: { metadata: { name: 'p', ownerReferences: [{ uid: 'u1', name: 'a' }] } },
    schema: podSchema,
    patch: { metadata: { ownerReferences: [{ uid: 'u2', name: 'b' }, { uid: 'u1', controller: true }] } },
    pick: (r) => r.metadata.ownerReferences,
    want: [
      { uid: 'u2', name: 'b' },
      { uid: 'u1', name: 'a', controller: true },
    ],
  },
  {
    name: 'status conditions merge by type',
    doc: { metadata: { name: 'p' }, status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] } },
    schema: podSchema,
    patch: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    pick: (r) => r.status.conditions,
    want: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }],
  },
  {
    name: 'volumes $retainKeys inside an item switches the volume source',
    doc: { metadata: { name: 'p' }, spec: { volumes: [{ name: 'v', emptyDir: {} }] } },
    schema: podSchema,
    patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/x' } }] } },
    pick: (r) => r.spec.volumes,
    want: [{ name: 'v', hostPath: { path: '/x' } }],
  },
  {
    name: 'directives inside a brand-new field do not leak',
    doc: { metadata: { name: 'p' }, spec: {} },
    schema: podSchema,
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }],
        containers: [{ name: 'a', image: 'x', env: [{ $patch: 'delete', name: 'Z' }], ports: null }],
      },
    },
    pick: (r) => r.spec.containers,
    want: [{ name: 'a', image: 'x', env: [] }],
  },
];

describe('applyStrategicMergePatch', () => {
  for (const c of cases) {
    test(c.name, () => {
      const before = JSON.stringify(c.doc);
      const patchBefore = JSON.stringify(c.patch);
      const out = applyStrategicMergePatch(c.doc, c.patch, c.schema);
      assert.deepEqual(c.pick(out), c.want);
      assert.equal(JSON.stringify(c.doc), before, 'input document must not be mutated');
      assert.equal(JSON.stringify(c.patch), patchBefore, 'patch must not be mutated');
      assert.ok(!JSON.stringify(out).includes('"$'), 'no directive may leak into the result');
    });
  }

  const errors: { name: string; patch: unknown; message: RegExp; code: number }[] = [
    {
      name: 'delete directive without merge key',
      patch: { spec: { ports: [{ $patch: 'delete', name: 'x' }] } },
      message: /does not contain declared merge key: port/,
      code: 500,
    },
    { name: 'merge item without merge key', patch: { spec: { ports: [{ name: 'x' }] } }, message: /declared merge key: port/, code: 500 },
    { name: 'bad $retainKeys', patch: { spec: { $retainKeys: 'type' } }, message: /^invalid patch format of retainKeys$/, code: 400 },
    {
      name: '$retainKeys missing a patched key',
      patch: { spec: { $retainKeys: ['type'], clusterIP: 'None' } },
      message: /^invalid patch format of retainKeys$/,
      code: 400,
    },
    {
      name: 'bad $deleteFromPrimitiveList',
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } },
      message: /primitive list/,
      code: 400,
    },
    { name: 'unknown $patch type', patch: { spec: { $patch: 'explode' } }, message: /unknown patch type: explode/, code: 500 },
    {
      name: 'setElementOrder out of order',
      patch: { spec: { '$setElementOrder/ports': [{ port: 1 }, { port: 2 }], ports: [{ port: 2 }, { port: 1 }] } },
      message: /doesn't match \$setElementOrder list/,
      code: 400,
    },
    { name: 'non-object patch', patch: [1], message: /invalid JSON document/, code: 400 },
  ];
  for (const e of errors) {
    test(`rejects: ${e.name}`, () => {
      assert.throws(
        () => applyStrategicMergePatch(service, e.patch, svcSchema),
        (err: unknown) => err instanceof PatchError && e.message.test(err.message) && err.code === e.code,
      );
    });
  }
});
