import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SliceTracker } from './slice-tracker.js';
import type { EndpointSlice } from './slice-types.js';

const slice = (uid: string, rv: string, generation?: number): EndpointSlice => {
  const s: EndpointSlice = { metadata: { name: `s-${uid}`, namespace: 'ns', uid, resourceVersion: rv, labels: { 'kubernetes.io/service-name': 'svc' } }, addressType: 'IPv4', endpoints: [] };
  if (generation !== undefined) s.metadata.generation = generation;
  return s;
};

describe('SliceTracker', () => {
  test('our own write is not a reason to sync; a newer version is', () => {
    const t = new SliceTracker();
    t.update(slice('1', '10'));
    assert.equal(t.shouldSync(slice('1', '10')), false);
    assert.equal(t.shouldSync(slice('1', '9')), false, 'an older event is not newer');
    assert.equal(t.shouldSync(slice('1', '11')), true);
    assert.equal(t.shouldSync(slice('2', '5')), true, 'unknown slices sync');
  });

  test('generation wins over resourceVersion when the server sets it', () => {
    const t = new SliceTracker();
    t.update(slice('1', '10', 2));
    assert.equal(t.shouldSync(slice('1', '12', 2)), false, 'label-only change: same generation');
    assert.equal(t.shouldSync(slice('1', '13', 3)), true);
  });

  const stale: [string, (t: SliceTracker) => void, EndpointSlice[], boolean][] = [
    ['nothing tracked', () => {}, [slice('1', '5')], false],
    ['cache has what we wrote', (t) => t.update(slice('1', '10')), [slice('1', '10')], false],
    ['cache is behind our write', (t) => t.update(slice('1', '10')), [slice('1', '9')], true],
    ['someone wrote after us', (t) => t.update(slice('1', '10')), [slice('1', '12')], false],
    ['we created a slice the cache lacks', (t) => t.update(slice('1', '10')), [], true],
    ['we deleted a slice the cache still has', (t) => t.expectDeletion(slice('1', '10')), [slice('1', '10')], true],
    ['we deleted it and the cache agrees', (t) => t.expectDeletion(slice('1', '10')), [], false],
  ];
  for (const [name, setup, cached, want] of stale) {
    test(`staleSlices: ${name}`, () => {
      const t = new SliceTracker();
      setup(t);
      assert.equal(t.staleSlices('ns/svc', 'svc-uid', cached), want);
    });
  }

  test('a recreated service (new uid) starts afresh', () => {
    const t = new SliceTracker();
    t.staleSlices('ns/svc', 'old', []);
    t.update(slice('1', '10'));
    assert.equal(t.staleSlices('ns/svc', 'new', []), false);
  });

  test('deletions: ours are expected, others ask for a sync', () => {
    const t = new SliceTracker();
    t.expectDeletion(slice('1', '10'));
    assert.equal(t.handleDeletion(slice('1', '10')), true);
    t.update(slice('2', '11'));
    assert.equal(t.handleDeletion(slice('2', '11')), false);
    assert.equal(t.has(slice('2', '11')), false);
  });
});
