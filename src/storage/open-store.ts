import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Store } from './store.js';
import { MemoryStore } from './memory/memory-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/** Where the embedded SQLite database lives under the server's data directory. */
export function defaultSqliteFile(dataDir: string): string {
  return join(dataDir, 'server', 'db', 'state.db');
}

/**
 * Opens the Store named by `--datastore-endpoint`:
 * - absent or empty: SQLite at `<dataDir>/server/db/state.db`;
 * - `sqlite://<path>` (a query string such as kine's `?_journal=WAL` is ignored;
 *   `sqlite://` alone means the default file) or a plain file path: SQLite;
 * - `memory://`: an in-process store that forgets everything on exit;
 * - `http://` / `https://` (etcd, possibly a comma-separated list): not implemented yet;
 * - any other scheme: rejected.
 * Parent directories of a SQLite file are created. Throws on an unusable endpoint.
 */
export function openStore(endpoint: string | undefined, dataDir: string): Store {
  const spec = endpoint?.trim() ?? '';
  if (spec === '') return openSqlite(defaultSqliteFile(dataDir));
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
      return openSqlite(spec);
    case 'sqlite': {
      const path = spec.slice('sqlite://'.length).replace(/\?.*$/, '');
      return openSqlite(path === '' ? defaultSqliteFile(dataDir) : path);
    }
    case 'memory':
      return new MemoryStore();
    case 'http':
    case 'https':
      throw new Error(`datastore endpoint ${spec}: etcd is not implemented yet (use sqlite:// or memory://)`);
    default:
      throw new Error(`datastore endpoint ${spec}: unsupported scheme ${scheme}:// (supported: sqlite://, memory://)`);
  }
}

function openSqlite(file: string): SqliteStore {
  mkdirSync(dirname(file), { recursive: true });
  return SqliteStore.open(file);
}
