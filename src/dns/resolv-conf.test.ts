import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheTtl } from './forward.js';
import { NO_FLAGS, type Message } from './message/message.js';
import { parseRecord } from './message/zone-text.js';
import { formatUpstream, parseResolvConf, parseUpstream } from './resolv-conf.js';

describe('upstream addresses', () => {
  const cases: [string, string][] = [
    ['10.0.0.2', '10.0.0.2:53'],
    ['10.0.0.2:5353', '10.0.0.2:5353'],
    ['dns://10.0.0.2', '10.0.0.2:53'],
    ['::1', '[::1]:53'],
    ['[fd00::2]:5353', '[fd00::2]:5353'],
  ];
  for (const [input, want] of cases) test(input, () => assert.equal(formatUpstream(parseUpstream(input)), want));
  test('host names and bad ports are refused', () => {
    assert.throws(() => parseUpstream('dns.google'), /not an IP address/);
    assert.throws(() => parseUpstream('10.0.0.2:99999'), /invalid port/);
  });
});

test('resolv.conf: nameservers, the last search line, comments and zone indexes skipped', () => {
  const conf = parseResolvConf('# generated\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\nsearch a.example b.example ; old\nsearch corp.example\noptions ndots:5\nnameserver ::1\n');
  assert.deepEqual(conf.nameservers.map(formatUpstream), ['10.0.0.2:53', '[::1]:53']);
  assert.deepEqual(conf.search, ['corp.example.']);
});

describe('forward cache lifetimes', () => {
  const msg = (rcode: number, answers: string[], authorities: string[] = []): Message => ({
    id: 1,
    flags: { ...NO_FLAGS, qr: true },
    rcode,
    questions: [],
    answers: answers.map(parseRecord),
    authorities: authorities.map(parseRecord),
    additionals: [],
  });
  const soa = 'example.com. 300 IN SOA ns.example.com. h.example.com. 1 7200 1800 86400 60';
  test('positive answers live for their smallest TTL, capped', () => {
    assert.deepEqual(cacheTtl(msg(0, ['a.example.com. 30 IN A 1.2.3.4', 'a.example.com. 20 IN A 1.2.3.5']), 3600, 1800), { ttl: 20, denial: false });
    assert.deepEqual(cacheTtl(msg(0, ['a.example.com. 86400 IN A 1.2.3.4']), 3600, 1800), { ttl: 3600, denial: false });
  });
  test('NXDOMAIN and NODATA live for the SOA minimum; without an SOA they are not cached', () => {
    assert.deepEqual(cacheTtl(msg(3, [], [soa]), 3600, 1800), { ttl: 60, denial: true });
    assert.deepEqual(cacheTtl(msg(0, [], [soa]), 3600, 1800), { ttl: 60, denial: true });
    assert.equal(cacheTtl(msg(3, []), 3600, 1800), undefined);
  });
  test('SERVFAIL and zero TTLs are not cached', () => {
    assert.equal(cacheTtl(msg(2, []), 3600, 1800), undefined);
    assert.equal(cacheTtl(msg(0, ['a.example.com. 0 IN A 1.2.3.4']), 3600, 1800), undefined);
  });
});
