/**
 * Child process for the crash test: writes keys into the SqliteStore at
 * argv[2] from several concurrent writers and prints `ack <key>` for every
 * create whose promise resolved, until it is killed.
 */
import { SqliteStore } from './sqlite-store.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: crash-writer.fixture.ts <db-file>');
const store = SqliteStore.open(file, { compactEvery: 0 });
process.stdout.write('ready\n');

async function writer(id: number): Promise<void> {
  for (let i = 0; ; i++) {
    const key = `/crash/w${id}/${String(i).padStart(8, '0')}`;
    const res = await store.create(key, valueFor(key));
    if (!res.ok) throw new Error(`create ${key} failed: ${res.reason}`);
    process.stdout.write(`ack ${key}\n`);
  }
}

export function valueFor(key: string): string {
  return JSON.stringify({ key, pad: 'x'.repeat(200) });
}

await Promise.all(Array.from({ length: 8 }, (_, id) => writer(id)));
