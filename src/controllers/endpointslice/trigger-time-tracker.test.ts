import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TriggerTimeTracker } from './trigger-time-tracker.js';
import { pod, svc } from './test-fixtures.js';

describe('TriggerTimeTracker', () => {
  test('first sync: the service creation time; then the earliest new Ready transition; nothing new: null', () => {
    const t = new TriggerTimeTracker();
    const s = svc();
    const p1 = pod('a', 0, { readySince: '2025-01-01T00:00:05Z' });
    assert.equal(t.compute('default/myapp', s, [p1])?.toISOString(), '2025-01-01T00:00:00.000Z');
    assert.equal(t.compute('default/myapp', s, [p1]), null);
    const p2 = pod('b', 1, { readySince: '2025-01-01T00:02:00Z' });
    const p1b = pod('a', 0, { readySince: '2025-01-01T00:01:00Z' });
    assert.equal(t.compute('default/myapp', s, [p1b, p2])?.toISOString(), '2025-01-01T00:01:00.000Z');
    t.delete('default/myapp');
    assert.equal(t.compute('default/myapp', s, [p1b, p2])?.toISOString(), '2025-01-01T00:00:00.000Z');
  });
});
