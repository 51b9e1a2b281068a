/**
 * Connect timeouts without a timer per connection. Every dial with the same
 * timeout expires in the order it started, so each timeout value gets a FIFO
 * lane and one timer armed for the oldest live entry. Adding is an array push,
 * cancelling clears a slot (so a finished connection is not kept reachable
 * until its deadline), and expiring calls the target once.
 */
import { performance } from 'node:perf_hooks';

/** Something with a deadline: `expire` runs at most once, when it was not cancelled first. */
export interface Expirable {
  expire(): void;
}

class Lane {
  private readonly timeoutMs: number;
  private items: (Expirable | undefined)[] = [];
  private deadlines: number[] = [];
  /** Sequence number of items[0]. */
  private base = 0;
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly fire = (): void => this.run();

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** Appends `target`; returns its sequence number. */
  add(target: Expirable): number {
    const deadline = performance.now() + this.timeoutMs;
    this.items.push(target);
    this.deadlines.push(deadline);
    if (this.timer === undefined) this.arm(deadline);
    return this.base + this.items.length - 1;
  }

  cancel(seq: number): void {
    const i = seq - this.base;
    if (i >= this.head && i < this.items.length) this.items[i] = undefined;
  }

  private arm(deadline: number): void {
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(deadline - performance.now())));
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    // Timers fire on the loop's cached time: allow for the sub-millisecond difference to performance.now().
    const now = performance.now() + 1;
    const due: Expirable[] = [];
    while (this.head < this.items.length) {
      const item = this.items[this.head];
      // Cancelled entries are dropped whatever their deadline, so the timer is armed for a live one.
      if (item !== undefined && (this.deadlines[this.head] ?? 0) > now) break;
      if (item !== undefined) due.push(item);
      this.items[this.head] = undefined;
      this.head++;
    }
    this.compact();
    if (this.head < this.items.length) this.arm(this.deadlines[this.head] ?? 0);
    // After the bookkeeping: an expiry may start a new dial on this lane.
    for (const item of due) item.expire();
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.base += this.head;
      this.items = [];
      this.deadlines = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head);
      this.deadlines.splice(0, this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
}

export class DeadlineQueue {
  private readonly lanes = new Map<number, Lane>();

  /**
   * Calls `target.expire()` after `timeoutMs` unless cancelled first; returns
   * the entry's number for `cancel` (numbers are per timeout value).
   */
  add(timeoutMs: number, target: Expirable): number {
    let lane = this.lanes.get(timeoutMs);
    if (lane === undefined) {
      lane = new Lane(timeoutMs);
      this.lanes.set(timeoutMs, lane);
    }
    return lane.add(target);
  }

  /** Forgets entry `seq` of `timeoutMs`; a no-op when it already expired or was cancelled. */
  cancel(timeoutMs: number, seq: number): void {
    this.lanes.get(timeoutMs)?.cancel(seq);
  }
}
