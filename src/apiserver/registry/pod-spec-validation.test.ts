import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cloneJson } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { validatePodSpec, validatePodTemplateSpec } from './pod-spec-validation.js';
import { defaultPodSpec } from './pod-template-defaults.js';

const base = (): Record<string, any> => {
  const spec: Record<string, any> = { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 80 }] }] };
  defaultPodSpec(spec);
  return spec;
};

// regexError spacing is owned by validation/names.ts; compare modulo it.
const norm = (s: string): string => s.replace(/',\s+or '/g, "', or '");

describe('validatePodSpec', () => {
  const cases: { name: string; mutate: (s: Record<string, any>) => void; expect: string[]; pod?: boolean }[] = [
    { name: 'a defaulted spec is valid', mutate: () => {}, expect: [] },
    { name: 'containers are required', mutate: (s) => (s.containers = []), expect: ['spec.containers: Required value'] },
    {
      name: 'duplicate container names',
      mutate: (s) => s.containers.push(cloneJson(s.containers[0])),
      expect: ['spec.containers[1].name: Duplicate value: "web"'],
    },
    {
      name: 'port out of range and bad port name',
      mutate: (s) => (s.containers[0].ports = [{ name: 'HTTP', containerPort: 70000, protocol: 'TCP' }]),
      expect: [
        'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain at least one letter (a-z)',
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
    },
    {
      name: 'unknown protocol',
      mutate: (s) => (s.containers[0].ports[0].protocol = 'HTTP'),
      expect: ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    },
    {
      name: 'restartPolicy and dnsPolicy values',
      mutate: (s) => {
        s.restartPolicy = 'Sometimes';
        s.dnsPolicy = 'Cluster';
      },
      expect: [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
      ],
    },
    {
      name: 'a probe needs exactly one handler',
      mutate: (s) => {
        s.containers[0].livenessProbe = { periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
        s.containers[0].readinessProbe = {
          exec: { command: ['true'] },
          httpGet: { path: '/', port: 80, scheme: 'HTTP' },
          periodSeconds: 10,
          timeoutSeconds: 1,
          successThreshold: 1,
          failureThreshold: 3,
        };
      },
      expect: [
        'spec.containers[0].livenessProbe: Required value: must specify a handler type',
        'spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
      ],
    },
    {
      name: 'liveness successThreshold must be 1',
      mutate: (s) => (s.containers[0].livenessProbe = { tcpSocket: { port: 80 }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 2, failureThreshold: 3 }),
      expect: ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    },
    {
      name: 'env names and sources',
      mutate: (s) =>
        (s.containers[0].env = [
          { name: 'A=B', value: 'x' },
          { name: '' },
          { name: 'REF', valueFrom: {} },
          { name: 'BAD_FIELD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.hostname' } } },
        ]),
      expect: [
        "spec.containers[0].env[0].name: Invalid value: \"A=B\": environment variable name: a valid environment variable name must consist only of printable ASCII characters other than '='",
        'spec.containers[0].env[1].name: Required value',
        'spec.containers[0].env[2].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        'spec.containers[0].env[3].valueFrom.fieldRef.fieldPath: Invalid value: "spec.hostname": error converting fieldPath: field label not supported: spec.hostname',
      ],
    },
    {
      name: 'volume mounts must name a volume',
      mutate: (s) => (s.containers[0].volumeMounts = [{ name: 'data', mountPath: '/data' }]),
      expect: ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    },
    {
      name: 'duplicate volume names',
      mutate: (s) => (s.volumes = [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }]),
      expect: ['spec.volumes[1].name: Duplicate value: "v"'],
    },
    {
      name: 'requests above limits',
      mutate: (s) => (s.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }),
      expect: ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    },
    {
      name: 'images with surrounding spaces are rejected for pods only',
      mutate: (s) => (s.containers[0].image = ' nginx'),
      expect: ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'],
      pod: true,
    },
    {
      name: 'toleration with empty key must use Exists',
      mutate: (s) => (s.tolerations = [{ operator: 'Equal', value: 'x' }]),
      expect: ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'],
    },
    {
      name: 'dnsPolicy None needs a dnsConfig',
      mutate: (s) => (s.dnsPolicy = 'None'),
      expect: ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const spec = base();
      c.mutate(spec);
      const errs = validatePodSpec(spec, 'spec', { resourceIsPod: c.pod === true }).map(fieldErrorString);
      assert.deepEqual(errs.map(norm), c.expect.map(norm));
    });
  }

  test('container names must be DNS labels', () => {
    const spec = base();
    spec['containers'][0].name = 'Web';
    const errs = validatePodSpec(spec, 'spec').map(fieldErrorString);
    assert.equal(errs.length, 1);
    assert.match(errs[0] ?? '', /^spec\.containers\[0\]\.name: Invalid value: "Web": a lowercase RFC 1123 label must consist of/);
  });
});

describe('validatePodTemplateSpec', () => {
  test('labels are checked on the upstream path (template.labels)', () => {
    const errs = validatePodTemplateSpec({ metadata: { labels: { 'bad key!': 'v' } }, spec: base() }, 'spec.template').map(fieldErrorString);
    assert.equal(errs.length, 1);
    assert.match(errs[0] ?? '', /^spec\.template\.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters/);
  });
});
