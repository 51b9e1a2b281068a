import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from './endpointslice-types.js';
import { SliceTracker } from './slice-tracker.js';

const KEY = 'default/svc';
const slice = (name: string, rv: string): EndpointSlice => ({ metadata: { name, namespace: 'default', resourceVersion: rv } });

describe('SliceTracker', () => {
  test('unknown keys are never stale and always sync', () => {
    const t = new SliceTracker();
    assert.equal(t.stale(KEY, []), false);
    assert.equal(t.shouldSync(KEY, slice('a', '1')), true);
  });

  const staleCases: { name: string; cached: EndpointSlice[]; want: boolean }[] = [
    { name: 'our created slice not in the cache yet: stale', cached: [], want: true },
    { name: 'cache at an older version: stale', cached: [slice('a', '4')], want: true },
    { name: 'cache at our version: fresh', cached: [slice('a', '5')], want: false },
    { name: 'cache newer (someone else wrote): fresh', cached: [slice('a', '9')], want: false },
  ];
  for (const c of staleCases) {
    test(c.name, () => {
      const t = new SliceTracker();
      t.written(KEY, slice('a', '5'));
      assert.equal(t.stale(KEY, c.cached), c.want);
    });
  }

  test('a slice we deleted still cached: stale; its delete event is expected', () => {
    const t = new SliceTracker();
    t.deleted(KEY, 'a');
    assert.equal(t.stale(KEY, [slice('a', '5')]), true);
    assert.equal(t.stale(KEY, []), false);
    assert.equal(t.handleDeletion(KEY, slice('a', '5')), true);
    assert.equal(t.handleDeletion(KEY, slice('b', '5')), false, 'an unexpected delete needs a sync');
  });

  test('events of our own writes do not sync; newer versions do', () => {
    const t = new SliceTracker();
    t.written(KEY, slice('a', '5'));
    assert.equal(t.shouldSync(KEY, slice('a', '5')), false);
    assert.equal(t.shouldSync(KEY, slice('a', '3')), false);
    assert.equal(t.shouldSync(KEY, slice('a', '6')), true);
    t.deleteService(KEY);
    assert.equal(t.shouldSync(KEY, slice('a', '5')), true);
  });
});
