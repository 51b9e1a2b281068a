import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from './endpoints-types.js';
import { TriggerTimeTracker, formatRfc3339Nano } from './trigger-time-tracker.js';

const service = (created: string): Service => ({ metadata: { name: 'web', namespace: 'default', creationTimestamp: created } });
const pod = (name: string, readyAt?: string): Pod => ({
  metadata: { name, namespace: 'default' },
  status: readyAt ? { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readyAt }] } : {},
});

describe('TriggerTimeTracker', () => {
  test('a service seen for the first time: its creation time', () => {
    const t = new TriggerTimeTracker();
    assert.equal(t.compute(service('2024-05-01T10:00:00Z'), [pod('a', '2024-05-01T10:05:00Z')]), '2024-05-01T10:00:00Z');
  });

  test('later syncs: the earliest changed pod transition, or nothing when nothing changed', () => {
    const t = new TriggerTimeTracker();
    const svc = service('2024-05-01T10:00:00Z');
    t.compute(svc, [pod('a', '2024-05-01T10:05:00Z')]);
    assert.equal(t.compute(svc, [pod('a', '2024-05-01T10:05:00Z')]), undefined);
    assert.equal(
      t.compute(svc, [pod('a', '2024-05-01T10:09:00Z'), pod('b', '2024-05-01T10:07:00Z'), pod('c')]),
      '2024-05-01T10:07:00Z',
    );
    assert.equal(t.compute(svc, [pod('a', '2024-05-01T10:09:00Z'), pod('b', '2024-05-01T10:07:00Z')]), undefined);
  });

  test('a deleted service starts over', () => {
    const t = new TriggerTimeTracker();
    const svc = service('2024-05-01T10:00:00Z');
    t.compute(svc, []);
    t.deleteService('default', 'web');
    assert.equal(t.compute(svc, []), '2024-05-01T10:00:00Z');
  });

  const formats: [number, string][] = [
    [Date.UTC(2024, 4, 1, 10, 0, 0), '2024-05-01T10:00:00Z'],
    [Date.UTC(2024, 4, 1, 10, 0, 0, 500), '2024-05-01T10:00:00.5Z'],
    [Date.UTC(2024, 4, 1, 10, 0, 0, 123), '2024-05-01T10:00:00.123Z'],
  ];
  for (const [ms, want] of formats) {
    test(`formats ${want} as Go RFC3339Nano`, () => assert.equal(formatRfc3339Nano(ms), want));
  }
});
