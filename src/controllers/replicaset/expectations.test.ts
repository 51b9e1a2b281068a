import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.js';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.js';

describe('ControllerExpectations', () => {
  test('unknown keys are satisfied', () => {
    assert.equal(new ControllerExpectations(new FakeClock()).satisfied('ns/rs'), true);
  });

  test('creations block until each is observed', () => {
    const e = new ControllerExpectations(new FakeClock());
    e.expectCreations('ns/rs', 2);
    assert.equal(e.satisfied('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfied('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfied('ns/rs'), true);
    e.creationObserved('ns/rs'); // an extra observation does not go negative
    assert.deepEqual(e.pending('ns/rs'), { adds: 0, deletes: 0 });
  });

  test('deletions are tracked per pod key', () => {
    const e = new ControllerExpectations(new FakeClock());
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a'); // the same pod twice counts once
    assert.equal(e.satisfied('ns/rs'), false);
    e.deletionObserved('ns/rs', 'ns/b');
    assert.equal(e.satisfied('ns/rs'), true);
  });

  test('creations never attempted are lowered', () => {
    const e = new ControllerExpectations(new FakeClock());
    e.expectCreations('k', 5);
    e.lowerCreations('k', 4);
    assert.deepEqual(e.pending('k'), { adds: 1, deletes: 0 });
  });

  test('records expire after the timeout', () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations(clock);
    e.expectCreations('k', 1);
    clock.advance(EXPECTATIONS_TIMEOUT_MS);
    assert.equal(e.satisfied('k'), false);
    clock.advance(1);
    assert.equal(e.satisfied('k'), true);
  });

  test('delete forgets the record', () => {
    const e = new ControllerExpectations(new FakeClock());
    e.expectCreations('k', 1);
    e.delete('k');
    assert.equal(e.satisfied('k'), true);
  });
});
