import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, fnv32a, safeEncodeString, templateFromPod, templateHash } from './statefulset-revision.js';
import { newStatefulSetPod, parseStatefulPodName } from './statefulset-pods.js';
import type { StatefulSet } from './statefulset-types.js';

describe('hashing', () => {
  const fnv: [string, number][] = [
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ];
  for (const [s, want] of fnv) test(`fnv32a(${JSON.stringify(s)})`, () => assert.equal(fnv32a(s), want));

  test('safeEncodeString maps decimal digits as upstream does', () => assert.equal(safeEncodeString('0123456789'), '456789bcdf'));

  test('key order does not change the hash', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }), '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    assert.equal(templateHash({ spec: { a: 1, b: 2 } }, 0), templateHash({ spec: { b: 2, a: 1 } }, 0));
  });

  test('a template change or a collision count changes the hash', () => {
    const t = { spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };
    const h = templateHash(t, 0);
    assert.match(h, /^[456789bcdf]+$/);
    assert.notEqual(h, templateHash({ spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }, 0));
    assert.notEqual(h, templateHash(t, 1));
  });
});

describe('templateFromPod', () => {
  test('undoes what the controller, scheduler and kubelet add', () => {
    const set: StatefulSet = { metadata: { name: 'web', namespace: 'default', uid: 'u' }, spec: { serviceName: 'nginx' } };
    const pod = newStatefulSetPod(set, 1, { metadata: { labels: { app: 'x' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } }, 'web-abc');
    (pod.spec as Record<string, unknown>)['nodeName'] = 'node-1';
    assert.deepEqual(templateFromPod(pod), { metadata: { labels: { app: 'x' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } });
  });
});

describe('parseStatefulPodName', () => {
  const cases: [string, { parent: string; ordinal: number }][] = [
    ['web-0', { parent: 'web', ordinal: 0 }],
    ['my-web-12', { parent: 'my-web', ordinal: 12 }],
    ['web', { parent: '', ordinal: -1 }],
    ['web-x', { parent: '', ordinal: -1 }],
  ];
  for (const [name, want] of cases) test(name, () => assert.deepEqual(parseStatefulPodName(name), want));
});

describe('newStatefulSetPod storage', () => {
  test('each volumeClaimTemplate becomes a claim volume named <template>-<pod> (StatefulSet basics tutorial)', () => {
    const set: StatefulSet = { metadata: { name: 'web', namespace: 'default', uid: 'u' }, spec: { serviceName: 'nginx', volumeClaimTemplates: [{ metadata: { name: 'www' } }] } };
    const template = { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }], volumes: [{ name: 'cfg', emptyDir: {} }] } };
    const pod = newStatefulSetPod(set, 1, template, 'web-abc');
    assert.deepEqual((pod.spec as Record<string, unknown>)['volumes'], [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } }, { name: 'cfg', emptyDir: {} }]);
    // A template recovered from that pod gives the same volumes for another ordinal.
    const again = newStatefulSetPod(set, 0, templateFromPod(pod), 'web-abc');
    assert.deepEqual((again.spec as Record<string, unknown>)['volumes'], [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }, { name: 'cfg', emptyDir: {} }]);
  });
});
