import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from './open-store.js';
import { MemoryStore } from './memory/memory-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-open-store-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

describe('openStore', () => {
  const sqliteCases: { name: string; endpoint: string | undefined; file: string }[] = [
    { name: 'no endpoint: default file', endpoint: undefined, file: join(dataDir, 'server/db/state.db') },
    { name: 'empty endpoint: default file', endpoint: '', file: join(dataDir, 'server/db/state.db') },
    { name: 'bare sqlite://: default file', endpoint: 'sqlite://', file: join(dataDir, 'server/db/state.db') },
    { name: 'sqlite:// absolute path', endpoint: `sqlite://${dataDir}/a/b.db`, file: join(dataDir, 'a/b.db') },
    { name: 'sqlite:// with a query string', endpoint: `sqlite://${dataDir}/q.db?_journal=WAL`, file: join(dataDir, 'q.db') },
    { name: 'plain path', endpoint: join(dataDir, 'plain/x.db'), file: join(dataDir, 'plain/x.db') },
  ];
  for (const c of sqliteCases) {
    test(c.name, async () => {
      const store = openStore(c.endpoint, dataDir);
      try {
        assert.ok(store instanceof SqliteStore);
        assert.equal(store.description, `sqlite://${resolve(c.file)}`);
        assert.ok(existsSync(c.file));
      } finally {
        await store.close();
      }
    });
  }

  test('memory://', async () => {
    const store = openStore('memory://', dataDir);
    assert.ok(store instanceof MemoryStore);
    await store.close();
  });

  const rejected: { name: string; endpoint: string; message: RegExp }[] = [
    { name: 'etcd over http', endpoint: 'http://127.0.0.1:2379', message: /etcd is not implemented yet/ },
    { name: 'etcd over https list', endpoint: 'https://10.0.0.1:2379,https://10.0.0.2:2379', message: /etcd is not implemented yet/ },
    { name: 'unknown scheme', endpoint: 'postgres://db/k8s', message: /unsupported scheme postgres/ },
  ];
  for (const c of rejected) {
    test(`rejects ${c.name}`, () => {
      assert.throws(() => openStore(c.endpoint, dataDir), c.message);
    });
  }
});
