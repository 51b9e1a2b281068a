import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { cloneJson } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { coreEventFieldLabels, coreEventStrategy, eventsV1EventStrategy, eventsV1FieldLabels } from './event-strategy.js';

/** An event as the Deployment controller writes it through core/v1. */
function coreEvent(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'myapp-deploy.17c5f3a2b1c0d9e8', namespace: 'default' },
    involvedObject: { kind: 'Deployment', namespace: 'default', name: 'myapp-deploy', uid: 'u-1', apiVersion: 'apps/v1', resourceVersion: '42' },
    reason: 'ScalingReplicaSet',
    message: 'Scaled up replica set myapp-deploy-5d4f to 3',
    source: { component: 'deployment-controller' },
    firstTimestamp: '2024-01-01T00:00:00Z',
    lastTimestamp: '2024-01-01T00:00:00Z',
    count: 1,
    type: 'Normal',
  };
}

function eventsV1Event(): KubeObject {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web-1.17c5', namespace: 'default' },
    eventTime: '2024-01-01T00:00:00.000000Z',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u-2', apiVersion: 'v1', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled',
    note: 'Container image "nginx" already present on machine',
    type: 'Normal',
    action: 'Pulling',
    reportingController: 'kubelet',
    reportingInstance: 'node-1',
  };
}

describe('event field labels', () => {
  test('core/v1: involvedObject.*, reason, reportingComponent, source, type', () => {
    assert.deepEqual(coreEventFieldLabels(coreEvent()), {
      'involvedObject.kind': 'Deployment',
      'involvedObject.namespace': 'default',
      'involvedObject.name': 'myapp-deploy',
      'involvedObject.uid': 'u-1',
      'involvedObject.apiVersion': 'apps/v1',
      'involvedObject.resourceVersion': '42',
      'involvedObject.fieldPath': '',
      reason: 'ScalingReplicaSet',
      reportingComponent: '',
      source: 'deployment-controller',
      type: 'Normal',
    });
  });

  test('core/v1: source falls back to the reporting component', () => {
    const ev = coreEvent();
    delete ev['source'];
    ev['reportingComponent'] = 'kubelet';
    const labels = coreEventStrategy.fieldLabels?.(ev);
    assert.equal(labels?.['source'], 'kubelet');
    assert.equal(labels?.['reportingComponent'], 'kubelet');
  });

  test('events.k8s.io/v1: regarding.*, reason, reportingController, source, type', () => {
    assert.deepEqual(eventsV1FieldLabels(eventsV1Event()), {
      'regarding.kind': 'Pod',
      'regarding.namespace': 'default',
      'regarding.name': 'web-1',
      'regarding.uid': 'u-2',
      'regarding.apiVersion': 'v1',
      'regarding.resourceVersion': '',
      'regarding.fieldPath': 'spec.containers{web}',
      reason: 'Pulled',
      reportingController: 'kubelet',
      source: 'kubelet',
      type: 'Normal',
    });
  });
});

describe('event validation', () => {
  const coreCases: { name: string; mutate: (e: KubeObject) => void; expect: string[] }[] = [
    { name: 'a controller event is valid', mutate: () => {}, expect: [] },
    {
      name: 'namespaces must agree',
      mutate: (e) => ((e['involvedObject'] as any).namespace = 'other'),
      expect: ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
    },
    {
      name: 'cluster-scoped objects may have their events in default',
      mutate: (e) => (e['involvedObject'] = { kind: 'Node', name: 'node-1' }),
      expect: [],
    },
    {
      name: 'new-style events need the reporting fields',
      mutate: (e) => (e['eventTime'] = '2024-01-01T00:00:00.000000Z'),
      expect: ['reportingComponent: Required value', 'reportingInstance: Required value', 'action: Required value'],
    },
  ];
  for (const c of coreCases) {
    test(`core/v1: ${c.name}`, () => {
      const ev = coreEvent();
      c.mutate(ev);
      const errs = (coreEventStrategy.validateCreate?.(ev) ?? []).map(fieldErrorString);
      // An empty reportingComponent also fails the qualified-name check; keep the upstream order but only the listed ones.
      assert.deepEqual(errs.filter((e) => !e.startsWith('reportingComponent: Invalid')), c.expect);
    });
  }

  test('events.k8s.io/v1: strict create rules', () => {
    const ev = eventsV1Event();
    ev['type'] = 'Info';
    delete ev['reason'];
    assert.deepEqual((eventsV1EventStrategy.validateCreate?.(ev) ?? []).map(fieldErrorString), [
      'type: Invalid value: "": has invalid value: Info',
      'reason: Required value',
    ]);
    assert.deepEqual(eventsV1EventStrategy.validateCreate?.(eventsV1Event()), []);
  });

  test('events.k8s.io/v1: regarding and note are immutable', () => {
    const old = eventsV1Event();
    const next = cloneJson(old);
    next['note'] = 'changed';
    assert.deepEqual((eventsV1EventStrategy.validateUpdate?.(next, old) ?? []).map(fieldErrorString), [
      'note: Invalid value: "changed": field is immutable',
    ]);
  });
});
