import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectMeta } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { nameIsDns1035Label, nameIsDns1123Subdomain } from './names.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QNAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const strings = (errs: readonly Parameters<typeof fieldErrorString>[0][]): string[] => errs.map(fieldErrorString);

describe('validateObjectMeta', () => {
  const cases: { name: string; meta: ObjectMeta; namespaced?: boolean; subdomain?: boolean; want: string[] }[] = [
    { name: 'valid', meta: { name: 'web', namespace: 'default', labels: { app: 'web' } }, want: [] },
    { name: 'name missing', meta: { namespace: 'default' }, want: ['metadata.name: Required value: name or generateName is required'] },
    { name: 'bad name', meta: { name: 'Bad_Name', namespace: 'default' }, want: [`metadata.name: Invalid value: "Bad_Name": ${DNS1035_MSG}`] },
    {
      name: 'bad subdomain name',
      meta: { name: 'Bad_Name', namespace: 'default' },
      subdomain: true,
      want: [`metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}`],
    },
    { name: 'generateName with dash ok', meta: { generateName: 'web-', name: 'web-abcde', namespace: 'default' }, want: [] },
    { name: 'namespace required', meta: { name: 'web' }, want: ['metadata.namespace: Required value'] },
    {
      name: 'namespace forbidden on cluster-scoped',
      meta: { name: 'web', namespace: 'default' },
      namespaced: false,
      want: ['metadata.namespace: Forbidden: not allowed on this type'],
    },
    {
      name: 'bad label key and value',
      meta: { name: 'web', namespace: 'default', labels: { '-x': 'a b' } },
      want: [
        `metadata.labels: Invalid value: "-x": ${QNAME_PART}`,
        `metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    },
    {
      name: 'annotation key case-insensitive but still checked',
      meta: { name: 'web', namespace: 'default', annotations: { 'Example.COM/Key': 'v', 'bad key': 'v' } },
      want: [`metadata.annotations: Invalid value: "bad key": ${QNAME_PART}`],
    },
    {
      name: 'annotations too large',
      meta: { name: 'web', namespace: 'default', annotations: { big: 'x'.repeat(256 * 1024) } },
      want: ['metadata.annotations: Too long: may not be more than 262144 bytes'],
    },
    {
      name: 'orphan and foregroundDeletion finalizers',
      meta: { name: 'web', namespace: 'default', finalizers: ['orphan', 'foregroundDeletion'] },
      want: ['metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set'],
    },
    {
      name: 'owner reference missing fields',
      meta: { name: 'web', namespace: 'default', ownerReferences: [{ apiVersion: '', kind: 'Deployment', name: 'd', uid: '' }] },
      want: [
        'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const errs = validateObjectMeta(c.meta, {
        namespaced: c.namespaced ?? true,
        nameFn: c.subdomain ? nameIsDns1123Subdomain : nameIsDns1035Label,
      });
      assert.deepEqual(strings(errs), c.want);
    });
  }
});

describe('validateObjectMetaUpdate', () => {
  const old: ObjectMeta = { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '5', creationTimestamp: '2024-01-01T00:00:00Z' };
  const cases: { name: string; meta: ObjectMeta; want: string[] }[] = [
    { name: 'unchanged', meta: { ...old }, want: [] },
    { name: 'name changed', meta: { ...old, name: 'other' }, want: ['metadata.name: Invalid value: "other": field is immutable'] },
    { name: 'uid changed', meta: { ...old, uid: 'u2' }, want: ['metadata.uid: Invalid value: "u2": field is immutable'] },
    {
      name: 'creationTimestamp changed',
      meta: { ...old, creationTimestamp: '2025-01-01T00:00:00Z' },
      want: ['metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable'],
    },
    {
      name: 'resourceVersion missing',
      meta: { ...old, resourceVersion: '' },
      want: ['metadata.resourceVersion: Invalid value: "": must be specified for an update'],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(strings(validateObjectMetaUpdate(c.meta, old)), c.want));

  test('no new finalizers while deleting', () => {
    const deleting: ObjectMeta = { ...old, deletionTimestamp: '2024-02-01T00:00:00Z', finalizers: ['a'] };
    assert.deepEqual(strings(validateObjectMetaUpdate({ ...deleting, finalizers: ['a', 'example.com/b'] }, deleting)), [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}',
    ]);
  });
});

describe('validateLabelSelector', () => {
  const cases: { name: string; sel: unknown; want: string[] }[] = [
    { name: 'absent', sel: undefined, want: [] },
    { name: 'valid', sel: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] }, want: [] },
    {
      name: 'In without values',
      sel: { matchExpressions: [{ key: 'tier', operator: 'In' }] },
      want: ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
    },
    {
      name: 'Exists with values',
      sel: { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['x'] }] },
      want: ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
    },
    {
      name: 'unknown operator',
      sel: { matchExpressions: [{ key: 'tier', operator: 'Gt', values: ['1'] }] },
      want: ['spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator'],
    },
    {
      name: 'bad key',
      sel: { matchExpressions: [{ key: '-t', operator: 'DoesNotExist' }] },
      want: [`spec.selector.matchExpressions[0].key: Invalid value: "-t": ${QNAME_PART}`],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(strings(validateLabelSelector(c.sel, 'spec.selector')), c.want));
});
