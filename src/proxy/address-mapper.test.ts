import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdentityAddressMapper, LoopbackAddressMapper, checkPrivateNetns, toLoopback } from './address-mapper.js';

describe('address mappers', () => {
  const cases: { ip: string; want: string | undefined }[] = [
    { ip: '10.96.0.10', want: '127.96.0.10' },
    { ip: '203.0.113.7', want: '127.0.113.7' },
    { ip: '127.0.0.1', want: '127.0.0.1' },
    { ip: 'fd00::10', want: undefined },
    { ip: 'nonsense', want: undefined },
  ];
  for (const c of cases) test(`toLoopback ${c.ip}`, () => assert.equal(toLoopback(c.ip), c.want));

  test('loopback maps endpoints only when asked', () => {
    assert.equal(new LoopbackAddressMapper().dialAddress('10.244.1.5'), '10.244.1.5');
    assert.equal(new LoopbackAddressMapper({ mapEndpoints: true }).dialAddress('10.244.1.5'), '127.244.1.5');
  });

  test('identity refuses to manage addresses in the host namespace', () => {
    const hostProbe = { readlink: () => 'net:[4026531833]', readFile: () => '0 0 4294967295' };
    assert.throws(() => new IdentityAddressMapper({ manageAddresses: true, netnsCheck: () => checkPrivateNetns(hostProbe) }), /host network namespace/);
  });

  test('identity in a private namespace adds an address once and removes it with the last user', async () => {
    const log: string[] = [];
    const m = new IdentityAddressMapper({
      manageAddresses: true,
      netnsCheck: () => ({ ok: true, netns: 'net:[1]' }),
      commands: { add: async (ip) => void log.push(`add ${ip}`), remove: async (ip) => void log.push(`del ${ip}`) },
    });
    await m.acquire('10.96.0.10');
    await m.acquire('10.96.0.10');
    await m.release('10.96.0.10');
    assert.deepEqual(log, ['add 10.96.0.10']);
    await m.release('10.96.0.10');
    assert.deepEqual(log, ['add 10.96.0.10', 'del 10.96.0.10']);
  });

  test('checkPrivateNetns compares our namespace with PID 1', () => {
    const ns: Record<string, string> = { '/proc/self/ns/net': 'net:[2]', '/proc/1/ns/net': 'net:[1]' };
    assert.deepEqual(checkPrivateNetns({ readlink: (p) => ns[p] ?? '', readFile: () => '0 0 4294967295' }), { ok: true, netns: 'net:[2]' });
  });

  test('checkPrivateNetns: PID 1 unreadable is accepted only inside a child user namespace', () => {
    const readlink = (p: string): string => {
      if (p === '/proc/1/ns/net') throw new Error('EACCES');
      return 'net:[3]';
    };
    assert.deepEqual(checkPrivateNetns({ readlink, readFile: () => '         0          0          1\n' }), { ok: true, netns: 'net:[3]' });
    assert.equal(checkPrivateNetns({ readlink, readFile: () => '0 0 4294967295' }).ok, false);
  });

  test('checkPrivateNetns: PID 1 unreadable, kthreadd (PID 2) stands in for the initial namespace', () => {
    const probe = (self: string) => ({
      readlink: (p: string): string => {
        if (p === '/proc/1/ns/net') throw new Error('EACCES');
        return p === '/proc/2/ns/net' ? 'net:[1]' : self;
      },
      readFile: (p: string): string => (p === '/proc/2/comm' ? 'kthreadd\n' : '0 0 4294967295'),
    });
    assert.deepEqual(checkPrivateNetns(probe('net:[7]')), { ok: true, netns: 'net:[7]' });
    assert.match(String((checkPrivateNetns(probe('net:[1]')) as { reason?: string }).reason), /host network namespace/);
  });
});
