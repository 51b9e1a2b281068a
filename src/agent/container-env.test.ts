import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ConfigMapData, type EnvInputs, type SecretData, containerEnv, expandCommand } from './container-env.js';
import { expand, lookupIn } from './expansion.js';
import type { Container, Pod } from './pod-types.js';

describe('expand', () => {
  const vars = lookupIn(new Map([['A', 'a'], ['EMPTY', '']]));
  const cases: [string, string, string][] = [
    ['plain text', 'hello', 'hello'],
    ['defined variable', 'x$(A)y', 'xay'],
    ['undefined variable stays', '$(NOPE)', '$(NOPE)'],
    ['empty value', '[$(EMPTY)]', '[]'],
    ['escaped reference', '$$(A)', '$(A)'],
    ['double dollar', 'cost: $$5', 'cost: $5'],
    ['dollar before other char', '$A and $', '$A and $'],
    ['unterminated reference', '$(A', '$(A'],
    ['adjacent references', '$(A)$(A)', 'aa'],
    ['triple dollar', '$$$(A)', '$a'],
  ];
  for (const [name, input, want] of cases) test(name, () => assert.equal(expand(input, vars), want));
});

const POD: Pod = {
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', labels: { app: 'web' }, annotations: { note: 'hi' } },
  spec: { nodeName: 'node-a', serviceAccountName: 'default', containers: [] },
};

function inputs(container: Container, extra: Partial<EnvInputs> = {}): EnvInputs {
  return {
    pod: POD,
    container,
    configMaps: new Map<string, ConfigMapData>([['cfg', { data: { MODE: 'prod', 'log.level': 'debug' } }]]),
    secrets: new Map<string, SecretData>([['creds', { data: { PASSWORD: Buffer.from('s3cret').toString('base64') } }]]),
    serviceEnv: new Map([
      ['WEB_SERVICE_HOST', '10.96.0.5'],
      ['WEB_SERVICE_PORT', '80'],
    ]),
    podIP: '10.244.1.7',
    podIPs: ['10.244.1.7'],
    hostIP: '192.0.2.10',
    hostIPs: ['192.0.2.10'],
    nodeAllocatable: { cpu: 2, memory: 4 * 2 ** 30, ephemeralStorage: 10 * 2 ** 30 },
    ...extra,
  };
}

describe('containerEnv', () => {
  const ok: { name: string; container: Container; want: Record<string, string> }[] = [
    {
      name: 'service variables appended after the container env',
      container: { name: 'c', env: [{ name: 'X', value: '1' }] },
      want: { X: '1', WEB_SERVICE_HOST: '10.96.0.5', WEB_SERVICE_PORT: '80' },
    },
    {
      name: 'own env wins over a service variable',
      container: { name: 'c', env: [{ name: 'WEB_SERVICE_HOST', value: 'mine' }] },
      want: { WEB_SERVICE_HOST: 'mine', WEB_SERVICE_PORT: '80' },
    },
    {
      name: 'expansion sees earlier env and service vars, not later ones',
      container: {
        name: 'c',
        env: [
          { name: 'URL', value: 'http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)/$(LATER)' },
          { name: 'LATER', value: 'x' },
          { name: 'ESC', value: '$$(URL)' },
        ],
      },
      want: { URL: 'http://10.96.0.5:80/$(LATER)', LATER: 'x', ESC: '$(URL)', WEB_SERVICE_HOST: '10.96.0.5', WEB_SERVICE_PORT: '80' },
    },
    {
      name: 'envFrom with prefix, then env overrides',
      container: {
        name: 'c',
        envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }],
        env: [{ name: 'CFG_MODE', value: 'dev-$(PASSWORD)' }],
      },
      want: { 'CFG_log.level': 'debug', PASSWORD: 's3cret', CFG_MODE: 'dev-s3cret', WEB_SERVICE_HOST: '10.96.0.5', WEB_SERVICE_PORT: '80' },
    },
    {
      name: 'downward API fieldRef',
      container: {
        name: 'c',
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'POD_IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } },
          { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
          { name: 'NOT_EXPANDED', valueFrom: { fieldRef: { fieldPath: "metadata.labels['missing']" } } },
        ],
      },
      want: {
        POD_NAME: 'web-1',
        POD_NAMESPACE: 'shop',
        POD_UID: 'u-1',
        POD_IP: '10.244.1.7',
        POD_IPS: '10.244.1.7',
        HOST_IP: '192.0.2.10',
        NODE: 'node-a',
        SA: 'default',
        APP: 'web',
        NOTE: 'hi',
        NOT_EXPANDED: '',
        WEB_SERVICE_HOST: '10.96.0.5',
        WEB_SERVICE_PORT: '80',
      },
    },
    {
      name: 'configMapKeyRef, secretKeyRef and optional misses',
      container: {
        name: 'c',
        env: [
          { name: 'M', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } },
          { name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
          { name: 'O1', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x', optional: true } } },
          { name: 'O2', valueFrom: { secretKeyRef: { name: 'creds', key: 'x', optional: true } } },
        ],
      },
      want: { M: 'prod', P: 's3cret', WEB_SERVICE_HOST: '10.96.0.5', WEB_SERVICE_PORT: '80' },
    },
    {
      name: 'resourceFieldRef with divisor and allocatable defaults',
      container: {
        name: 'c',
        resources: { limits: { memory: '128Mi' }, requests: { cpu: '250m' } },
        env: [
          { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
          { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
          { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
          { name: 'MEM_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
        ],
      },
      want: { MEM_MI: '128', CPU_LIMIT: '2', CPU_REQ: '1', CPU_REQ_M: '250', MEM_REQ: '0', WEB_SERVICE_HOST: '10.96.0.5', WEB_SERVICE_PORT: '80' },
    },
  ];
  for (const c of ok) {
    test(c.name, () => {
      const r = containerEnv(inputs(c.container));
      assert.ok(r.ok, r.ok ? '' : r.message);
      assert.deepEqual(Object.fromEntries(r.env), c.want);
    });
  }

  const failing: { name: string; container: Container; message: string }[] = [
    { name: 'missing configmap', container: { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, message: 'configmap "nope" not found' },
    { name: 'missing key', container: { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }, message: "couldn't find key k in ConfigMap shop/cfg" },
    { name: 'missing secret key', container: { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] }, message: "couldn't find key k in Secret shop/creds" },
    { name: 'missing envFrom secret', container: { name: 'c', envFrom: [{ secretRef: { name: 'gone' } }] }, message: 'secret "gone" not found' },
  ];
  for (const c of failing) {
    test(c.name, () => {
      const r = containerEnv(inputs(c.container));
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.message, c.message);
    });
  }

  test('enableServiceLinks off: no service vars given, none appear', () => {
    const r = containerEnv(inputs({ name: 'c', env: [{ name: 'A', value: '$(WEB_SERVICE_HOST)' }] }, { serviceEnv: new Map() }));
    assert.ok(r.ok);
    assert.deepEqual(Object.fromEntries(r.env), { A: '$(WEB_SERVICE_HOST)' });
  });
});

describe('expandCommand', () => {
  test('command and args expanded against the final env', () => {
    const env = new Map([['PORT', '8080'], ['MSG', 'hi']]);
    assert.deepEqual(expandCommand({ name: 'c', command: ['sh', '-c', 'echo $(MSG) $$(MSG) $MSG'], args: ['--port=$(PORT)', '$(NOPE)'] }, env), {
      command: ['sh', '-c', 'echo hi $(MSG) $MSG'],
      args: ['--port=8080', '$(NOPE)'],
    });
  });
});
