import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetnsProbe } from '../address-mapper.js';
import { checkKernelNetns } from './netns-guard.js';

const HOST = 'net:[4026531833]';
const POD = 'net:[4026532999]';

function probe(links: Record<string, string | Error>, files: Record<string, string> = {}): NetnsProbe {
  return {
    readlink: (p) => {
      const v = links[p];
      if (v === undefined || v instanceof Error) throw v ?? new Error(`ENOENT ${p}`);
      return v;
    },
    readFile: (p) => {
      const v = files[p];
      if (v === undefined) throw new Error(`ENOENT ${p}`);
      return v;
    },
  };
}

const denied = new Error('EACCES: permission denied');
const cases: { name: string; opts: Parameters<typeof checkKernelNetns>[0]; ok: boolean; reason?: RegExp }[] = [
  { name: 'refuses the host namespace', opts: { probe: probe({ '/proc/self/ns/net': HOST, '/proc/1/ns/net': HOST }) }, ok: false, reason: /host network namespace.*--proxy-allow-host-netns/ },
  { name: 'accepts a private namespace', opts: { probe: probe({ '/proc/self/ns/net': POD, '/proc/1/ns/net': HOST }) }, ok: true },
  {
    name: 'PID 1 unreadable: kthreadd stands in and still catches the host namespace',
    opts: { probe: probe({ '/proc/self/ns/net': HOST, '/proc/1/ns/net': denied, '/proc/2/ns/net': HOST }, { '/proc/2/comm': 'kthreadd\n', '/proc/self/uid_map': '0 0 4294967295' }) },
    ok: false,
    reason: /host network namespace/,
  },
  {
    name: 'PID 1 unreadable: kthreadd lets a private namespace through',
    opts: { probe: probe({ '/proc/self/ns/net': POD, '/proc/1/ns/net': denied, '/proc/2/ns/net': HOST }, { '/proc/2/comm': 'kthreadd\n' }) },
    ok: true,
  },
  {
    name: 'PID 1 unreadable and no kthreadd: refuses in the initial user namespace',
    opts: { probe: probe({ '/proc/self/ns/net': POD, '/proc/1/ns/net': denied }, { '/proc/2/comm': 'bash\n', '/proc/self/uid_map': '0 0 4294967295' }) },
    ok: false,
    reason: /cannot compare/,
  },
  {
    name: 'a named namespace is checked, not our own',
    opts: { netns: 'sy-kp-x-node', namedNetnsId: () => POD, probe: probe({ '/proc/self/ns/net': HOST, '/proc/1/ns/net': HOST }) },
    ok: true,
  },
  {
    name: 'a named namespace that is the host one is refused',
    opts: { netns: 'host-alias', namedNetnsId: () => HOST, probe: probe({ '/proc/self/ns/net': POD, '/proc/1/ns/net': HOST }) },
    ok: false,
    reason: /network namespace host-alias/,
  },
  { name: 'the dedicated-node override allows the host namespace', opts: { allowHostNetns: true, probe: probe({ '/proc/self/ns/net': HOST, '/proc/1/ns/net': HOST }) }, ok: true },
];
for (const c of cases) {
  test(`checkKernelNetns: ${c.name}`, () => {
    const r = checkKernelNetns(c.opts);
    assert.equal(r.ok, c.ok, JSON.stringify(r));
    if (!r.ok && c.reason) assert.match(r.reason, c.reason);
  });
}

test('checkKernelNetns: an invalid namespace name is refused', () => {
  const r = checkKernelNetns({ netns: '../../proc/1/ns/net', probe: probe({ '/proc/self/ns/net': POD, '/proc/1/ns/net': HOST }) });
  assert.equal(r.ok, false);
});
