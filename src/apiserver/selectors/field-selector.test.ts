import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeFieldValue, parseFieldSelector, SelectorParseError, unescapeFieldValue } from './field-selector.js';
import type { FieldRequirement } from './field-selector.js';

describe('parseFieldSelector: terms', () => {
  const cases: { input: string; requirements: FieldRequirement[]; string: string }[] = [
    { input: '', requirements: [], string: '' },
    { input: ',', requirements: [], string: '' },
    { input: 'metadata.name=web', requirements: [{ field: 'metadata.name', op: '=', value: 'web' }], string: 'metadata.name=web' },
    { input: 'metadata.name==web', requirements: [{ field: 'metadata.name', op: '=', value: 'web' }], string: 'metadata.name=web' },
    { input: 'status.phase!=Failed', requirements: [{ field: 'status.phase', op: '!=', value: 'Failed' }], string: 'status.phase!=Failed' },
    {
      // kubectl describe pod's events query; terms come back sorted.
      input: 'involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.kind=Pod,involvedObject.uid=1234',
      requirements: [
        { field: 'involvedObject.kind', op: '=', value: 'Pod' },
        { field: 'involvedObject.name', op: '=', value: 'web-1' },
        { field: 'involvedObject.namespace', op: '=', value: 'default' },
        { field: 'involvedObject.uid', op: '=', value: '1234' },
      ],
      string: 'involvedObject.kind=Pod,involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=1234',
    },
    {
      input: 'spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed',
      requirements: [
        { field: 'spec.nodeName', op: '=', value: 'node-1' },
        { field: 'status.phase', op: '!=', value: 'Failed' },
        { field: 'status.phase', op: '!=', value: 'Succeeded' },
      ],
      string: 'spec.nodeName=node-1,status.phase!=Failed,status.phase!=Succeeded',
    },
    { input: 'a=b\\,c', requirements: [{ field: 'a', op: '=', value: 'b,c' }], string: 'a=b\\,c' },
    { input: 'a=b\\=c\\\\d', requirements: [{ field: 'a', op: '=', value: 'b=c\\d' }], string: 'a=b\\=c\\\\d' },
    { input: 'a=', requirements: [{ field: 'a', op: '=', value: '' }], string: 'a=' },
    { input: '=b', requirements: [{ field: '', op: '=', value: 'b' }], string: '=b' },
    { input: 'a= b', requirements: [{ field: 'a', op: '=', value: ' b' }], string: 'a= b' },
  ];
  for (const c of cases) {
    test(JSON.stringify(c.input), () => {
      const s = parseFieldSelector(c.input);
      assert.deepEqual(s.requirements, c.requirements);
      assert.equal(s.empty, c.requirements.length === 0);
      assert.equal(s.toString(), c.string);
    });
  }
});

describe('parseFieldSelector: errors', () => {
  const cases: { input: string; message: string }[] = [
    { input: 'foo', message: "invalid selector: 'foo'; can't understand 'foo'" },
    { input: 'a=b,c', message: "invalid selector: 'a=b,c'; can't understand 'c'" },
    { input: 'a=b=c', message: 'invalid field selector: unescaped character in value: 61' },
    { input: 'a!==b', message: 'invalid field selector: unescaped character in value: 61' },
    { input: 'a=b\\x', message: 'invalid field selector: invalid escape sequence: \\x' },
    { input: 'a=b\\', message: 'invalid field selector: invalid escape sequence: \\' },
  ];
  for (const c of cases) {
    test(JSON.stringify(c.input), () => {
      assert.throws(
        () => parseFieldSelector(c.input),
        (e: unknown) => e instanceof SelectorParseError && e.message === c.message,
      );
    });
  }
});

describe('parseFieldSelector: matching', () => {
  const cases: { selector: string; fields: Record<string, string>; want: boolean }[] = [
    { selector: '', fields: {}, want: true },
    { selector: 'metadata.name=web', fields: { 'metadata.name': 'web', 'metadata.namespace': 'default' }, want: true },
    { selector: 'metadata.name=web', fields: { 'metadata.name': 'db' }, want: false },
    { selector: 'metadata.name=web', fields: {}, want: false },
    { selector: 'status.phase!=Failed', fields: {}, want: true },
    { selector: 'status.phase!=Failed', fields: { 'status.phase': 'Failed' }, want: false },
    // Nodes: events for cluster-scoped objects ask for an empty namespace; a missing field counts as ''.
    { selector: 'involvedObject.name=node-1,involvedObject.namespace=', fields: { 'involvedObject.name': 'node-1' }, want: true },
    { selector: 'involvedObject.namespace=', fields: { 'involvedObject.namespace': 'default' }, want: false },
    {
      selector: 'spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed',
      fields: { 'spec.nodeName': 'node-1', 'status.phase': 'Running' },
      want: true,
    },
    {
      selector: 'spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed',
      fields: { 'spec.nodeName': 'node-1', 'status.phase': 'Failed' },
      want: false,
    },
    { selector: 'a=b\\,c', fields: { a: 'b,c' }, want: true },
    { selector: 'constructor=', fields: {}, want: true },
  ];
  for (const c of cases) {
    test(`${c.selector} ~ ${JSON.stringify(c.fields)}`, () => {
      assert.equal(parseFieldSelector(c.selector).matches(c.fields), c.want);
    });
  }
});

describe('exactMatch and escaping', () => {
  test('exactMatch finds = terms only', () => {
    const s = parseFieldSelector('metadata.name=web,status.phase!=Failed');
    assert.equal(s.exactMatch('metadata.name'), 'web');
    assert.equal(s.exactMatch('status.phase'), undefined);
    assert.equal(s.exactMatch('spec.nodeName'), undefined);
  });
  const roundTrip = ['', 'plain', 'a,b', 'a=b', 'back\\slash', '\\,=', 'ünï'];
  for (const v of roundTrip) {
    test(`escape/unescape ${JSON.stringify(v)}`, () => {
      assert.equal(unescapeFieldValue(escapeFieldValue(v)), v);
      assert.deepEqual(parseFieldSelector(`f=${escapeFieldValue(v)}`).requirements, [{ field: 'f', op: '=', value: v }]);
    });
  }
});
