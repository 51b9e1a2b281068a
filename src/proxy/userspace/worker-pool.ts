/**
 * The primary side of `--proxy-workers N`: N worker processes (node:cluster)
 * that all accept on the same TCP listeners. The cluster runs with
 * SCHED_NONE: the primary binds each address once and hands the socket to
 * every worker, and the kernel gives each new connection to whichever worker
 * accepts first (no per-connection hop through the primary).
 *
 * The pool keeps the wanted set of virtual services, sends changes to every
 * worker as ordered batches and waits until each worker has applied them, so
 * a sync that resolves is in force everywhere. A worker that dies is replaced
 * and gets the whole set again. Workers report their connection counts, which
 * the pool sums for `proxy status`.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../../log/logger.js';
import { forkWorker, stopWorker, workerEntry } from '../../process/cluster-workers.js';
import type { VirtualServiceConfig } from './virtual-service.js';
import { type BackendCounts, type FromWorker, type ToWorker, type WorkerOp, type WorkerSettings, isFromWorker } from './worker-protocol.js';

/** How long a worker may take to start, or to apply a batch, before it is given up on. */
const WORKER_TIMEOUT_MS = 30_000;
/** Pause before replacing a worker that died (a crash loop must not spin). */
const RESPAWN_DELAY_MS = 1_000;

interface Member {
  readonly worker: Worker;
  ready: boolean;
  readonly onReady: Promise<void>;
  counts: Readonly<Record<string, readonly BackendCounts[]>>;
  /** Batches sent and not yet answered: batch → resolver. */
  readonly waiting: Map<number, (errors: readonly (string | null)[] | undefined) => void>;
}

export interface WorkerPoolOptions {
  readonly workers: number;
  readonly settings: WorkerSettings;
  readonly log?: Logger;
}

export class WorkerPool {
  private readonly opts: WorkerPoolOptions;
  private readonly members = new Set<Member>();
  /** What every worker serves: id → its last open/update op. */
  private readonly wanted = new Map<number, Extract<WorkerOp, { op: 'open' }>>();
  private batch = 0;
  /** Ops submitted since the last flush: sent to the workers as one batch on the next turn of the loop. */
  private queued: { op: WorkerOp; done: (err: string | null) => void }[] = [];
  private started = false;
  private closing = false;

  constructor(opts: WorkerPoolOptions) {
    this.opts = opts;
  }

  /** Process ids of the live workers (tests, logs). */
  pids(): number[] {
    return [...this.members].map((m) => m.worker.process.pid ?? 0);
  }

  /**
   * Opens (or updates) virtual service `id` in every worker; resolves once all
   * have applied it, rejects with the bind error when the listener could not be
   * opened (it is then closed everywhere).
   */
  async open(id: number, cfg: VirtualServiceConfig, dial: Readonly<Record<string, string>>): Promise<void> {
    const known = this.wanted.has(id);
    this.wanted.set(id, { op: 'open', id, cfg, dial });
    const err = await this.submit(known ? { op: 'update', id, cfg, dial } : { op: 'open', id, cfg, dial });
    if (err !== null) {
      this.wanted.delete(id);
      await this.submit({ op: 'close', id });
      throw new Error(err);
    }
  }

  /** Closes virtual service `id` in every worker (established connections carry on). */
  async close(id: number): Promise<void> {
    if (!this.wanted.delete(id)) return;
    await this.submit({ op: 'close', id });
  }

  /** Counts of virtual service `id` summed over the workers: `ip|port` → [active, inactive]. */
  counts(id: number): Map<string, { ip: string; port: number; active: number; inactive: number }> {
    const out = new Map<string, { ip: string; port: number; active: number; inactive: number }>();
    for (const m of this.members) {
      for (const [ip, port, active, inactive] of m.counts[id] ?? []) {
        const key = `${ip}|${port}`;
        const cur = out.get(key) ?? { ip, port, active: 0, inactive: 0 };
        cur.active += active;
        cur.inactive += inactive;
        out.set(key, cur);
      }
    }
    return out;
  }

