import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../field-errors.js';
import { isConfigMapKey, isRelaxedEnvVarName, isValidPercent, validateFqdn, validateNonSpecialIP } from './value-formats.js';
import { selectorMatches } from './label-selector.js';
import { parseQuantity } from './quantity.js';

describe('value formats', () => {
  const valid: [string, (v: string) => string[], string, boolean][] = [
    ['config key', isConfigMapKey, 'app.properties', true],
    ['config key', isConfigMapKey, '.', false],
    ['config key', isConfigMapKey, 'a b', false],
    ['env name', isRelaxedEnvVarName, 'my.var-1', true],
    ['env name', isRelaxedEnvVarName, 'A=B', false],
    ['env name', isRelaxedEnvVarName, 'tab\there', false],
    ['percent', isValidPercent, '25%', true],
    ['percent', isValidPercent, '2.5%', false],
  ];
  for (const [kind, fn, value, ok] of valid) {
    test(`${kind} ${JSON.stringify(value)} is ${ok ? 'valid' : 'invalid'}`, () => assert.equal(fn(value).length === 0, ok));
  }

  const special: [string, string | null][] = [
    ['10.1.2.3', null],
    ['0.0.0.0', 'may not be unspecified (0.0.0.0)'],
    ['127.0.0.2', 'may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ['::1', 'may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ['fe80::1', 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['224.0.0.251', 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'],
    ['fd00::10', null],
  ];
  for (const [ip, msg] of special) {
    test(`non-special IP ${ip}`, () => {
      const errs = validateNonSpecialIP(ip, 'ip').map((e) => e.detail);
      assert.deepEqual(errs, msg ? [msg] : []);
    });
  }

  test('FQDN needs two segments', () => {
    assert.deepEqual(validateFqdn('localhost', 'a').map(fieldErrorString), ['a: Invalid value: "localhost": should be a domain with at least two segments separated by dots']);
    assert.deepEqual(validateFqdn('db.example.com.', 'a'), []);
  });
});

describe('label selector matching', () => {
  const cases: [string, unknown, Record<string, string>, boolean][] = [
    ['absent selector matches nothing', undefined, { a: 'b' }, false],
    ['empty selector matches everything', {}, {}, true],
    ['matchLabels subset', { matchLabels: { app: 'web' } }, { app: 'web', tier: 'fe' }, true],
    ['NotIn with missing key', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, {}, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, { env: 'x' }, false],
  ];
  for (const [name, sel, labels, want] of cases) test(name, () => assert.equal(selectorMatches(sel, labels), want));
});

describe('quantities', () => {
  const cases: [string, number | undefined][] = [
    ['100m', 0.1],
    ['1Gi', 2 ** 30],
    ['2e3', 2000],
    ['1.5', 1.5],
    ['abc', undefined],
  ];
  for (const [q, v] of cases) test(q, () => assert.equal(parseQuantity(q), v));
});
