import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, parseTimestamp, translateTimestampSince } from './human-duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration', () => {
  const cases: [name: string, ms: number, want: string][] = [
    ['zero', 0, '0s'],
    ['sub-second', 999, '0s'],
    ['clock skew under a second', -999, '0s'],
    ['clock skew of 1.5s', -1500, '0s'],
    ['two seconds in the future', -2 * S, '<invalid>'],
    ['59s', 59 * S, '59s'],
    ['seconds up to 119', 119 * S + 900, '119s'],
    ['two minutes', 2 * M, '2m'],
    ['minutes and seconds', 5 * M + 30 * S, '5m30s'],
    ['9m59s', 9 * M + 59 * S, '9m59s'],
    ['ten minutes drops seconds', 10 * M + 30 * S, '10m'],
    ['minutes up to 179', 179 * M + 59 * S, '179m'],
    ['three hours', 3 * H, '3h'],
    ['hours and minutes', 3 * H + 5 * M, '3h5m'],
    ['7h59m', 7 * H + 59 * M, '7h59m'],
    ['eight hours drops minutes', 8 * H + 30 * M, '8h'],
    ['hours up to 47', 47 * H + 59 * M, '47h'],
    ['two days', 2 * D, '2d'],
    ['days and hours', 2 * D + 5 * H, '2d5h'],
    ['7d23h', 7 * D + 23 * H, '7d23h'],
    ['eight days drops hours', 8 * D + 5 * H, '8d'],
    ['days up to 729', 729 * D, '729d'],
    ['two years', 730 * D, '2y'],
    ['years and days', 740 * D, '2y10d'],
    ['eight years', 8 * 365 * D + 3 * D, '8y'],
    ['ten years', 3650 * D, '10y'],
  ];
  for (const [name, ms, want] of cases) {
    test(name, () => assert.equal(humanDuration(ms), want));
  }
});

describe('translateTimestampSince', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  const cases: [name: string, ts: string | undefined | null, want: string][] = [
    ['missing', undefined, '<unknown>'],
    ['null', null, '<unknown>'],
    ['empty', '', '<unknown>'],
    ['unparseable', 'yesterday-ish', '<unknown>'],
    ['Go zero time', '0001-01-01T00:00:00Z', '<unknown>'],
    ['five minutes ago', '2024-05-01T11:55:00Z', '5m'],
    ['micro-time', '2024-05-01T11:59:30.123456Z', '29s'],
    ['offset timezone', '2024-05-01T13:57:00+02:00', '3m'],
    ['far future', '2024-05-01T13:00:00Z', '<invalid>'],
  ];
  for (const [name, ts, want] of cases) {
    test(name, () => assert.equal(translateTimestampSince(ts, now), want));
  }

  test('parseTimestamp gives epoch ms', () => {
    assert.equal(parseTimestamp('1970-01-01T00:00:01Z'), 1000);
  });
});
