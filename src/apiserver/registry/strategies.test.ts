import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCE_TYPES } from '../resources.js';
import { kindsWithoutStrategy, nameValidatorFor, strategyFor } from './strategies.js';
import { deploymentStrategy } from './deployment-strategy.js';
import { coreEventStrategy, eventsV1EventStrategy } from './event-strategy.js';

describe('strategyFor', () => {
  test('every served kind has a strategy', () => {
    assert.deepEqual(kindsWithoutStrategy(), []);
    assert.ok(RESOURCE_TYPES.length > 0);
  });

  test('lookup is by group and kind', () => {
    assert.equal(strategyFor('apps', 'Deployment'), deploymentStrategy);
    assert.equal(strategyFor('', 'Event'), coreEventStrategy);
    assert.equal(strategyFor('events.k8s.io', 'Event'), eventsV1EventStrategy);
    assert.deepEqual(strategyFor('example.com', 'Widget'), {});
  });
});

describe('nameValidatorFor', () => {
  const cases: [group: string, kind: string, name: string, valid: boolean][] = [
    ['', 'Service', 'web', true],
    ['', 'Service', '1web', false],
    ['', 'Namespace', 'team.a', false],
    ['apps', 'StatefulSet', 'web.v1', false],
    ['apps', 'Deployment', 'web.v1', true],
    ['', 'ConfigMap', 'Bad', false],
  ];
  for (const [group, kind, name, valid] of cases) {
    test(`${group || 'core'}/${kind} ${name}: ${valid ? 'valid' : 'invalid'}`, () => {
      assert.equal(nameValidatorFor(group, kind)(name, false).length === 0, valid);
    });
  }
});
