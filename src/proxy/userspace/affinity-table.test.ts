import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.js';
import { AffinityTable } from './affinity-table.js';

test('affinity pins until the timeout, refreshed by each use; retain drops removed servers', () => {
  const clock = new FakeClock(0);
  const t = new AffinityTable(10, clock);
  t.set('192.0.2.1', 'a:80');
  clock.advance(9_000);
  assert.equal(t.get('192.0.2.1'), 'a:80');
  t.set('192.0.2.1', 'a:80');
  clock.advance(9_000);
  assert.equal(t.get('192.0.2.1'), 'a:80', 'refreshed at 9 s');
  clock.advance(1_000);
  assert.equal(t.get('192.0.2.1'), undefined, 'expired 10 s after the last use');
  t.set('192.0.2.2', 'b:80');
  t.set('192.0.2.3', 'c:80');
  t.retain(new Set(['c:80']));
  assert.equal(t.get('192.0.2.2'), undefined);
  assert.equal(t.get('192.0.2.3'), 'c:80');
  assert.equal(t.sweep(), 1);
});