  /** Stops every worker (their connections are cut) and waits for them to exit. */
  async shutdown(): Promise<void> {
    this.closing = true;
    this.wanted.clear();
    await Promise.all([...this.members].map((m) => stopWorker(m.worker, () => this.post(m, { type: 'switchyard:shutdown' }), 5_000)));
    this.members.clear();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    // Frozen by node at the first fork of the process: workers accept on the shared socket themselves.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    for (let i = 0; i < this.opts.workers; i++) this.spawn();
  }

  private spawn(): Member {
    const worker = forkWorker(workerEntry(import.meta.url, 'proxy-worker'));
    let markReady: () => void = () => {};
    const member: Member = { worker, ready: false, onReady: new Promise<void>((r) => (markReady = r)), counts: {}, waiting: new Map() };
    this.members.add(member);
    worker.on('message', (raw: unknown) => {
      if (!isFromWorker(raw)) return;
      const m: FromWorker = raw;
      if (m.type === 'switchyard:ready') {
        this.post(member, { type: 'switchyard:init', settings: this.opts.settings });
        // A replacement starts with everything currently wanted, before any later batch.
        if (this.wanted.size > 0) this.send(member, [...this.wanted.values()]).catch(() => {});
        member.ready = true;
        markReady();
      } else if (m.type === 'switchyard:applied') {
        member.waiting.get(m.batch)?.(m.errors);
        member.waiting.delete(m.batch);
      } else if (m.type === 'switchyard:counts') member.counts = m.counts;
    });
    worker.on('error', (err) => this.opts.log?.warn(`proxy worker ${worker.process.pid}: ${err.message}`));
    worker.once('exit', (code, signal) => {
      this.members.delete(member);
      for (const done of member.waiting.values()) done(undefined);
      member.waiting.clear();
      markReady();
      if (this.closing) return;
      this.opts.log?.warn(`proxy worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
      setTimeout(() => this.closing || this.spawn(), RESPAWN_DELAY_MS).unref();
    });
    return member;
  }

  private post(m: Member, msg: ToWorker): void {
    if (m.worker.isConnected()) m.worker.send(msg);
  }

  /** One batch to one worker; resolves with its per-op errors, or undefined when it died or timed out. */
  private send(m: Member, ops: readonly WorkerOp[]): Promise<readonly (string | null)[] | undefined> {
    const batch = ++this.batch;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        m.waiting.delete(batch);
        this.opts.log?.warn(`proxy worker ${m.worker.process.pid} did not apply a change within ${WORKER_TIMEOUT_MS} ms; replacing it`);
        m.worker.process.kill('SIGKILL');
        resolve(undefined);
      }, WORKER_TIMEOUT_MS);
      m.waiting.set(batch, (errors) => {
        clearTimeout(timer);
        resolve(errors);
      });
      this.post(m, { type: 'switchyard:apply', batch, ops });
    });
  }

  private submit(op: WorkerOp): Promise<string | null> {
    return new Promise((done) => {
      if (this.queued.length === 0) setImmediate(() => void this.flush());
      this.queued.push({ op, done });
    });
  }

  private async flush(): Promise<void> {
    const items = this.queued;
    this.queued = [];
    const errors = await this.broadcast(items.map((i) => i.op));
    items.forEach((item, i) => item.done(errors[i] ?? null));
  }

  /** Sends `ops` to every worker (starting them on first use); per op, the first error any worker reported. */
  private async broadcast(ops: readonly WorkerOp[]): Promise<(string | null)[]> {
    this.start();
    const members = [...this.members];
    await Promise.all(members.map((m) => m.onReady));
    const results = await Promise.all(members.filter((m) => m.ready && !m.worker.isDead()).map((m) => this.send(m, ops)));
    return ops.map((_, i) => results.map((r) => r?.[i] ?? null).find((e) => e !== null) ?? null);
  }
}
