import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString, fieldErrorBody } from '../field-errors.js';
import { goIntOrString, goLabelSelector, goStringMap, invalidRendered, notSupportedRendered } from './go-format.js';

describe('Go renderings', () => {
  const cases: [name: string, got: string, want: string][] = [
    ['map, keys sorted', goStringMap({ release: 'stabel', app: 'myapp' }), 'map[string]string{"app":"myapp", "release":"stabel"}'],
    ['nil map', goStringMap(undefined), 'map[string]string(nil)'],
    [
      'selector with expressions',
      goLabelSelector({ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }),
      'v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"tier", Operator:"NotIn", Values:[]string{"db"}}}}',
    ],
    ['int-or-string, string', goIntOrString('25%'), 'intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}'],
    ['int-or-string, int', goIntOrString(3), 'intstr.IntOrString{Type:0, IntVal:3, StrVal:""}'],
  ];
  for (const [name, got, want] of cases) test(name, () => assert.equal(got, want));

  test('rendered errors read like upstream messages', () => {
    const e = invalidRendered('spec.selector', goStringMap({ a: 'b' }), 'field is immutable');
    assert.equal(fieldErrorString(e), 'spec.selector: Invalid value: map[string]string{"a":"b"}: field is immutable');
    assert.equal(fieldErrorBody(e), 'Invalid value: map[string]string{"a":"b"}: field is immutable');
    const n = notSupportedRendered('spec.strategy', 'X{}', ['A', 'B']);
    assert.equal(fieldErrorString(n), 'spec.strategy: Unsupported value: X{}: supported values: "A", "B"');
  });
});
