/**
 * Runs an async function with a bounded frequency (upstream
 * async.BoundedFrequencyRunner, as kube-proxy's sync loop uses it):
 *
 * - `run()` asks for a run as soon as possible, but never sooner than
 *   `minIntervalMs` after the previous run finished; requests in between
 *   coalesce into one run.
 * - Without requests the function still runs every `maxIntervalMs` (resync).
 * - `retryAfter(ms)` makes the next run happen no later than `ms` from now
 *   (a failed sync calls it); it can be called from inside the function.
 * - Runs never overlap. Nothing runs before `loop()` starts.
 */
import type { Clock, TimerHandle } from '../client/clock.js';
import { realClock } from '../client/clock.js';

export interface BoundedFrequencyRunnerOptions {
  readonly name: string;
  readonly fn: () => Promise<void>;
  readonly minIntervalMs: number;
  readonly maxIntervalMs: number;
  readonly clock?: Clock;
  /** Called when `fn` throws (the runner keeps going; `fn` should call retryAfter itself to retry sooner). */
  readonly onError?: (err: unknown) => void;
}

export class BoundedFrequencyRunner {
  readonly name: string;
  private readonly fn: () => Promise<void>;
  private readonly minIntervalMs: number;
  private readonly maxIntervalMs: number;
  private readonly clock: Clock;
  private readonly onError: ((err: unknown) => void) | undefined;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private lastRunEnd = -Infinity;
  private running = false;
  private started = false;
  private stopped = false;
  /** A run was asked for while one was in progress (or before the loop started). */
  private requested = false;
  private retryAt = Infinity;
  private runs = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: BoundedFrequencyRunnerOptions) {
    if (opts.maxIntervalMs < opts.minIntervalMs) {
      throw new Error(`${opts.name}: maxInterval (${opts.maxIntervalMs} ms) must be >= minInterval (${opts.minIntervalMs} ms)`);
    }
    this.name = opts.name;
    this.fn = opts.fn;
    this.minIntervalMs = opts.minIntervalMs;
    this.maxIntervalMs = opts.maxIntervalMs;
    this.clock = opts.clock ?? realClock;
    this.onError = opts.onError;
  }

  /** Starts the periodic timer (and any run requested before) until `signal` aborts. */
  loop(signal: AbortSignal): void {
    if (this.started) throw new Error(`${this.name}: loop already started`);
    this.started = true;
    signal.addEventListener('abort', () => this.stop(), { once: true });
    if (signal.aborted) return;
    this.schedule(this.clock.now() + this.maxIntervalMs);
    if (this.requested) {
      this.requested = false;
      this.run();
    }
  }

  /** Requests a run as soon as the minimum interval allows. */
  run(): void {
    if (this.stopped) return;
    if (!this.started || this.running) {
      this.requested = true;
      return;
    }
    this.schedule(Math.max(this.clock.now(), this.lastRunEnd + this.minIntervalMs));
  }

  /** Makes sure a run happens no later than `ms` from now. */
  retryAfter(ms: number): void {
    if (this.stopped) return;
    const at = this.clock.now() + ms;
    if (this.running || !this.started) {
      this.retryAt = Math.min(this.retryAt, at);
      return;
    }
    this.schedule(at);
  }

  /** Number of completed runs. */
  get runCount(): number {
    return this.runs;
  }

  /** Resolves when no run is in progress (for tests and shutdown). */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops timers; a run in progress finishes. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Moves the timer earlier to `at` (never later). */
  private schedule(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => this.onTimer(), Math.max(0, at - this.clock.now()));
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.stopped) return;
    if (this.running) {
      this.requested = true;
      return;
    }
    // A retry or the periodic timer may fire before the minimum gap has passed; wait for it.
    const earliest = this.lastRunEnd + this.minIntervalMs;
    if (this.clock.now() < earliest) {
      this.schedule(earliest);
      return;
    }
    void this.execute();
  }

  private async execute(): Promise<void> {
    this.running = true;
    try {
      await this.fn();
    } catch (err) {
      this.onError?.(err);
    } finally {
      this.running = false;
      this.runs++;
      this.lastRunEnd = this.clock.now();
      let next = this.lastRunEnd + this.maxIntervalMs;
      if (this.retryAt !== Infinity) next = Math.min(next, Math.max(this.retryAt, this.lastRunEnd + this.minIntervalMs));
      this.retryAt = Infinity;
      if (this.requested) {
        this.requested = false;
        next = Math.min(next, this.lastRunEnd + this.minIntervalMs);
      }
      this.schedule(next);
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
