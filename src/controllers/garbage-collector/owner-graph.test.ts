import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { CONFIGMAPS, PODS } from '../resources.js';
import { OwnerGraph, graphNodeOf } from './owner-graph.js';

function obj(uid: string, owners: string[] = []): KubeObject {
  return {
    metadata: {
      uid,
      name: `n-${uid}`,
      namespace: 'ns',
      resourceVersion: '7',
      ownerReferences: owners.map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: `n-${o}`, uid: o })),
    },
  };
}

function mustNode(o: KubeObject) {
  const n = graphNodeOf(CONFIGMAPS, o);
  assert.ok(n);
  return n;
}

const uids = (g: OwnerGraph, owner: string): string[] => g.dependents(owner).map((d) => d.uid).sort();

describe('OwnerGraph', () => {
  const cases: { name: string; steps: (g: OwnerGraph) => void; owner: string; want: string[] }[] = [
    {
      name: 'dependents are indexed under the owner uid, even when the owner is unseen',
      steps: (g) => {
        g.upsert(mustNode(obj('a', ['o'])));
        g.upsert(mustNode(obj('b', ['o', 'p'])));
      },
      owner: 'o',
      want: ['a', 'b'],
    },
    {
      name: 'changing ownerReferences re-indexes',
      steps: (g) => {
        g.upsert(mustNode(obj('a', ['o'])));
        g.upsert(mustNode(obj('a', ['p'])));
      },
      owner: 'o',
      want: [],
    },
    {
      name: 'removing a dependent drops it from the index',
      steps: (g) => {
        g.upsert(mustNode(obj('a', ['o'])));
        g.upsert(mustNode(obj('b', ['o'])));
        g.remove('a');
      },
      owner: 'o',
      want: ['b'],
    },
    {
      name: 'removing the owner keeps its dependents findable',
      steps: (g) => {
        g.upsert(mustNode(obj('o')));
        g.upsert(mustNode(obj('a', ['o'])));
        g.remove('o');
      },
      owner: 'o',
      want: ['a'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const g = new OwnerGraph();
      c.steps(g);
      assert.deepEqual(uids(g, c.owner), c.want);
    });
  }

  test('graphNodeOf keeps coordinates and skips objects without uid', () => {
    const n = graphNodeOf(PODS, { metadata: { uid: 'u', name: 'p', namespace: 'ns', finalizers: ['x'], deletionTimestamp: 't' } });
    assert.deepEqual(n && { ns: n.namespace, name: n.name, fin: n.finalizers, del: n.deletionTimestamp, plural: n.resource.plural }, {
      ns: 'ns',
      name: 'p',
      fin: ['x'],
      del: 't',
      plural: 'pods',
    });
    assert.equal(graphNodeOf(PODS, { metadata: { name: 'x' } }), undefined);
  });

  test('upsert returns the replaced node', () => {
    const g = new OwnerGraph();
    assert.equal(g.upsert(mustNode(obj('a'))), undefined);
    assert.equal(g.upsert(mustNode(obj('a')))?.uid, 'a');
    assert.equal(g.size, 1);
  });
});
