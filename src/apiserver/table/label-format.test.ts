import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector, formatLabels, labelSelectorString } from './label-format.js';

describe('formatLabels', () => {
  const cases: [string, Record<string, string> | undefined, string][] = [
    ['missing', undefined, '<none>'],
    ['empty', {}, '<none>'],
    ['sorted by key', { tier: 'fe', app: 'web' }, 'app=web,tier=fe'],
    ['empty value', { 'node-role.kubernetes.io/control-plane': '' }, 'node-role.kubernetes.io/control-plane='],
  ];
  for (const [name, labels, want] of cases) test(name, () => assert.equal(formatLabels(labels), want));
});

describe('formatLabelSelector', () => {
  const cases: [string, unknown, string][] = [
    ['missing', undefined, '<none>'],
    ['empty', {}, '<none>'],
    ['empty lists', { matchLabels: {}, matchExpressions: [] }, '<none>'],
    ['matchLabels sorted', { matchLabels: { tier: 'fe', app: 'web' } }, 'app=web,tier=fe'],
    [
      'In values sorted',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] },
      'env in (dev,prod)',
    ],
    ['NotIn', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['a'] }] }, 'env notin (a)'],
    ['Exists', { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, 'gpu'],
    ['DoesNotExist', { matchExpressions: [{ key: 'k', operator: 'DoesNotExist', values: [] }] }, '!k'],
    [
      'labels and expressions merged and sorted by key',
      { matchLabels: { zone: 'a', app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }] },
      'app=web,env in (a,b),zone=a',
    ],
    ['bad operator', { matchExpressions: [{ key: 'k', operator: 'Gt', values: ['1'] }] }, '<error>'],
    ['In without values', { matchExpressions: [{ key: 'k', operator: 'In', values: [] }] }, '<error>'],
    ['Exists with values', { matchExpressions: [{ key: 'k', operator: 'Exists', values: ['x'] }] }, '<error>'],
  ];
  for (const [name, sel, want] of cases) test(name, () => assert.equal(formatLabelSelector(sel), want));

  test('labelSelectorString leaves empty selectors empty and flags malformed ones', () => {
    assert.deepEqual(labelSelectorString({}), { ok: true, text: '' });
    assert.deepEqual(labelSelectorString(undefined), { ok: true, text: '' });
    assert.deepEqual(labelSelectorString('app=web'), { ok: false });
  });
});
