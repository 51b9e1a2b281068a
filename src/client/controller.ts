/**
 * Worker loop for controllers written as informers + work queue + reconcile (the shape of every
 * kube-controller-manager controller): informers' handlers add keys, workers take keys off the
 * queue and call `reconcile`; errors retry with per-key backoff, success forgets the backoff.
 */
import type { Logger } from '../log/logger.js';
import type { WorkQueue } from './workqueue.js';

export interface ControllerOptions<K> {
  readonly name: string;
  /** Keys reconciled in parallel (a single key is never reconciled twice at once). */
  readonly workers: number;
  readonly queue: WorkQueue<K>;
  /** Must be idempotent; throwing retries the key with backoff. */
  readonly reconcile: (key: K) => Promise<void>;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Retries of one key before it is dropped (default 15, as most upstream controllers). */
  readonly maxRetries?: number;
  /** Waited for before any worker starts (informers to have synced their first list). */
  readonly waitFor?: readonly { waitForSync(signal?: AbortSignal): Promise<boolean> }[];
}

/**
 * Runs `workers` loops until `signal` aborts; then shuts the queue down and resolves once every
 * in-flight reconcile has finished.
 */
export async function runController<K>(opts: ControllerOptions<K>): Promise<void> {
  const { queue, log, signal } = opts;
  const maxRetries = opts.maxRetries ?? 15;
  const onAbort = (): void => queue.shutdown();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (opts.waitFor?.length) {
      const synced = await Promise.all(opts.waitFor.map((i) => i.waitForSync(signal)));
      if (!synced.every(Boolean)) return;
      log.info(`${opts.name}: caches synced, starting ${opts.workers} worker(s)`);
    }
    const worker = async (): Promise<void> => {
      for (;;) {
        const key = await queue.get(signal);
        if (key === undefined) return;
        try {
          await opts.reconcile(key);
          queue.forget(key);
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          if (queue.numRequeues(key) < maxRetries) {
            log.debug(`${opts.name}: reconcile ${String(key)} failed, retrying: ${msg}`);
            queue.addRateLimited(key);
          } else {
            log.warn(`${opts.name}: dropping ${String(key)} after ${maxRetries} retries: ${msg}`);
            queue.forget(key);
          }
        } finally {
          queue.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.workers) }, worker));
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (signal.aborted) queue.shutdown();
  }
}
