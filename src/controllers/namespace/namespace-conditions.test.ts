import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type DeletionFindings, type NamespaceCondition, failureConditions, updateNamespaceConditions } from './namespace-conditions.js';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';

const none: DeletionFindings = { discoveryErrors: [], contentErrors: [], remainingByResource: new Map(), remainingByFinalizer: new Map() };

/** Conditions in the compact notation `Type=Status/Reason: message`. */
const show = (cs: readonly NamespaceCondition[]): string[] => cs.map((c) => `${c.type}=${c.status}/${c.reason ?? ''}: ${c.message ?? ''}`);

describe('failureConditions + updateNamespaceConditions', () => {
  const cases: { name: string; findings: DeletionFindings; want: string[] }[] = [
    {
      name: 'all clear: five ok conditions',
      findings: none,
      want: [
        'NamespaceDeletionDiscoveryFailure=False/ResourcesDiscovered: All resources successfully discovered',
        'NamespaceDeletionGroupVersionParsingFailure=False/ParsedGroupVersions: All legacy kube types successfully parsed',
        'NamespaceDeletionContentFailure=False/ContentDeleted: All content successfully deleted, may be waiting on finalization',
        'NamespaceContentRemaining=False/ContentRemoved: All content successfully removed',
        'NamespaceFinalizersRemaining=False/ContentHasNoFinalizers: All content-preserving finalizers finished',
      ],
    },
    {
      name: 'pods and deployments remain, one finalizer: sorted messages',
      findings: {
        ...none,
        remainingByResource: new Map([
          ['pods.', 2],
          ['deployments.apps', 1],
          ['configmaps.', 0],
        ]),
        remainingByFinalizer: new Map([['example.com/hold', 1]]),
      },
      want: [
        'NamespaceDeletionDiscoveryFailure=False/ResourcesDiscovered: All resources successfully discovered',
        'NamespaceDeletionGroupVersionParsingFailure=False/ParsedGroupVersions: All legacy kube types successfully parsed',
        'NamespaceDeletionContentFailure=False/ContentDeleted: All content successfully deleted, may be waiting on finalization',
        'NamespaceContentRemaining=True/SomeResourcesRemain: Some resources are remaining: deployments.apps has 1 resource instances, pods. has 2 resource instances',
        'NamespaceFinalizersRemaining=True/SomeFinalizersRemain: Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
      ],
    },
    {
      name: 'content and discovery failures',
      findings: { ...none, contentErrors: ['unexpected items still remain in namespace: x for gvr: /v1, Resource=pods'], discoveryErrors: ['metrics.k8s.io/v1beta1: 503'] },
      want: [
        'NamespaceDeletionDiscoveryFailure=True/DiscoveryFailed: Discovery failed for some groups, 1 failing: metrics.k8s.io/v1beta1: 503',
        'NamespaceDeletionGroupVersionParsingFailure=False/ParsedGroupVersions: All legacy kube types successfully parsed',
        'NamespaceDeletionContentFailure=True/ContentDeletionFailed: Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: x for gvr: /v1, Resource=pods',
        'NamespaceContentRemaining=False/ContentRemoved: All content successfully removed',
        'NamespaceFinalizersRemaining=False/ContentHasNoFinalizers: All content-preserving finalizers finished',
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = updateNamespaceConditions([], failureConditions(c.findings), T0);
      assert.equal(r.changed, true);
      assert.deepEqual(show(r.conditions), c.want);
      assert.ok(r.conditions.every((x) => x.lastTransitionTime === T0));
    });
  }

  test('same findings again: no change, no write', () => {
    const first = updateNamespaceConditions([], failureConditions(none), T0);
    const again = updateNamespaceConditions(first.conditions, failureConditions(none), T1);
    assert.equal(again.changed, false);
    assert.deepEqual(again.conditions, first.conditions);
  });

  test('status flip moves lastTransitionTime; message-only change keeps it', () => {
    const remaining = (n: number): DeletionFindings => ({ ...none, remainingByResource: new Map([['pods.', n]]) });
    const a = updateNamespaceConditions([], failureConditions(remaining(2)), T0);
    const b = updateNamespaceConditions(a.conditions, failureConditions(remaining(1)), T1);
    const rem = (cs: NamespaceCondition[]) => cs.find((c) => c.type === 'NamespaceContentRemaining');
    assert.equal(b.changed, true);
    assert.equal(rem(b.conditions)?.lastTransitionTime, T0);
    assert.match(rem(b.conditions)?.message ?? '', /pods\. has 1 resource instances/);
    const c = updateNamespaceConditions(b.conditions, failureConditions(none), T1);
    assert.equal(rem(c.conditions)?.status, 'False');
    assert.equal(rem(c.conditions)?.lastTransitionTime, T1);
  });

  test('conditions of other types are kept', () => {
    const other: NamespaceCondition = { type: 'Example', status: 'True', reason: 'X', message: 'y' };
    const r = updateNamespaceConditions([other], failureConditions(none), T0);
    assert.deepEqual(r.conditions[0], other);
    assert.equal(r.conditions.length, 6);
  });
});
