/**
 * How many events happened within the last `windowMs`, in constant memory: a
 * ring of time buckets instead of one timestamp (or timer) per event. Used for
 * InActConn, where every closed TCP connection counts for the IPVS TIME_WAIT
 * linger (2 minutes) — at thousands of connections a second a per-connection
 * record is hundreds of thousands of entries per backend.
 *
 * Resolution is one bucket (windowMs / buckets): an event counts for at least
 * windowMs - windowMs/buckets and less than windowMs.
 */
export const LINGER_BUCKETS = 128;

export class LingerCounter {
  private readonly windowMs: number;
  private readonly counts: Uint32Array;
  /** Bucket number (time / bucket width) of the newest bucket in the ring. */
  private newest = -Infinity;
  private total = 0;

  constructor(windowMs: number, buckets: number = LINGER_BUCKETS) {
    this.windowMs = Math.max(1, windowMs);
    this.counts = new Uint32Array(Math.max(1, buckets));
  }

  /** Records one event at `now` (ms; must not go backwards by more than a bucket). */
  add(now: number): void {
    const slot = this.advance(now) % this.counts.length;
    this.counts[slot] = (this.counts[slot] ?? 0) + 1;
    this.total++;
  }

  /** Events of the last window as of `now`. */
  count(now: number): number {
    this.advance(now);
    return this.total;
  }

  /** Moves the ring forward to `now`, dropping buckets that left the window; returns now's bucket. */
  private advance(now: number): number {
    const n = this.counts.length;
    const b = Math.floor((now * n) / this.windowMs);
    if (b <= this.newest) return this.newest;
    if (b - this.newest >= n) {
      this.counts.fill(0);
      this.total = 0;
    } else {
      for (let i = this.newest + 1; i <= b; i++) {
        const slot = i % n;
        this.total -= this.counts[slot] ?? 0;
        this.counts[slot] = 0;
      }
    }
    this.newest = b;
    return b;
  }
}
