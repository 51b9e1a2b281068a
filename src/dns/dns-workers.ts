/**
 * Cluster DNS on several processes. One Node.js process tops out well below a C resolver
 * because every datagram costs a trip through libuv and the JS/C++ boundary, so queries are
 * spread over worker processes forked with node:cluster: each binds the same address, the
 * cluster module gives all of them the one UDP socket (and TCP listener) the primary opened, and
 * the kernel hands each datagram to whichever worker reads next, so a busy worker sheds load to
 * an idle one.
 *
 * The primary keeps the only informers and the index; workers hold a replica fed over IPC (a
 * snapshot when they start, then every change in order, batched per event-loop turn), so the
 * API server sees one set of watches whatever the number of workers. A worker that dies is
 * replaced; its counters are lost with it (Prometheus sees a counter reset).
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../log/logger.js';
import { forkWorker, stopWorker, workerEntry } from '../process/cluster-workers.js';
import type { ClusterIndex, IndexOp } from './kubernetes/cluster-index.js';
import type { MetricsSnapshot } from './metrics.js';
import type { ServingConfig } from './serving.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

export interface DnsWorkersOptions {
  /** Worker processes (at least 1). */
  readonly count: number;
  readonly cfg: ServingConfig;
  /** The primary's index; its changes are replicated to the workers until close(). */
  readonly index: ClusterIndex;
  readonly synced: () => boolean;
  /** Settles true once synced; the workers are told then. */
  readonly whenSynced?: Promise<boolean>;
  readonly log: Logger;
}

export interface DnsWorkers {
  /** The port every worker serves (UDP and TCP). */
  readonly port: number;
  /** Workers currently serving. */
  alive(): number;
  /** Every serving worker's metrics, one snapshot each (a worker that does not answer in time is left out). */
  metrics(timeoutMs?: number): Promise<MetricsSnapshot[]>;
  /** Stops the workers (killed if they do not exit within a few seconds). */
  close(): Promise<void>;
}

/** Ops per IPC message: a 100,000-endpoint snapshot goes as many moderate messages, not one huge one. */
const BATCH = 2000;


interface Slot {
  readonly w: Worker;
  /** Snapshot sent: receives every later change. */
  replicating: boolean;
  listening: boolean;
  readonly started: number;
}

/** Forks `count` workers serving `cfg` and resolves once all listen (rejects, with none left running, if one fails). */
export async function startDnsWorkers(opts: DnsWorkersOptions): Promise<DnsWorkers> {
  if (!Number.isInteger(opts.count) || opts.count < 1) throw new Error(`workers must be a whole number of at least 1, got ${opts.count}`);
  if (!cluster.isPrimary) throw new Error('DNS workers can only be started from a primary process');
  const entry = workerEntry(import.meta.url, 'dns-worker');
  const { index, log, cfg } = opts;
  const slots = new Set<Slot>();
  const metricsWaiters = new Map<number, (s: MetricsSnapshot) => void>();
  let nextMetricsId = 0;
  let closing = false;
  let port = 0;

  let pending: IndexOp[] = [];
  let flushQueued = false;
  const sendOps = (slot: Slot, ops: readonly IndexOp[]): void => {
    for (let i = 0; i < ops.length; i += BATCH) post(slot, { t: 'ops', ops: ops.slice(i, i + BATCH) });
  };
  const post = (slot: Slot, m: ToWorker): void => {
    if (slot.w.isConnected()) slot.w.send(m);
  };
  const flush = (): void => {
    flushQueued = false;
    if (pending.length === 0) return;
    const ops = pending;
    pending = [];
    for (const s of slots) if (s.replicating) sendOps(s, ops);
  };
  index.onChange = (op) => {
    pending.push(op);
    if (!flushQueued) {
      flushQueued = true;
      setImmediate(flush);
    }
  };
  void opts.whenSynced?.then((ok) => {
    if (!ok || closing) return;
    flush();
    for (const s of slots) if (s.replicating) post(s, { t: 'synced' });
  });

  const spawn = (tcpPort: number | undefined): Promise<number> => {
    const w = forkWorker(entry);
    const slot: Slot = { w, replicating: false, listening: false, started: Date.now() };
    slots.add(slot);
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      w.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'hello':
            // Data first, then listen: a worker never answers from a half-filled replica.
            flush();
            sendOps(slot, index.snapshot());
            if (opts.synced()) post(slot, { t: 'synced' });
            slot.replicating = true;
            post(slot, { t: 'start', cfg, tcpPort });
            break;
          case 'listening':
            slot.listening = true;
            settled = true;
            resolve(m.port);
            break;
          case 'failed':
            settled = true;
            reject(new Error(`DNS worker ${w.id}: ${m.message}`));
            break;
          case 'metrics':
            metricsWaiters.get(m.id)?.(m.snapshot);
            break;
          case 'log':
            log.child(m.component)[m.level](`[worker ${w.id}] ${m.msg}`);
            break;
        }
      });
      w.on('exit', (code, signal) => {
        slots.delete(slot);
        if (!settled) {
          settled = true;
          reject(new Error(`DNS worker ${w.id} exited (${signal ?? code}) before it listened`));
        }
        if (closing || !slot.listening) return;
        // Replace it; a worker that dies young waits longer, so a crash loop does not spin.
        const delay = Date.now() - slot.started < 10_000 ? 10_000 : 1000;
        log.error(`DNS worker ${w.id} exited (${signal ?? `code ${code}`}); starting another in ${delay / 1000} s`);
        setTimeout(() => {
          if (closing) return;
          spawn(port).then(
            () => log.info(`DNS worker replaced; ${slots.size} serving`),
            (err: unknown) => log.error(`${(err as Error).message}`),
          );
        }, delay).unref();
      });
    });
  };

  const stopAll = async (): Promise<void> => {
    closing = true;
    if (index.onChange) index.onChange = undefined;
    await Promise.all([...slots].map((s) => stopWorker(s.w, () => s.w.send({ t: 'close' } satisfies ToWorker), 3000)));
  };

  try {
    // The first worker settles the port (cfg.port may be 0); the rest bind UDP the same way,
    // which gives them the same shared socket, and TCP on that port.
    port = await spawn(undefined);
    await Promise.all(Array.from({ length: opts.count - 1 }, () => spawn(port)));
  } catch (err) {
    await stopAll();
    throw err;
  }
  log.info(`cluster DNS serving from ${opts.count} worker processes`);

  return {
    port,
    alive: () => [...slots].filter((s) => s.listening).length,
    metrics: async (timeoutMs = 2000) => {
      const live = [...slots].filter((s) => s.listening && s.w.isConnected());
      const got = await Promise.all(
        live.map(
          (s) =>
            new Promise<MetricsSnapshot | undefined>((resolve) => {
              const id = ++nextMetricsId;
              const timer = setTimeout(() => {
                metricsWaiters.delete(id);
                resolve(undefined);
              }, timeoutMs);
              metricsWaiters.set(id, (snap) => {
                clearTimeout(timer);
                metricsWaiters.delete(id);
                resolve(snap);
              });
              post(s, { t: 'metrics', id });
            }),
        ),
      );
      return got.filter((m): m is MetricsSnapshot => m !== undefined);
    },
    close: stopAll,
  };
}
