import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../client/clock.js';
import { RestartBackoff, formatGoDuration } from './backoff.js';

describe('RestartBackoff', () => {
  test('first crash restarts at once, then 10s, 20s, 40s ... capped at 5m', () => {
    const clock = new FakeClock();
    const b = new RestartBackoff(clock);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const finished = clock.now();
      let d = b.delayBeforeRestart('c', finished);
      waits.push(d);
      while (d > 0) {
        clock.advance(d);
        d = b.delayBeforeRestart('c', finished);
      }
      clock.advance(1000); // the container runs for a second, then crashes again
    }
    assert.deepEqual(waits, [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });
  test('a container that ran for longer than twice the cap starts over', () => {
    const clock = new FakeClock();
    const b = new RestartBackoff(clock);
    assert.equal(b.delayBeforeRestart('c', clock.now()), 0);
    clock.advance(1000);
    assert.equal(b.delayBeforeRestart('c', clock.now()), 10_000);
    clock.advance(11 * 60_000);
    assert.equal(b.delayBeforeRestart('c', clock.now()), 0);
    assert.equal(b.current('c'), 10_000);
  });
  test('keys are independent and forgettable', () => {
    const clock = new FakeClock();
    const b = new RestartBackoff(clock);
    b.delayBeforeRestart('pod/a', clock.now());
    assert.ok(b.delayBeforeRestart('pod/a', clock.now()) > 0);
    assert.equal(b.delayBeforeRestart('pod/b', clock.now()), 0);
    b.forgetPrefix('pod/');
    assert.equal(b.delayBeforeRestart('pod/a', clock.now()), 0);
  });
  test('formatGoDuration', () => {
    assert.deepEqual([10_000, 40_000, 80_000, 300_000].map(formatGoDuration), ['10s', '40s', '1m20s', '5m0s']);
  });
});
