import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectorFromLabelSelectorObject } from '../../apiserver/selectors/label-selector.js';
import { claimPods } from './statefulset-claim.js';
import type { Pod, StatefulSet } from './statefulset-types.js';

const set: StatefulSet = { metadata: { name: 'web', namespace: 'default', uid: 'uid-web' }, spec: { selector: { matchLabels: { app: 'nginx' } } } };
const selector = selectorFromLabelSelectorObject(set.spec?.selector);

function pod(name: string, opts: { labels?: Record<string, string>; owner?: string; ns?: string } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: opts.ns ?? 'default',
      labels: opts.labels ?? { app: 'nginx' },
      ...(opts.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid: opts.owner, controller: true }] } : {}),
    },
  };
}

describe('claimPods', () => {
  const cases: { name: string; pods: Pod[]; want: { owned: string[]; adopt: string[]; release: string[] } }[] = [
    { name: 'keeps controlled members', pods: [pod('web-0', { owner: 'uid-web' })], want: { owned: ['web-0'], adopt: [], release: [] } },
    { name: 'adopts matching orphans', pods: [pod('web-1')], want: { owned: ['web-1'], adopt: ['web-1'], release: [] } },
    { name: 'ignores orphans of another name', pods: [pod('db-0'), pod('web')], want: { owned: [], adopt: [], release: [] } },
    { name: 'ignores pods of other controllers', pods: [pod('web-0', { owner: 'other' })], want: { owned: [], adopt: [], release: [] } },
    { name: 'ignores other namespaces', pods: [pod('web-0', { ns: 'kube-system' })], want: { owned: [], adopt: [], release: [] } },
    {
      name: 'releases controlled pods whose labels no longer match',
      pods: [pod('web-0', { owner: 'uid-web', labels: { app: 'debug' } })],
      want: { owned: [], adopt: [], release: ['web-0'] },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = claimPods(set, selector, c.pods);
      const names = (ps: readonly Pod[]): string[] => ps.map((p) => p.metadata.name ?? '');
      assert.deepEqual({ owned: names(r.owned), adopt: names(r.adopt), release: names(r.release) }, c.want);
    });
  }
});
