import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.js';
import type { KubeClient } from '../../client/kube-client.js';
import { KubeApiError } from '../../client/kube-client.js';
import type { KubeObject } from '../../api/object.js';
import { createLogger } from '../../log/logger.js';
import { EventRecorder } from './event-recorder.js';

/** Records creates and merge patches; a patch of an unknown event is a 404. */
function fakeClient(): { client: KubeClient; calls: string[]; events: Map<string, KubeObject> } {
  const calls: string[] = [];
  const events = new Map<string, KubeObject>();
  const client = {
    create: async (_res: unknown, ns: string, obj: KubeObject) => {
      calls.push(`create ${ns}/${obj.metadata.name?.split('.')[0] ?? ''} ${String(obj['reason'])} count=${String(obj['count'])}`);
      events.set(obj.metadata.name ?? '', obj);
      return obj;
    },
    patch: async (_res: unknown, ns: string, name: string, patch: Record<string, unknown>) => {
      const ev = events.get(name);
      if (!ev) throw new KubeApiError(404, 'NotFound', 'not found', undefined);
      calls.push(`patch ${ns}/${name.split('.')[0] ?? ''} count=${String(patch['count'])}`);
      Object.assign(ev, patch);
      return ev;
    },
  };
  return { client: client as unknown as KubeClient, calls, events };
}

describe('EventRecorder', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u1' };

  test('repeats are aggregated into count; different messages are new events', async () => {
    const { client, calls, events } = fakeClient();
    const rec = new EventRecorder({ client, component: 'default-scheduler', clock: new FakeClock(), log: createLogger('test', () => {}) });
    rec.event(pod, 'Warning', 'FailedScheduling', 'no nodes available to schedule pods');
    rec.event(pod, 'Warning', 'FailedScheduling', 'no nodes available to schedule pods');
    rec.event(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Too many pods.');
    rec.event(pod, 'Normal', 'Scheduled', 'Successfully assigned default/web-0 to node-1');
    await rec.flush();
    assert.deepEqual(calls, [
      'create default/web-0 FailedScheduling count=1',
      'patch default/web-0 count=2',
      'create default/web-0 FailedScheduling count=1',
      'create default/web-0 Scheduled count=1',
    ]);
    const scheduled = [...events.values()].find((e) => e['reason'] === 'Scheduled');
    assert.deepEqual(
      { involvedObject: scheduled?.['involvedObject'], source: scheduled?.['source'], reportingComponent: scheduled?.['reportingComponent'], type: scheduled?.['type'] },
      {
        involvedObject: { kind: 'Pod', name: 'web-0', apiVersion: 'v1', namespace: 'default', uid: 'u1' },
        source: { component: 'default-scheduler' },
        reportingComponent: 'default-scheduler',
        type: 'Normal',
      },
    );
    assert.match(scheduled?.metadata.name ?? '', /^web-0\.[0-9a-f]+$/);
  });

  test('an aggregated event that was deleted is created again', async () => {
    const { client, calls, events } = fakeClient();
    const rec = new EventRecorder({ client, component: 'statefulset-controller', clock: new FakeClock(), log: createLogger('test', () => {}) });
    rec.event(pod, 'Normal', 'SuccessfulCreate', 'x');
    await rec.flush();
    events.clear();
    rec.event(pod, 'Normal', 'SuccessfulCreate', 'x');
    await rec.flush();
    assert.deepEqual(calls, ['create default/web-0 SuccessfulCreate count=1', 'create default/web-0 SuccessfulCreate count=1']);
  });
});
