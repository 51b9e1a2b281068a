import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostLocalIpam, RangeFullError } from './host-local-ipam.js';
import { parseIpv4Cidr } from './ipv4.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-ipam-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function range(text: string) {
  const r = parseIpv4Cidr(text);
  assert.ok(r);
  return r;
}

describe('HostLocalIpam', () => {
  test('hands out addresses from .2, skips the gateway, is idempotent per owner', () =>
    withDir(async (dir) => {
      const ipam = new HostLocalIpam(dir, range('10.244.1.0/24'));
      assert.equal(ipam.gateway, '10.244.1.1');
      assert.equal(await ipam.allocate('pod-a'), '10.244.1.2');
      assert.equal(await ipam.allocate('pod-b'), '10.244.1.3');
      assert.equal(await ipam.allocate('pod-a'), '10.244.1.2');
      assert.deepEqual([...(await ipam.allocations())].sort(), [
        ['10.244.1.2', 'pod-a'],
        ['10.244.1.3', 'pod-b'],
      ]);
    }));

  test('does not reuse a released address at once (round robin), and wraps around', () =>
    withDir(async (dir) => {
      const ipam = new HostLocalIpam(dir, range('10.244.1.0/29')); // hosts .2 .. .6
      const got: string[] = [];
      for (const o of ['a', 'b', 'c', 'd', 'e']) got.push(await ipam.allocate(o));
      assert.deepEqual(got, ['10.244.1.2', '10.244.1.3', '10.244.1.4', '10.244.1.5', '10.244.1.6']);
      await assert.rejects(ipam.allocate('f'), RangeFullError);
      await ipam.release('b');
      await ipam.release('b'); // idempotent
      assert.equal(await ipam.allocate('f'), '10.244.1.3');
    }));

  test('state survives a new allocator (agent restart adoption)', () =>
    withDir(async (dir) => {
      const first = new HostLocalIpam(dir, range('10.244.2.0/24'));
      await first.allocate('x');
      await first.allocate('y');
      await first.release('x');
      const second = new HostLocalIpam(dir, range('10.244.2.0/24'));
      assert.equal(await second.allocate('y'), '10.244.2.3');
      assert.equal(await second.allocate('z'), '10.244.2.4', 'continues after the last reserved address');
    }));

  test('concurrent allocations get distinct addresses; a foreign file blocks its address', () =>
    withDir(async (dir) => {
      await mkdir(join(dir, '10.244.3.0_24'), { recursive: true });
      await writeFile(join(dir, '10.244.3.0_24', '10.244.3.2'), 'someone-else\n');
      const ipam = new HostLocalIpam(dir, range('10.244.3.0/24'));
      const ips = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((o) => ipam.allocate(o)));
      assert.equal(new Set(ips).size, 4);
      assert.ok(!ips.includes('10.244.3.2'));
      const files = await readdir(join(dir, '10.244.3.0_24'));
      assert.equal(files.filter((f) => f.startsWith('10.')).length, 5);
    }));
});
