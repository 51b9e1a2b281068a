import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cloneJson } from '../../api/object.js';
import { defaultImagePullPolicy, defaultPodSpec, defaultPodTemplateSpec, imageTag } from './pod-template-defaults.js';

describe('image pull policy', () => {
  const cases: [image: string, tag: string, policy: string][] = [
    ['nginx', 'latest', 'Always'],
    ['nginx:latest', 'latest', 'Always'],
    ['nginx:1.27', '1.27', 'IfNotPresent'],
    ['hub.qnhyn.com/library/myapp', 'latest', 'Always'],
    ['localhost:5000/app', 'latest', 'Always'],
    ['localhost:5000/app:v2', 'v2', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', '', 'IfNotPresent'],
    ['nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'latest', 'Always'],
    ['Nginx', '', 'IfNotPresent'],
    ['', '', 'IfNotPresent'],
  ];
  for (const [image, tag, policy] of cases) {
    test(`${image || '(empty)'} -> ${policy}`, () => {
      assert.equal(imageTag(image), tag);
      assert.equal(defaultImagePullPolicy(image), policy);
    });
  }
});

describe('pod spec defaults', () => {
  const cases: { name: string; spec: Record<string, unknown>; expect: Record<string, unknown> }[] = [
    {
      name: 'probes get timings, httpGet path and scheme, grpc service',
      spec: {
        containers: [
          {
            name: 'c',
            image: 'nginx:1',
            livenessProbe: { httpGet: { port: 80 } },
            readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5 },
            startupProbe: { grpc: { port: 9000 } },
          },
        ],
      },
      expect: {
        livenessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
        readinessProbe: { tcpSocket: { port: 'http' }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 },
        startupProbe: { grpc: { port: 9000, service: '' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      },
    },
    {
      name: 'env field and resource references',
      spec: {
        containers: [
          {
            name: 'c',
            image: 'nginx:1',
            env: [
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
            ],
          },
        ],
      },
      expect: {
        env: [
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP', apiVersion: 'v1' } } },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '0' } } },
        ],
      },
    },
    {
      name: 'ports default to TCP, keep UDP',
      spec: { containers: [{ name: 'c', image: 'dns:1', ports: [{ containerPort: 53, protocol: 'UDP' }, { containerPort: 53 }] }] },
      expect: { ports: [{ containerPort: 53, protocol: 'UDP' }, { containerPort: 53, protocol: 'TCP' }] },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const spec = cloneJson(c.spec);
      defaultPodSpec(spec);
      const container = (spec['containers'] as Record<string, unknown>[])[0] ?? {};
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(container[k], v, k);
    });
  }

  test('volumes get their source defaults', () => {
    const spec: Record<string, unknown> = {
      containers: [{ name: 'c', image: 'x:1' }],
      volumes: [
        { name: 'scratch' },
        { name: 'cfg', configMap: { name: 'app' } },
        { name: 'sec', secret: { secretName: 's', defaultMode: 256 } },
        { name: 'host', hostPath: { path: '/var/log' } },
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
      ],
    };
    defaultPodSpec(spec);
    assert.deepEqual(spec['volumes'], [
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'app', defaultMode: 420 } },
      { name: 'sec', secret: { secretName: 's', defaultMode: 256 } },
      { name: 'host', hostPath: { path: '/var/log', type: '' } },
      { name: 'info', downwardAPI: { defaultMode: 420, items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels', apiVersion: 'v1' } }] } },
      { name: 'token', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } },
    ]);
  });

  test('explicit values are kept, including a zero grace period', () => {
    const spec: Record<string, unknown> = {
      containers: [{ name: 'c', image: 'x:1', imagePullPolicy: 'Never', terminationMessagePolicy: 'FallbackToLogsOnError' }],
      restartPolicy: 'OnFailure',
      dnsPolicy: 'Default',
      terminationGracePeriodSeconds: 0,
      securityContext: { runAsUser: 1000 },
    };
    defaultPodSpec(spec);
    assert.equal(spec['restartPolicy'], 'OnFailure');
    assert.equal(spec['dnsPolicy'], 'Default');
    assert.equal(spec['terminationGracePeriodSeconds'], 0);
    assert.deepEqual(spec['securityContext'], { runAsUser: 1000 });
    const c = (spec['containers'] as Record<string, unknown>[])[0];
    assert.equal(c?.['imagePullPolicy'], 'Never');
    assert.equal(c?.['terminationMessagePolicy'], 'FallbackToLogsOnError');
  });

  test('serviceAccountName and the deprecated serviceAccount mirror each other', () => {
    const a: Record<string, unknown> = { containers: [], serviceAccount: 'builder' };
    defaultPodSpec(a);
    assert.equal(a['serviceAccountName'], 'builder');
    const b: Record<string, unknown> = { containers: [], serviceAccountName: 'runner', serviceAccount: 'old' };
    defaultPodSpec(b);
    assert.equal(b['serviceAccount'], 'runner');
  });

  test('templates get `metadata.creationTimestamp: null` and a spec', () => {
    const t: Record<string, unknown> = {};
    defaultPodTemplateSpec(t);
    assert.deepEqual(t['metadata'], { creationTimestamp: null });
    assert.equal((t['spec'] as Record<string, unknown>)['restartPolicy'], 'Always');
  });
});
