import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { cloneJson } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { computePodQos } from './pod-qos.js';
import { podFieldLabels, podStrategy } from './pod-strategy.js';

function pod(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec, ...(status ? { status } : {}) };
}

function created(obj: KubeObject): KubeObject {
  podStrategy.prepareForCreate?.(obj);
  podStrategy.defaults?.(obj);
  return obj;
}

const nginx = (): Record<string, unknown> => ({ containers: [{ name: 'web', image: 'nginx' }] });

describe('pod create', () => {
  test('a minimal pod gets defaults, admission additions and a Pending status', () => {
    const obj = created(pod(nginx()));
    assert.deepEqual(obj['spec'], {
      containers: [
        {
          name: 'web',
          image: 'nginx',
          imagePullPolicy: 'Always',
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
    assert.deepEqual(obj['status'], { phase: 'Pending', qosClass: 'BestEffort' });
    assert.deepEqual(podStrategy.validateCreate?.(obj), []);
  });

  test('status sent by the client is replaced', () => {
    const obj = created(pod(nginx(), { phase: 'Running', podIP: '10.0.0.1' }));
    assert.deepEqual(obj['status'], { phase: 'Pending', qosClass: 'BestEffort' });
  });

  test('a wildcard toleration suppresses the default ones', () => {
    const spec = { ...nginx(), tolerations: [{ operator: 'Exists' }] };
    const obj = created(pod(spec));
    assert.deepEqual((obj['spec'] as Record<string, unknown>)['tolerations'], [{ operator: 'Exists' }]);
  });

  test('hostNetwork defaults host ports to container ports', () => {
    const obj = created(pod({ hostNetwork: true, containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 8080 }] }] }));
    const c = ((obj['spec'] as Record<string, unknown>)['containers'] as Record<string, unknown>[])[0];
    assert.deepEqual(c?.['ports'], [{ containerPort: 8080, hostPort: 8080, protocol: 'TCP' }]);
    assert.equal(c?.['imagePullPolicy'], 'IfNotPresent');
  });
});

describe('pod QoS class', () => {
  const res = (requests?: Record<string, string>, limits?: Record<string, string>): Record<string, unknown> => ({
    ...(requests ? { requests } : {}),
    ...(limits ? { limits } : {}),
  });
  const cases: { name: string; resources: Record<string, unknown>[]; qos: string }[] = [
    { name: 'nothing set', resources: [{}], qos: 'BestEffort' },
    { name: 'only extended resources', resources: [res({ 'example.com/gpu': '1' })], qos: 'BestEffort' },
    { name: 'requests only', resources: [res({ cpu: '100m' })], qos: 'Burstable' },
    { name: 'limits equal requests (defaulted)', resources: [res(undefined, { cpu: '500m', memory: '128Mi' })], qos: 'Guaranteed' },
    { name: 'equal quantities in different units', resources: [res({ cpu: '0.5', memory: '134217728' }, { cpu: '500m', memory: '128Mi' })], qos: 'Guaranteed' },
    { name: 'requests below limits', resources: [res({ cpu: '250m', memory: '128Mi' }, { cpu: '500m', memory: '128Mi' })], qos: 'Burstable' },
    { name: 'memory limit missing', resources: [res(undefined, { cpu: '1' })], qos: 'Burstable' },
    {
      name: 'one guaranteed and one best-effort container',
      resources: [res(undefined, { cpu: '1', memory: '1Gi' }), {}],
      qos: 'Burstable',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const obj = created(pod({ containers: c.resources.map((r, i) => ({ name: `c${i}`, image: 'nginx', resources: r })) }));
      assert.equal((obj['status'] as Record<string, unknown>)['qosClass'], c.qos);
      assert.equal(computePodQos(obj['spec'] as Record<string, unknown>), c.qos);
    });
  }
});

describe('pod field labels', () => {
  const cases: { name: string; obj: KubeObject; expect: Record<string, string> }[] = [
    {
      name: 'a scheduled, running pod',
      obj: pod(
        { nodeName: 'node-1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'sa', hostNetwork: true },
        { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], nominatedNodeName: '' },
      ),
      expect: {
        'spec.nodeName': 'node-1',
        'spec.restartPolicy': 'Always',
        'spec.schedulerName': 'default-scheduler',
        'spec.serviceAccountName': 'sa',
        'spec.hostNetwork': 'true',
        'status.phase': 'Running',
        'status.podIP': '10.244.0.5',
        'status.nominatedNodeName': '',
      },
    },
    {
      name: 'an empty pod: empty strings and hostNetwork false',
      obj: pod({}),
      expect: {
        'spec.nodeName': '',
        'spec.restartPolicy': '',
        'spec.schedulerName': '',
        'spec.serviceAccountName': '',
        'spec.hostNetwork': 'false',
        'status.phase': '',
        'status.podIP': '',
        'status.nominatedNodeName': '',
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(podFieldLabels(c.obj), c.expect);
      assert.deepEqual(podStrategy.fieldLabels?.(c.obj), c.expect);
    });
  }
});

describe('pod updates', () => {
  const update = (mutate: (spec: any) => void): string[] => {
    const old = created(pod(nginx()));
    const next = cloneJson(old);
    mutate(next['spec']);
    podStrategy.prepareForUpdate?.(next, old);
    podStrategy.defaults?.(next);
    return (podStrategy.validateUpdate?.(next, old) ?? []).map(fieldErrorString);
  };

  test('changing the image is allowed', () => {
    assert.deepEqual(
      update((s) => (s.containers[0].image = 'nginx:1.27')),
      [],
    );
  });

  test('adding a toleration is allowed, removing one is not', () => {
    assert.deepEqual(
      update((s) => s.tolerations.push({ key: 'k', operator: 'Exists' })),
      [],
    );
    assert.deepEqual(
      update((s) => s.tolerations.pop()),
      ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds'],
    );
  });

  test('adding a container is forbidden', () => {
    assert.deepEqual(
      update((s) => s.containers.push({ name: 'side', image: 'busybox' })),
      ['spec.containers: Forbidden: pod updates may not add or remove containers'],
    );
  });

  test('changing other fields is forbidden with the upstream message', () => {
    const errs = update((s) => (s.containers[0].ports = [{ containerPort: 80 }]));
    assert.equal(errs.length, 1);
    assert.ok(
      errs[0]?.startsWith(
        'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
      ),
      errs[0],
    );
  });

  test('status is kept from the stored pod on a main-resource update', () => {
    const old = created(pod(nginx()));
    (old as any).status.phase = 'Running';
    const next = cloneJson(old);
    (next as any).status = { phase: 'Failed' };
    podStrategy.prepareForUpdate?.(next, old);
    assert.equal((next as any).status.phase, 'Running');
  });

  test('status update: qosClass is immutable and pod IPs must be IPs', () => {
    const old = created(pod(nginx()));
    const next = cloneJson(old);
    (next as any).status = { phase: 'Running', qosClass: 'Guaranteed', podIPs: [{ ip: '10.0.0.300' }] };
    assert.deepEqual((podStrategy.validateStatusUpdate?.(next, old) ?? []).map(fieldErrorString), [
      'status.qosClass: Invalid value: "Guaranteed": field is immutable',
      'status.podIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
  });
});
