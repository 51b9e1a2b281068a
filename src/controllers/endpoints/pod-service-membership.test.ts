import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from './endpoints-types.js';
import { servicesToUpdateForPod } from './pod-service-membership.js';

const svc = (name: string, selector?: Record<string, string>, namespace = 'default'): Service => ({ metadata: { name, namespace }, spec: { selector } });
const services = [svc('web', { app: 'web' }), svc('all-web', { tier: 'front' }), svc('db', { app: 'db' }), svc('manual'), svc('web', { app: 'web' }, 'other')];

interface PodOpts {
  rv?: string;
  labels?: Record<string, string>;
  ready?: boolean;
  ip?: string;
  deleting?: boolean;
}
const pod = (o: PodOpts = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default', resourceVersion: o.rv ?? '1', labels: o.labels ?? { app: 'web', tier: 'front' }, ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
  status: { podIPs: o.ip ? [{ ip: o.ip }] : [], conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }] },
});

const cases: { name: string; old?: Pod; cur?: Pod; want: string[] }[] = [
  { name: 'add: services selecting the pod in its namespace', cur: pod(), want: ['default/all-web', 'default/web'] },
  { name: 'delete: the same', old: pod(), want: ['default/all-web', 'default/web'] },
  { name: 'resync (same resourceVersion): nothing', old: pod(), cur: pod(), want: [] },
  { name: 'irrelevant change (new rv only): nothing', old: pod(), cur: pod({ rv: '2' }), want: [] },
  { name: 'readiness flip: current services', old: pod(), cur: pod({ rv: '2', ready: true }), want: ['default/all-web', 'default/web'] },
  { name: 'new IP: current services', old: pod(), cur: pod({ rv: '2', ip: '10.0.0.1' }), want: ['default/all-web', 'default/web'] },
  { name: 'deletion started: current services', old: pod(), cur: pod({ rv: '2', deleting: true }), want: ['default/all-web', 'default/web'] },
  { name: 'labels only: services gained or lost', old: pod(), cur: pod({ rv: '2', labels: { app: 'db', tier: 'front' } }), want: ['default/db', 'default/web'] },
  { name: 'labels and readiness: old and new services', old: pod(), cur: pod({ rv: '2', ready: true, labels: { app: 'db', tier: 'front' } }), want: ['default/all-web', 'default/db', 'default/web'] },
];

describe('servicesToUpdateForPod', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual([...servicesToUpdateForPod(services, c.old, c.cur)].sort(), c.want);
    });
  }
});
