/**
 * Measures SqliteStore create throughput and list latency:
 *   node --import tsx src/storage/sqlite/throughput.bench.ts [creates=20000] [callers=32]
 * Creates ~1 KB values from concurrent callers (each awaits its previous
 * create), then times lists of 10,000 keys under a prefix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite-store.js';

const total = Number(process.argv[2] ?? 20_000);
const callers = Number(process.argv[3] ?? 32);
const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
const store = SqliteStore.open(join(dir, 'state.db'), { compactEvery: 0 });
const pad = 'x'.repeat(1_000);

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: callers }, async () => {
    for (let i = next++; i < total; i = next++) {
      const key = `/registry/configmaps/bench/cm-${String(i).padStart(6, '0')}`;
      const res = await store.create(key, JSON.stringify({ kind: 'ConfigMap', metadata: { name: key }, data: { pad } }));
      if (!res.ok) throw new Error(`create failed: ${res.reason}`);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
console.log(`creates: ${total} from ${callers} callers in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)}/s`);

const prefix = '/registry/configmaps/bench/';
const timings: number[] = [];
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  const res = await store.list({ prefix, limit: 10_000 });
  timings.push(performance.now() - t);
  if (res.items.length !== Math.min(10_000, total)) throw new Error(`listed ${res.items.length}`);
}
timings.sort((a, b) => a - b);
console.log(`list 10,000 of ${await store.count(prefix)} keys: median ${timings[10]?.toFixed(2)} ms, max ${timings[19]?.toFixed(2)} ms`);
const t = performance.now();
const counted = await store.count(prefix);
console.log(`count ${counted} keys: ${(performance.now() - t).toFixed(3)} ms`);

await store.close();
const reopenStart = performance.now();
const reopened = SqliteStore.open(join(dir, 'state.db'), { compactEvery: 0 });
console.log(`reopen (load ${await reopened.count('')} keys): ${(performance.now() - reopenStart).toFixed(0)} ms`);
await reopened.close();
rmSync(dir, { recursive: true, force: true });
