import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodTemplateSpecJson } from '../replicaset/workload-types.js';
import { canonicalJson, computePodTemplateHash, equalIgnoreHash, fnv32a, safeEncodeString } from './pod-template-hash.js';

describe('fnv32a', () => {
  // Reference vectors of FNV-1a 32 bit.
  const cases: [string, number][] = [
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ];
  for (const [input, want] of cases) test(JSON.stringify(input), () => assert.equal(fnv32a(Buffer.from(input)), want));
});

test('safeEncodeString maps bytes into the vowel-free alphabet', () => {
  // '0' is byte 48 -> 48 % 27 = 21 -> '4'; '9' is 57 -> 3 -> 'f'.
  assert.equal(safeEncodeString('0'), '4');
  assert.equal(safeEncodeString('9'), 'f');
  assert.match(safeEncodeString('3482729472'), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
});

const TEMPLATE: PodTemplateSpecJson = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1', ports: [{ containerPort: 80, protocol: 'TCP' }] }], restartPolicy: 'Always' },
};

describe('computePodTemplateHash', () => {
  const base = computePodTemplateHash(TEMPLATE);
  // Pinned: ReplicaSet names of existing Deployments depend on it, so it must never change.
  test('is stable', () => assert.equal(base, '77d8689479'));
  const same: [string, PodTemplateSpecJson][] = [
    ['key order', { spec: { restartPolicy: 'Always', containers: [{ ports: [{ protocol: 'TCP', containerPort: 80 }], image: 'nginx:1', name: 'web' }] }, metadata: { labels: { app: 'web' } } }],
    ['an existing pod-template-hash label', { ...TEMPLATE, metadata: { labels: { app: 'web', 'pod-template-hash': 'zzz' } } }],
    ['creationTimestamp: null and empty maps', { metadata: { labels: { app: 'web' }, creationTimestamp: null, annotations: {} }, spec: { ...TEMPLATE.spec, nodeSelector: {} } }],
  ];
  for (const [name, t] of same) test(`ignores ${name}`, () => assert.equal(computePodTemplateHash(t), base));
  const different: [string, PodTemplateSpecJson | undefined, number | undefined][] = [
    ['another image', { ...TEMPLATE, spec: { ...TEMPLATE.spec, containers: [{ name: 'web', image: 'nginx:2' }] } }, undefined],
    ['a template annotation (rollout restart)', { ...TEMPLATE, metadata: { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } } }, undefined],
    ['collisionCount 0', TEMPLATE, 0],
    ['collisionCount 1', TEMPLATE, 1],
  ];
  for (const [name, t, cc] of different) test(`changes with ${name}`, () => assert.notEqual(computePodTemplateHash(t, cc), base));
  test('different collision counts give different hashes', () => assert.notEqual(computePodTemplateHash(TEMPLATE, 0), computePodTemplateHash(TEMPLATE, 1)));
  test('uses the safe alphabet', () => assert.match(base, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/));
});

describe('equalIgnoreHash', () => {
  test('the ReplicaSet template equals the Deployment template', () => {
    assert.equal(equalIgnoreHash({ ...TEMPLATE, metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } }, TEMPLATE), true);
  });
  test('a different image differs', () => {
    assert.equal(equalIgnoreHash({ ...TEMPLATE, spec: { containers: [{ name: 'web', image: 'x' }] } }, TEMPLATE), false);
  });
  test('canonicalJson drops nulls and empty containers', () => {
    assert.equal(canonicalJson({ b: 1, a: { x: null, y: [], z: {} }, c: [{}] }), '{"b":1}');
  });
});
