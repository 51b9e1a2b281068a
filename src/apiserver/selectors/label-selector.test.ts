import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatLabelSelectorObject,
  newLabelRequirement,
  parseLabelSelector,
  SelectorParseError,
  selectorFromLabelSelectorObject,
} from './label-selector.js';

const QUALIFIED_NAME_REGEX_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_REGEX_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
  "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('parseLabelSelector: valid syntax and canonical string', () => {
  const cases: { input: string; want: string; empty?: boolean }[] = [
    { input: '', want: '', empty: true },
    { input: '   \t', want: '', empty: true },
    { input: 'run=my-nginx', want: 'run=my-nginx' },
    { input: 'app=web', want: 'app=web' },
    { input: 'kubernetes.io/service-name=my-nginx', want: 'kubernetes.io/service-name=my-nginx' },
    { input: 'z=c,x=a,y=b', want: 'x=a,y=b,z=c' },
    { input: 'x==a', want: 'x==a' },
    { input: 'x!=a', want: 'x!=a' },
    { input: 'x in (b,a)', want: 'x in (a,b)' },
    { input: 'x in(a)', want: 'x in (a)' },
    { input: 'x notin (a)', want: 'x notin (a)' },
    { input: 'x in (foo,,baz),y,z notin ()', want: 'x in (,baz,foo),y,z notin ()' },
    { input: 'x in (a,)', want: 'x in (,a)' },
    { input: 'tier', want: 'tier' },
    { input: '!canary', want: '!canary' },
    { input: 'n>1,m<10', want: 'm<10,n>1' },
    { input: '  x  =  a  ,  y  ', want: 'x=a,y' },
    { input: 'x=', want: 'x=' },
    { input: 'x=,y=b', want: 'x=,y=b' },
    { input: 'in=notin', want: 'in=notin' },
    { input: 'a.b/c-d_e=F.g_h-1', want: 'a.b/c-d_e=F.g_h-1' },
  ];
  for (const c of cases) {
    test(JSON.stringify(c.input), () => {
      const s = parseLabelSelector(c.input);
      assert.equal(s.toString(), c.want);
      assert.equal(s.empty, c.empty ?? false);
    });
  }

  test('requirements carry operator and sorted values', () => {
    assert.deepEqual(parseLabelSelector('env in (b,a),!x,y').requirements, [
      { key: 'env', operator: 'in', values: ['a', 'b'] },
      { key: 'x', operator: '!', values: [] },
      { key: 'y', operator: 'exists', values: [] },
    ]);
  });
});

