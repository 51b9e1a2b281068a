import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { CONFIGMAPS, DEPLOYMENTS, PODS } from '../resources.js';
import { assessRemaining, gvrString, requeueAfterEstimateMs, resourceLabel } from './namespace-content.js';

const NOW = Date.parse('2024-01-01T00:00:10Z');

function pod(name: string, opts: { node?: string; deletion?: string; finalizers?: string[] } = {}): KubeObject {
  return {
    metadata: { name, ...(opts.deletion ? { deletionTimestamp: opts.deletion } : {}), ...(opts.finalizers ? { finalizers: opts.finalizers } : {}) },
    spec: opts.node ? { nodeName: opts.node } : {},
  };
}

const readyNodes = new Set(['ready-node']);

describe('assessRemaining', () => {
  const cases: {
    name: string;
    resource?: typeof PODS;
    items: KubeObject[];
    want: { count: number; force: string[]; requeue: number | undefined; unexpected: number; finalizers?: Record<string, number> };
  }[] = [
    { name: 'nothing left', items: [], want: { count: 0, force: [], requeue: undefined, unexpected: 0 } },
    {
      name: 'graceful pod before its deadline: wait until then',
      items: [pod('a', { node: 'ready-node', deletion: '2024-01-01T00:00:15Z' })],
      want: { count: 1, force: [], requeue: 5100, unexpected: 0 },
    },
    {
      name: 'grace over, node missing: force delete now',
      items: [pod('a', { node: 'ghost', deletion: '2024-01-01T00:00:05Z' })],
      want: { count: 1, force: ['a'], requeue: 0, unexpected: 0 },
    },
    {
      name: 'grace over, node Ready: the node agent must finish it (reported as unexpected)',
      items: [pod('a', { node: 'ready-node', deletion: '2024-01-01T00:00:05Z' })],
      want: { count: 1, force: [], requeue: undefined, unexpected: 1 },
    },
    {
      name: 'earliest deadline wins',
      items: [pod('a', { node: 'ghost', deletion: '2024-01-01T00:00:40Z' }), pod('b', { node: 'ghost', deletion: '2024-01-01T00:00:12Z' })],
      want: { count: 2, force: [], requeue: 2100, unexpected: 0 },
    },
    {
      name: 'finalizers: upstream estimate of 15 s, requeue after 8 s',
      resource: CONFIGMAPS,
      items: [pod('a', { finalizers: ['example.com/x', 'example.com/y'] }), pod('b', { finalizers: ['example.com/x'] })],
      want: { count: 2, force: [], requeue: 8000, unexpected: 0, finalizers: { 'example.com/x': 2, 'example.com/y': 1 } },
    },
    {
      name: 'a config map that survived deletion is unexpected',
      resource: CONFIGMAPS,
      items: [pod('a')],
      want: { count: 1, force: [], requeue: undefined, unexpected: 1 },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const a = assessRemaining({ resource: c.resource ?? PODS, items: c.items, nowMs: NOW, nodeCanFinishPods: (n) => readyNodes.has(n) });
      assert.deepEqual(
        { count: a.count, force: a.forceDelete.map((p) => p.metadata.name), requeue: a.requeueAfterMs, unexpected: a.unexpected, finalizers: Object.fromEntries(a.finalizers) },
        { ...c.want, finalizers: c.want.finalizers ?? {} },
      );
    });
  }
});

describe('labels', () => {
  test('gvr strings and resource labels as upstream prints them', () => {
    assert.equal(gvrString(PODS), '/v1, Resource=pods');
    assert.equal(gvrString(DEPLOYMENTS), 'apps/v1, Resource=deployments');
    assert.equal(resourceLabel(PODS), 'pods.');
    assert.equal(resourceLabel(DEPLOYMENTS), 'deployments.apps');
    assert.equal(requeueAfterEstimateMs(15), 8000);
  });
});
