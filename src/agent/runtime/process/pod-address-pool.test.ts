import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PodAddressPool, loopbackFor } from './pod-address-pool.js';

describe('PodAddressPool', () => {
  test('allocates from .2, stable per uid, reused after release, persisted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pool-'));
    try {
      const file = join(dir, 'ipam.json');
      const pool = new PodAddressPool('10.244.3.0/24', file);
      assert.equal(pool.allocate('a'), '10.244.3.2');
      assert.equal(pool.allocate('b'), '10.244.3.3');
      assert.equal(pool.allocate('a'), '10.244.3.2');
      pool.release('a');
      assert.equal(pool.allocate('c'), '10.244.3.2');
      const again = new PodAddressPool('10.244.3.0/24', file);
      assert.equal(again.get('b'), '10.244.3.3');
      assert.equal(again.get('c'), '10.244.3.2');
      const otherCidr = new PodAddressPool('10.244.4.0/24', file);
      assert.equal(otherCidr.get('b'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('a /30 has one usable address', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pool-'));
    try {
      const pool = new PodAddressPool('10.0.0.4/30', join(dir, 's.json'));
      assert.equal(pool.allocate('a'), '10.0.0.6');
      assert.throws(() => pool.allocate('b'), /no free pod address/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('loopbackFor', () => assert.equal(loopbackFor('10.244.1.5'), '127.244.1.5'));
});
