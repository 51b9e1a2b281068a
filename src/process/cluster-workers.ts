/**
 * node:cluster plumbing shared by the components that fork workers (the DNS
 * server's and the userspace proxy's). `cluster.setupPrimary` is process-wide,
 * and one process may run both (the embedded server), so every fork sets its
 * own entry right before forking.
 */
import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkerEntry {
  readonly exec: string;
  readonly execArgv: readonly string[];
}

/**
 * The worker module `name` (without extension) in the directory of `moduleUrl`:
 * `.ts` under tsx (tests), `.js` once built. Keeps the parent's loaders and V8
 * flags, drops the test runner's and debugger flags (a second inspector would
 * clash). Throws when the file is missing.
 */
export function workerEntry(moduleUrl: string, name: string): WorkerEntry {
  const here = fileURLToPath(moduleUrl);
  const ts = here.endsWith('.ts');
  const exec = join(dirname(here), `${name}.${ts ? 'ts' : 'js'}`);
  if (!existsSync(exec)) throw new Error(`worker entry ${exec} is missing`);
  const execArgv = process.execArgv.filter((a) => !/^--(test|inspect|watch)/.test(a));
  if (ts && !execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx');
  return { exec, execArgv };
}

/** Forks one worker running `entry`. */
export function forkWorker(entry: WorkerEntry): Worker {
  cluster.setupPrimary({ exec: entry.exec, execArgv: [...entry.execArgv], args: [] });
  return cluster.fork();
}

/**
 * Asks a worker to stop (`ask`, e.g. an IPC message; SIGTERM when the channel
 * is gone) and SIGKILLs it after `graceMs`; resolves once it has exited.
 */
export function stopWorker(worker: Worker, ask: () => void, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (worker.isDead()) return resolve();
    const kill = setTimeout(() => worker.process.kill('SIGKILL'), graceMs);
    worker.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    if (worker.isConnected()) ask();
    else worker.process.kill('SIGTERM');
  });
}
