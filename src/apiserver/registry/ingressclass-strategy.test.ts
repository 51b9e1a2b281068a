import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { ingressClassStrategy } from './ingressclass-strategy.js';

const cls = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec });

describe('ingressclass', () => {
  const cases: { name: string; spec: Record<string, unknown>; expect: string[] }[] = [
    { name: 'valid', spec: { controller: 'k8s.io/ingress-nginx' }, expect: [] },
    { name: 'controller required', spec: {}, expect: ['spec.controller: Required value'] },
    {
      name: 'controller must be domain-prefixed',
      spec: { controller: 'nginx' },
      expect: ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'],
    },
    {
      name: 'parameters need kind and name',
      spec: { controller: 'example.com/ctl', parameters: { apiGroup: 'example.com' } },
      expect: ['spec.parameters.kind: Required value', 'spec.parameters.name: Required value'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual((ingressClassStrategy.validateCreate?.(cls(c.spec)) ?? []).map(fieldErrorString), c.expect));
  }

  test('the controller is immutable', () => {
    assert.deepEqual(
      (ingressClassStrategy.validateUpdate?.(cls({ controller: 'example.com/b' }), cls({ controller: 'example.com/a' })) ?? []).map(fieldErrorString),
      ['spec.controller: Invalid value: "example.com/b": field is immutable'],
    );
  });
});
