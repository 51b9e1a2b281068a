/**
 * Kubelet's container restart back-off (client-go flowcontrol.Backoff with kubelet's
 * settings: 10 s initial, doubling, 5 min cap). The first failure restarts at once; each
 * following one waits the current delay counted from the container's finish time; a
 * container that stays up longer than twice the cap starts over from 10 s.
 */
import type { Clock } from '../client/clock.js';
import { realClock } from '../client/clock.js';

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class RestartBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock = realClock,
    private readonly initialMs = INITIAL_BACKOFF_MS,
    private readonly maxMs = MAX_BACKOFF_MS,
  ) {}

  private expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > 2 * this.maxMs;
  }

  /**
   * Remaining wait (ms) before `key` may restart after finishing at `finishedAt`; 0 means
   * restart now (and the failure is counted, growing the next delay).
   */
  delayBeforeRestart(key: string, finishedAt: number): number {
    const now = this.clock.now();
    const e = this.entries.get(key);
    if (e && !this.expired(finishedAt, e)) {
      const remaining = finishedAt + e.backoffMs - now;
      if (remaining > 0) return remaining;
    }
    this.next(key, finishedAt);
    return 0;
  }

  /** The delay currently in force for `key` (for the CrashLoopBackOff message). */
  current(key: string): number {
    return this.entries.get(key)?.backoffMs ?? this.initialMs;
  }

  private next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: this.clock.now() });
    else {
      e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
      e.lastUpdate = this.clock.now();
    }
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Drop every key starting with `prefix` (a pod's containers). */
  forgetPrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** Go's time.Duration formatting for whole seconds/minutes: 10s, 40s, 1m20s, 5m0s. */
export function formatGoDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m > 0 ? `${m}m${s}s` : `${s}s`;
}
