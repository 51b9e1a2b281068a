import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectorMatches, servicesToUpdateOnPodChange } from './pod-service-membership.js';
import type { Pod } from './slice-types.js';
import { pod, svc } from './test-fixtures.js';

describe('selectorMatches', () => {
  const cases: [string, Record<string, string> | null | undefined, Record<string, string>, boolean][] = [
    ['all pairs present', { app: 'a', tier: 'web' }, { app: 'a', tier: 'web', x: 'y' }, true],
    ['one differs', { app: 'a', tier: 'web' }, { app: 'a', tier: 'db' }, false],
    ['missing key', { app: 'a' }, {}, false],
    ['nil selector selects nothing', null, { app: 'a' }, false],
    ['empty selector selects nothing', {}, { app: 'a' }, false],
  ];
  for (const [name, sel, labels, want] of cases) test(name, () => assert.equal(selectorMatches(sel, labels), want));
});

describe('servicesToUpdateOnPodChange', () => {
  const services = [svc({ name: 'a', selector: { app: 'a' } }), svc({ name: 'b', selector: { app: 'b' } }), svc({ name: 'all', selector: { team: 't' } })];
  const v = (p: Pod, rv: string): Pod => ({ ...p, metadata: { ...p.metadata, resourceVersion: rv } });
  const a = v(pod('p', 0, { labels: { app: 'a', team: 't' } }), '1');
  const cases: [string, Pod, Pod, string[]][] = [
    ['resync (same resourceVersion): none', a, a, []],
    ['nothing an endpoint shows changed: none', a, v(a, '2'), []],
    ['readiness changed: current services', a, v(pod('p', 0, { labels: { app: 'a', team: 't' }, ready: false }), '2'), ['default/a', 'default/all']],
    ['labels changed only: the services joined or left', a, v(pod('p', 0, { labels: { app: 'b', team: 't' } }), '2'), ['default/a', 'default/b']],
    ['labels and readiness changed: old and new services', a, v(pod('p', 0, { labels: { app: 'b', team: 't' }, ready: false }), '2'), ['default/a', 'default/all', 'default/b']],
    ['IP changed', a, v(pod('p', 0, { labels: { app: 'a', team: 't' }, ip: '10.9.9.9' }), '2'), ['default/a', 'default/all']],
    ['deletion started', a, v(pod('p', 0, { labels: { app: 'a', team: 't' }, deleting: true }), '2'), ['default/a', 'default/all']],
  ];
  for (const [name, oldPod, newPod, want] of cases) {
    test(name, () => assert.deepEqual([...servicesToUpdateOnPodChange(services, oldPod, newPod)].sort(), want));
  }
});
