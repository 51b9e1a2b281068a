import type { WatchEvent } from '../store.js';

/** The revision a watch event belongs to (for deletes, the delete's revision). */
export function eventRevision(event: WatchEvent): number {
  return event.kv.modRevision;
}

/**
 * A bounded, in-memory run of the most recent watch events, in revision
 * order, used to replay history to new watchers without touching disk.
 *
 * Every revision produces exactly one event, so the ring holds every event
 * with revision > `coveredAfter` and can tell whether it can answer a replay
 * on its own.
 */
export class EventHistory {
  private events: WatchEvent[] = [];
  private start = 0;
  private floor: number;

  /**
   * @param capacity most events kept; older ones are evicted.
   * @param coveredAfter the ring holds every event with revision above this.
   */
  constructor(
    private readonly capacity: number,
    coveredAfter = 0,
  ) {
    if (!(capacity >= 1)) throw new Error(`event history capacity must be >= 1, got ${capacity}`);
    this.floor = coveredAfter;
  }

  /** Every event with revision above this is held. */
  get coveredAfter(): number {
    return this.floor;
  }

  get length(): number {
    return this.events.length - this.start;
  }

  /**
   * Appends events (in revision order, newer than anything held). Returns the
   * revision of the newest evicted event, or undefined when none was evicted.
   */
  append(events: readonly WatchEvent[]): number | undefined {
    for (const e of events) this.events.push(e);
    const excess = this.length - this.capacity;
    if (excess <= 0) return undefined;
    this.start += excess;
    this.floor = eventRevision(this.events[this.start - 1] as WatchEvent);
    this.shrink();
    return this.floor;
  }

  /** Forgets events at or below `revision` (compaction). */
  dropThrough(revision: number): void {
    if (revision <= this.floor) return;
    this.start = this.indexAfter(revision);
    this.floor = revision;
    this.shrink();
  }

  /**
   * Events with revision > afterRevision whose key starts with `prefix`, or
   * undefined when some of them are no longer held.
   */
  since(afterRevision: number, prefix: string): WatchEvent[] | undefined {
    if (afterRevision < this.floor) return undefined;
    const out: WatchEvent[] = [];
    for (let i = this.indexAfter(afterRevision); i < this.events.length; i++) {
      const e = this.events[i] as WatchEvent;
      if (e.kv.key.startsWith(prefix)) out.push(e);
    }
    return out;
  }

  /** Index of the first held event with revision > revision. */
  private indexAfter(revision: number): number {
    let lo = this.start;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (eventRevision(this.events[mid] as WatchEvent) <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // Evicted slots are reclaimed in bulk so appends stay amortised O(1).
  private shrink(): void {
    if (this.start > 1024 && this.start * 2 > this.events.length) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
  }
}
