import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GRACE_PERIOD_ENV, effectiveGracePeriodMs, parseGoDuration } from './grace-period.js';

describe('parseGoDuration', () => {
  const cases: [string, number | undefined][] = [
    ['3s', 3000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['0', 0],
    ['', undefined],
    ['3', undefined],
    ['3 s', undefined],
    ['-3s', undefined],
    ['3x', undefined],
  ];
  for (const [text, want] of cases) {
    test(JSON.stringify(text), () => assert.equal(parseGoDuration(text), want));
  }
});

describe('effectiveGracePeriodMs', () => {
  const cases: { name: string; env: Record<string, string>; want: number }[] = [
    { name: 'no override: configured value', env: {}, want: 40_000 },
    { name: 'override', env: { [GRACE_PERIOD_ENV]: '3s' }, want: 3000 },
    { name: 'bad override ignored', env: { [GRACE_PERIOD_ENV]: 'soon' }, want: 40_000 },
    { name: 'zero override ignored', env: { [GRACE_PERIOD_ENV]: '0s' }, want: 40_000 },
  ];
  for (const c of cases) test(c.name, () => assert.equal(effectiveGracePeriodMs(40_000, c.env), c.want));
});
