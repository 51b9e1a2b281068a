import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { cloneJson } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { deploymentStrategy } from './deployment-strategy.js';

/** The user's manifest (README example), as kubectl sends it. */
function userDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'myapp-deploy', namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'myapp', release: 'stabel' } },
      template: {
        metadata: { labels: { app: 'myapp', release: 'stabel', env: 'test' } },
        spec: {
          containers: [
            {
              name: 'myapp',
              image: 'hub.qnhyn.com/library/myapp',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: 80 }],
            },
          ],
        },
      },
    },
  };
}

/** Create-time processing in the generic store's order. */
function created(obj: KubeObject): KubeObject {
  deploymentStrategy.prepareForCreate?.(obj);
  deploymentStrategy.defaults?.(obj);
  return obj;
}

const messages = (obj: KubeObject, old?: KubeObject): string[] =>
  (old ? (deploymentStrategy.validateUpdate?.(obj, old) ?? []) : (deploymentStrategy.validateCreate?.(obj) ?? [])).map(fieldErrorString);

describe('deployment defaults', () => {
  test('the user manifest gets the fields `kubectl get deploy -o yaml` shows on a real cluster', () => {
    const obj = created(userDeployment());
    assert.deepEqual(obj, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'myapp-deploy', namespace: 'default', generation: 1 },
      spec: {
        replicas: 3,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: { app: 'myapp', release: 'stabel' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'myapp', release: 'stabel', env: 'test' } },
          spec: {
            containers: [
              {
                name: 'myapp',
                image: 'hub.qnhyn.com/library/myapp',
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
                resources: {},
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'File',
              },
            ],
            dnsPolicy: 'ClusterFirst',
            restartPolicy: 'Always',
            schedulerName: 'default-scheduler',
            securityContext: {},
            terminationGracePeriodSeconds: 30,
          },
        },
      },
      status: {},
    });
    assert.deepEqual(messages(obj), []);
  });

  const cases: { name: string; spec: Record<string, unknown>; expect: Record<string, unknown> }[] = [
    { name: 'replicas default to 1', spec: {}, expect: { replicas: 1 } },
    {
      name: 'Recreate gets no rollingUpdate',
      spec: { strategy: { type: 'Recreate' } },
      expect: { strategy: { type: 'Recreate' } },
    },
    {
      name: 'a partial rollingUpdate is completed',
      spec: { strategy: { rollingUpdate: { maxSurge: 1 } } },
      expect: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } } },
    },
    { name: 'explicit zero revisionHistoryLimit is kept', spec: { revisionHistoryLimit: 0 }, expect: { revisionHistoryLimit: 0 } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const obj: KubeObject = { metadata: { name: 'd' }, spec: cloneJson(c.spec) };
      deploymentStrategy.defaults?.(obj);
      const spec = obj['spec'] as Record<string, unknown>;
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(spec[k], v, k);
    });
  }

  test('defaulting is idempotent', () => {
    const once = created(userDeployment());
    const twice = cloneJson(once);
    deploymentStrategy.defaults?.(twice);
    assert.deepEqual(twice, once);
  });
});

describe('deployment validation', () => {
  const cases: { name: string; mutate: (o: KubeObject) => void; expect: string[] }[] = [
    {
      name: 'selector not matching the template labels',
      mutate: (o) => {
        (o as any).spec.selector.matchLabels.release = 'stable';
      },
      expect: [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"myapp", "env":"test", "release":"stabel"}: `selector` does not match template `labels`',
      ],
    },
    {
      name: 'missing selector (apps/v1 requires it; an absent selector matches nothing)',
      mutate: (o) => {
        delete (o as any).spec.selector;
      },
      expect: [
        'spec.selector: Required value',
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"myapp", "env":"test", "release":"stabel"}: `selector` does not match template `labels`',
      ],
    },
    {
      name: 'empty selector',
      mutate: (o) => {
        (o as any).spec.selector = {};
      },
      expect: [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      ],
    },
    {
      name: 'no containers',
      mutate: (o) => {
        (o as any).spec.template.spec.containers = [];
      },
      expect: ['spec.template.spec.containers: Required value'],
    },
    {
      name: 'bad container name and missing image',
      mutate: (o) => {
        const c = (o as any).spec.template.spec.containers[0];
        c.name = 'My_App';
        delete c.image;
      },
      expect: [
        "spec.template.spec.containers[0].name: Invalid value: \"My_App\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        'spec.template.spec.containers[0].image: Required value',
      ],
    },
    {
      name: 'restartPolicy Never is not allowed in a Deployment',
      mutate: (o) => {
        (o as any).spec.template.spec.restartPolicy = 'Never';
      },
      expect: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    },
    {
      name: 'negative replicas',
      mutate: (o) => {
        (o as any).spec.replicas = -1;
      },
      expect: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    },
    {
      name: 'maxSurge and maxUnavailable both zero',
      mutate: (o) => {
        (o as any).spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 };
      },
      expect: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0'],
    },
    {
      name: 'malformed percent',
      mutate: (o) => {
        (o as any).spec.strategy.rollingUpdate.maxSurge = '25';
      },
      expect: [
        "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"25\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for validation is '[0-9]+%')",
      ],
    },
    {
      name: 'unknown strategy type',
      mutate: (o) => {
        (o as any).spec.strategy = { type: 'BlueGreen' };
      },
      expect: [
        'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
      ],
    },
    {
      name: 'progressDeadlineSeconds not above minReadySeconds',
      mutate: (o) => {
        (o as any).spec.minReadySeconds = 600;
      },
      expect: ['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const obj = created(userDeployment());
      c.mutate(obj);
      // Percent texts follow validation/names.ts regexError; compare after normalising its spacing.
      const norm = (s: string): string => s.replace(/',\s+or '/g, "', or '");
      assert.deepEqual(messages(obj).map(norm), c.expect.map(norm));
    });
  }
});

describe('deployment updates', () => {
  test('the selector is immutable in apps/v1', () => {
    const old = created(userDeployment());
    const next = cloneJson(old);
    (next as any).spec.selector.matchLabels = { app: 'myapp' };
    assert.deepEqual(messages(next, old), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"myapp"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  const genCases: { name: string; mutate: (o: KubeObject) => void; generation: number }[] = [
    { name: 'no change keeps the generation', mutate: () => {}, generation: 1 },
    { name: 'a spec change bumps it', mutate: (o) => ((o as any).spec.replicas = 5), generation: 2 },
    { name: 'an annotation change bumps it', mutate: (o) => (o.metadata.annotations = { a: 'b' }), generation: 2 },
    { name: 'a label change does not', mutate: (o) => (o.metadata.labels = { a: 'b' }), generation: 1 },
  ];
  for (const c of genCases) {
    test(c.name, () => {
      const old = created(userDeployment());
      (old as any).status = { replicas: 3 };
      const next = cloneJson(old);
      delete (next as any).status;
      c.mutate(next);
      deploymentStrategy.prepareForUpdate?.(next, old);
      assert.equal(next.metadata.generation, c.generation);
      assert.deepEqual((next as any).status, { replicas: 3 }, 'status is kept from the stored object');
    });
  }

  test('status update: counters cannot exceed replicas', () => {
    const old = created(userDeployment());
    const next = cloneJson(old);
    (next as any).status = { replicas: 1, readyReplicas: 2, availableReplicas: 2 };
    assert.deepEqual((deploymentStrategy.validateStatusUpdate?.(next, old) ?? []).map(fieldErrorString), [
      'status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas',
      'status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas',
    ]);
  });
});
