import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration } from './duration.js';

test('parseGoDuration', () => {
  const cases: [string, number | undefined][] = [
    ['250ms', 250],
    ['1s', 1000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['', undefined],
    ['10', undefined],
    ['1s junk', undefined],
    ['x1s', undefined],
  ];
  for (const [raw, want] of cases) assert.equal(parseGoDuration(raw), want, raw);
});
