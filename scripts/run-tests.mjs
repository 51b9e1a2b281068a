#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node's test runner (tsx loader).
// `--unit` skips the end-to-end suites under test/ (they start real servers).
// Node 20's --test does not expand globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const unitOnly = process.argv.includes('--unit');
const roots = unitOnly ? ['src'] : ['src', 'test'];
const files = [];
function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries.sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.test.ts')) files.push(p);
  }
}
roots.forEach(walk);
const extra = process.argv.slice(2).filter((a) => a !== '--unit');
const selected = extra.length ? files.filter((f) => extra.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...selected], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
