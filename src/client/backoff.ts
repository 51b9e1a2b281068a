/**
 * Exponential backoff with jitter for retry loops (client-go's reflector uses 800 ms
 * doubling to a 30 s cap, and forgets past failures after 2 quiet minutes).
 */
import { type Clock, realClock, sleep } from './clock.js';

export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly factor?: number;
  /** Extra random fraction added to each delay: delay * (1 + jitter * random). */
  readonly jitter?: number;
  /** A failure this long after the previous one starts again from `initialMs`. */
  readonly resetAfterMs?: number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly resetAfterMs: number;
  private current: number;
  private lastAt = -Infinity;

  constructor(
    opts: BackoffOptions = {},
    private readonly clock: Clock = realClock,
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = opts.initialMs ?? 800;
    this.maxMs = opts.maxMs ?? 30_000;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 0.5;
    this.resetAfterMs = opts.resetAfterMs ?? 120_000;
    this.current = this.initialMs;
  }

  /** The delay before the next retry; each call grows the following one, up to the cap. */
  next(): number {
    const now = this.clock.now();
    if (now - this.lastAt > this.resetAfterMs) this.current = this.initialMs;
    this.lastAt = now;
    const base = this.current;
    this.current = Math.min(this.maxMs, this.current * this.factor);
    return Math.min(this.maxMs, base * (1 + this.jitter * this.random()));
  }

  /** Start again from the initial delay (after a success). */
  reset(): void {
    this.current = this.initialMs;
    this.lastAt = -Infinity;
  }

  /** Sleeps for `next()`; returns early when `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    return sleep(this.next(), signal, this.clock);
  }
}