describe('parseLabelSelector: errors', () => {
  const cases: { input: string; message: string }[] = [
    { input: 'x y', message: "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt" },
    { input: 'x=a b', message: "found 'b', expected: ',' or 'end of string'" },
    { input: 'app=web,', message: "found '', expected: identifier after ','" },
    { input: 'x in (a),(', message: "found '(', expected: identifier after ','" },
    { input: '=a', message: "found '=', expected: !, identifier, or 'end of string'" },
    { input: '!', message: "unable to parse requirement: found '', expected: identifier" },
    { input: '!x=a', message: "found '=', expected: ',' or 'end of string'" },
    { input: 'x!', message: "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt" },
    { input: 'x in a', message: "unable to parse requirement: found 'a' expected: '('" },
    { input: 'x in (a', message: "unable to parse requirement: found '', expected: ',' or ')'" },
    { input: 'x in (a b)', message: "unable to parse requirement: found 'b', expected: ',' or ')'" },
    { input: 'x in ((a)', message: "unable to parse requirement: found '(', expected: ',', ')' or identifier" },
    { input: 'x in (a,=)', message: "unable to parse requirement: found '=', expected: ',', or identifier" },
    { input: 'x==(', message: "unable to parse requirement: found '(', expected: identifier" },
    { input: 'n>a', message: `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer` },
    { input: '-x=a', message: `unable to parse requirement: <nil>: Invalid value: "-x": ${QUALIFIED_NAME_REGEX_MSG}` },
    { input: 'x=a$b', message: `unable to parse requirement: values[0][x]: Invalid value: "a$b": ${LABEL_VALUE_REGEX_MSG}` },
    {
      input: 'a/b/c',
      message:
        'unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, ' +
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', " +
        "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    },
  ];
  for (const c of cases) {
    test(JSON.stringify(c.input), () => {
      assert.throws(
        () => parseLabelSelector(c.input),
        (e: unknown) => e instanceof SelectorParseError && e.message === c.message,
      );
    });
  }
});

describe('parseLabelSelector: matching', () => {
  const cases: { selector: string; labels: Record<string, string> | undefined; want: boolean }[] = [
    { selector: '', labels: undefined, want: true },
    { selector: '', labels: { a: 'b' }, want: true },
    { selector: 'app=web', labels: { app: 'web', x: 'y' }, want: true },
    { selector: 'app=web', labels: { app: 'db' }, want: false },
    { selector: 'app=web', labels: {}, want: false },
    { selector: 'app=web', labels: undefined, want: false },
    { selector: 'app==web', labels: { app: 'web' }, want: true },
    { selector: 'app!=web', labels: {}, want: true },
    { selector: 'app!=web', labels: { app: 'web' }, want: false },
    { selector: 'app!=web', labels: { app: 'db' }, want: true },
    { selector: 'env in (a,b)', labels: { env: 'b' }, want: true },
    { selector: 'env in (a,b)', labels: { env: 'c' }, want: false },
    { selector: 'env in (a,b)', labels: {}, want: false },
    { selector: 'env notin (a,b)', labels: {}, want: true },
    { selector: 'env notin (a,b)', labels: { env: 'a' }, want: false },
    { selector: 'env notin (a,b)', labels: { env: 'c' }, want: true },
    { selector: 'env in (,a)', labels: { env: '' }, want: true },
    { selector: 'canary', labels: { canary: '' }, want: true },
    { selector: 'canary', labels: {}, want: false },
    { selector: '!canary', labels: {}, want: true },
    { selector: '!canary', labels: { canary: 'x' }, want: false },
    { selector: 'constructor', labels: {}, want: false },
    { selector: 'n>5', labels: { n: '6' }, want: true },
    { selector: 'n>5', labels: { n: '5' }, want: false },
    { selector: 'n>5', labels: { n: 'x' }, want: false },
    { selector: 'n>5', labels: {}, want: false },
    { selector: 'n<5', labels: { n: '-1' }, want: true },
    { selector: 'n<5', labels: { n: '+4' }, want: true },
    { selector: 'n<5', labels: { n: '99999999999999999999' }, want: false },
    { selector: 'a=b,c', labels: { a: 'b', c: 'x' }, want: true },
    { selector: 'a=b,c', labels: { a: 'b' }, want: false },
    { selector: 'run=my-nginx', labels: { run: 'my-nginx' }, want: true },
  ];
  for (const c of cases) {
    test(`${c.selector} ~ ${JSON.stringify(c.labels)}`, () => {
      assert.equal(parseLabelSelector(c.selector).matches(c.labels), c.want);
    });
  }
});

describe('selectorFromLabelSelectorObject', () => {
  const cases: { name: string; sel: unknown; string: string; empty: boolean; yes: Record<string, string>[]; no: Record<string, string>[] }[] = [
    { name: 'null matches nothing', sel: null, string: '', empty: false, yes: [], no: [{}, { app: 'web' }] },
    { name: 'undefined matches nothing', sel: undefined, string: '', empty: false, yes: [], no: [{}] },
    { name: '{} matches everything', sel: {}, string: '', empty: true, yes: [{}, { a: 'b' }], no: [] },
    { name: 'empty matchLabels matches everything', sel: { matchLabels: {}, matchExpressions: [] }, string: '', empty: true, yes: [{}], no: [] },
    {
      name: 'matchLabels',
      sel: { matchLabels: { tier: 'fe', app: 'web' } },
      string: 'app=web,tier=fe',
      empty: false,
      yes: [{ app: 'web', tier: 'fe', x: '1' }],
      no: [{ app: 'web' }, {}],
    },
    {
      name: 'In sorts its values',
      sel: { matchExpressions: [{ key: 'env', operator: 'In', values: ['b', 'a'] }] },
      string: 'env in (a,b)',
      empty: false,
      yes: [{ env: 'a' }],
      no: [{ env: 'c' }, {}],
    },
    {
      name: 'all operators together, sorted by key',
      sel: {
        matchLabels: { z: '1' },
        matchExpressions: [
          { key: 'c', operator: 'NotIn', values: ['x'] },
          { key: 'a', operator: 'Exists' },
          { key: 'b', operator: 'DoesNotExist', values: [] },
        ],
      },
      string: 'a,!b,c notin (x),z=1',
      empty: false,
      yes: [{ z: '1', a: '' }, { z: '1', a: 'q', c: 'y' }],
      no: [{ z: '1', a: '', b: '' }, { z: '1', a: '', c: 'x' }, { z: '1' }],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const s = selectorFromLabelSelectorObject(c.sel);
      assert.equal(s.toString(), c.string);
      assert.equal(s.empty, c.empty);
      for (const l of c.yes) assert.equal(s.matches(l), true, JSON.stringify(l));
      for (const l of c.no) assert.equal(s.matches(l), false, JSON.stringify(l));
    });
  }

  const errors: { name: string; sel: unknown; message: string }[] = [
    { name: 'unknown operator', sel: { matchExpressions: [{ key: 'a', operator: 'Foo' }] }, message: '"Foo" is not a valid label selector operator' },
    {
      name: 'In without values',
      sel: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      message: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    },
    {
      name: 'Exists with values',
      sel: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      message: 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    },
    { name: 'invalid key', sel: { matchLabels: { 'bad key': 'x' } }, message: `key: Invalid value: "bad key": ${QUALIFIED_NAME_REGEX_MSG}` },
    {
      name: 'invalid key and value aggregate',
      sel: { matchLabels: { '-k': '-v' } },
      message: `[key: Invalid value: "-k": ${QUALIFIED_NAME_REGEX_MSG}, values[0][-k]: Invalid value: "-v": ${LABEL_VALUE_REGEX_MSG}]`,
    },
    { name: 'not an object', sel: 'app=web', message: 'invalid label selector: expected an object' },
    { name: 'matchLabels value not a string', sel: { matchLabels: { a: 1 } }, message: 'invalid label selector: matchLabels[a] must be a string' },
  ];
  for (const c of errors) {
    test(`error: ${c.name}`, () => {
      assert.throws(
        () => selectorFromLabelSelectorObject(c.sel),
        (e: unknown) => e instanceof SelectorParseError && e.message === c.message,
      );
    });
  }
});

describe('formatLabelSelectorObject', () => {
  const cases: { sel: unknown; want: string }[] = [
    { sel: null, want: '<none>' },
    { sel: undefined, want: '<none>' },
    { sel: {}, want: '<none>' },
    { sel: { matchLabels: { app: 'web' } }, want: 'app=web' },
    { sel: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }] }, want: 'app=web,env in (a,b)' },
    { sel: { matchExpressions: [{ key: 'env', operator: 'Bogus' }] }, want: '<error>' },
  ];
  for (const c of cases) test(JSON.stringify(c.sel) ?? 'undefined', () => assert.equal(formatLabelSelectorObject(c.sel), c.want));
});

describe('newLabelRequirement', () => {
  test('Gt with several values reports both problems', () => {
    assert.throws(
      () => newLabelRequirement('n', 'gt', ['1', 'x']),
      (e: unknown) =>
        e instanceof SelectorParseError &&
        e.message ===
          `[values: Invalid value: []string{"1", "x"}: for 'Gt', 'Lt' operators, exactly one value is required, values[1]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer]`,
    );
  });
  test('valid requirement is returned as given', () => {
    assert.deepEqual(newLabelRequirement('app', '=', ['web']), { key: 'app', operator: '=', values: ['web'] });
  });
});
