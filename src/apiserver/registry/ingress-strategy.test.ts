import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { cloneJson } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { ingressStrategy } from './ingress-strategy.js';

function ingress(spec: Record<string, unknown>): KubeObject {
  const obj: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default' }, spec };
  ingressStrategy.prepareForCreate?.(obj);
  ingressStrategy.defaults?.(obj);
  return obj;
}

const path = (p: Record<string, unknown>): Record<string, unknown> => ({
  rules: [{ host: 'example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } }, ...p }] } }],
});

const norm = (s: string): string => s.replace(/',\s+or '/g, "', or '");

describe('ingress', () => {
  test('a valid ingress; status reads `loadBalancer: {}`', () => {
    const obj = ingress(path({}));
    assert.deepEqual(obj['status'], { loadBalancer: {} });
    assert.equal(obj.metadata.generation, 1);
    assert.deepEqual(ingressStrategy.validateCreate?.(obj), []);
  });

  const cases: { name: string; spec: Record<string, unknown>; expect: string[] }[] = [
    {
      name: 'rules or defaultBackend required',
      spec: {},
      expect: ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified'],
    },
    { name: 'pathType required', spec: path({ pathType: undefined }), expect: ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'] },
    {
      name: 'unknown pathType',
      spec: path({ pathType: 'Regex' }),
      expect: ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'],
    },
    { name: 'relative path with Prefix', spec: path({ path: 'api' }), expect: ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'] },
    { name: 'relative path is fine for ImplementationSpecific only when empty', spec: path({ path: '', pathType: 'ImplementationSpecific' }), expect: [] },
    { name: 'double slash', spec: path({ path: '/a//b' }), expect: ['spec.rules[0].http.paths[0].path: Invalid value: "/a//b": must not contain \'//\''] },
    {
      name: 'backend port missing',
      spec: path({ backend: { service: { name: 'web' } } }),
      expect: ['spec.rules[0].http.paths[0].backend: Required value: port name or number is required'],
    },
    {
      name: 'backend service name must be a DNS-1035 label',
      spec: path({ backend: { service: { name: '1web', port: { name: 'http' } } } }),
      expect: [
        "spec.rules[0].http.paths[0].backend.service.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      ],
    },
    {
      name: 'host may not be an IP',
      spec: { rules: [{ host: '10.0.0.1' }] },
      expect: ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'],
    },
    { name: 'wildcard host', spec: { rules: [{ host: '*.example.com' }] }, expect: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const errs = (ingressStrategy.validateCreate?.(ingress(c.spec)) ?? []).map(fieldErrorString);
      assert.deepEqual(errs.map(norm), c.expect.map(norm));
    });
  }

  test('the ingress.class annotation must agree with ingressClassName on create', () => {
    const obj = ingress({ ...path({}), ingressClassName: 'nginx' });
    obj.metadata.annotations = { 'kubernetes.io/ingress.class': 'traefik' };
    assert.deepEqual((ingressStrategy.validateCreate?.(obj) ?? []).map(fieldErrorString), [
      'annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified',
    ]);
  });

  test('updates keep status and bump the generation on spec changes', () => {
    const old = ingress(path({}));
    old['status'] = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } };
    const next = cloneJson(old);
    next['status'] = {};
    (next['spec'] as any).rules[0].host = 'example.org';
    ingressStrategy.prepareForUpdate?.(next, old);
    assert.deepEqual(next['status'], { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } });
    assert.equal(next.metadata.generation, 2);
  });
});
