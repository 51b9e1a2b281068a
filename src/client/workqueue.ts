/**
 * Rate-limited work queue with client-go's guarantees:
 * - a key is queued at most once (adds while queued are merged);
 * - a key handed out by `get` is never handed out again until `done(key)`; if it was
 *   added meanwhile it is queued again at `done`;
 * - `addAfter` delays an add (the earliest pending time wins);
 * - `addRateLimited` delays by the default controller rate limiter: the larger of a per-key
 *   exponential backoff (5 ms doubling to 1000 s) and an overall token bucket (10 qps, burst 100).
 * Time comes from an injectable Clock.
 */
import { type Clock, type TimerHandle, realClock } from './clock.js';

/** Decides how long to wait before retrying a key (client-go's RateLimiter). */
export interface RateLimiter<K> {
  when(key: K): number;
  forget(key: K): void;
  numRequeues(key: K): number;
}

/** Per-key exponential failure backoff: base * 2^failures, capped. */
export class ItemExponentialRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1000 * 1000,
  ) {}
  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }
  forget(key: K): void {
    this.failures.delete(key);
  }
  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * Overall token bucket shared by all keys. Like golang.org/x/time/rate's Reserve, tokens may go
 * negative and the delay is the time until the reservation's token exists.
 */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private tokens: number;
  private last: number;
  constructor(
    private readonly qps = 10,
    private readonly burst = 100,
    private readonly clock: Clock = realClock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }
  when(_key: K): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
  forget(_key: K): void {}
  numRequeues(_key: K): number {
    return 0;
  }
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: readonly RateLimiter<K>[];
  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }
  when(key: K): number {
    let d = 0;
    for (const l of this.limiters) d = Math.max(d, l.when(key));
    return d;
  }
  forget(key: K): void {
    for (const l of this.limiters) l.forget(key);
  }
  numRequeues(key: K): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.numRequeues(key));
    return n;
  }
}

/** client-go's DefaultControllerRateLimiter. */
export function defaultControllerRateLimiter<K>(clock: Clock = realClock): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ItemExponentialRateLimiter<K>(5, 1000 * 1000), new BucketRateLimiter<K>(10, 100, clock));
}

export interface WorkQueueOptions<K> {
  readonly clock?: Clock;
  readonly rateLimiter?: RateLimiter<K>;
  /** For log lines and metrics. */
  readonly name?: string;
}

interface Waiter<K> {
  resolve(key: K | undefined): void;
  cleanup(): void;
}

export class WorkQueue<K = string> {
  readonly name: string;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<K>;
  private readonly queue: K[] = [];
  /** Keys that need processing: queued, or added again while processing. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  /** Delayed adds: key → due time. */
  private readonly delayed = new Map<K, number>();
  private timer: { handle: TimerHandle; at: number } | undefined;
  private waiters: Waiter<K>[] = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.name = opts.name ?? 'queue';
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock);
  }

  /** Marks `key` as needing processing. No-op after shutdown. */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    this.queue.push(key);
    this.dispatch();
  }

  /** Adds `key` after `ms`; a shorter pending delay for the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const prev = this.delayed.get(key);
    if (prev !== undefined && prev <= at) return;
    this.delayed.set(key, at);
    this.armTimer();
  }

  /** Adds `key` after the rate limiter's delay for it (grows with each call until `forget`). */
  addRateLimited(key: K): void {
    this.addAfter(key, this.limiter.when(key));
  }

  /** Clears the failure history of `key` (call after it was processed successfully). */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  /** How many times `key` was rate-limited since the last `forget`. */
  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  /**
   * Waits for the next key and marks it as processing; the caller must call `done(key)`.
   * Resolves undefined when `signal` aborts, or when the queue is shut down and drained.
   */
  get(signal?: AbortSignal): Promise<K | undefined> {
    const key = this.take();
    if (key !== undefined || this.shuttingDown) return Promise.resolve(key);
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      };
      const waiter: Waiter<K> = {
        resolve,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Ends processing of `key`; if it was added meanwhile it goes back in the queue. */
  done(key: K): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.dispatch();
    }
  }

  /** Keys ready to be handed out (not counting ones processing or delayed). */
  len(): number {
    return this.queue.length;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting adds and drops delayed ones; `get` drains what is queued, then resolves undefined. */
  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.delayed.clear();
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    this.timer = undefined;
    this.dispatch();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      w.cleanup();
      w.resolve(undefined);
    }
  }

  private take(): K | undefined {
    if (this.queue.length === 0) return undefined;
    const key = this.queue.shift() as K;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const w = this.waiters.shift() as Waiter<K>;
      w.cleanup();
      w.resolve(this.take());
    }
  }

  private armTimer(): void {
    let earliest = Infinity;
    for (const at of this.delayed.values()) earliest = Math.min(earliest, at);
    if (earliest === Infinity) return;
    if (this.timer && this.timer.at <= earliest) return;
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    const handle = this.clock.setTimeout(() => this.fireDue(), Math.max(0, earliest - this.clock.now()));
    this.timer = { handle, at: earliest };
  }

  private fireDue(): void {
    this.timer = undefined;
    const now = this.clock.now();
    const due = [...this.delayed].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [key] of due) {
      this.delayed.delete(key);
      this.add(key);
    }
    this.armTimer();
  }
}
