/**
 * A bitmap over offsets [0, size) with upstream's allocation order
 * (pkg/registry/core/service/allocator, randomScanStrategyWithOffset): the
 * lower `offset` entries form a static band meant for explicitly requested
 * values, dynamic allocation picks a random free entry of the upper band first
 * and falls back to the lower band only when the upper one is full.
 */
export class RangeBitmap {
  private readonly bits: Uint8Array;
  private count = 0;

  /**
   * @param size number of allocatable entries
   * @param offset size of the static (lower) band; 0 disables the split
   * @param random source of randomness in [0, 1), replaceable for tests
   */
  constructor(
    readonly size: number,
    readonly offset: number,
    private readonly random: () => number = Math.random,
  ) {
    this.bits = new Uint8Array(Math.max(0, size));
  }

  has(i: number): boolean {
    return i >= 0 && i < this.size && this.bits[i] === 1;
  }

  /** Mark `i` used; false if it was already used or out of bounds. */
  allocate(i: number): boolean {
    if (i < 0 || i >= this.size || this.bits[i] === 1) return false;
    this.bits[i] = 1;
    this.count++;
    return true;
  }

  /** A random free entry, upper band first; undefined when full. */
  allocateNext(): number | undefined {
    if (this.count >= this.size) return undefined;
    const split = this.offset > 0 && this.offset < this.size ? this.offset : 0;
    const found = this.scan(split, this.size) ?? (split > 0 ? this.scan(0, split) : undefined);
    if (found !== undefined) {
      this.bits[found] = 1;
      this.count++;
    }
    return found;
  }

  /** Free `i`; freeing an unused entry is a no-op. */
  release(i: number): void {
    if (i < 0 || i >= this.size || this.bits[i] !== 1) return;
    this.bits[i] = 0;
    this.count--;
  }

  used(): number {
    return this.count;
  }

  free(): number {
    return this.size - this.count;
  }

  /** Every used entry, ascending. */
  *entries(): IterableIterator<number> {
    for (let i = 0; i < this.size; i++) if (this.bits[i] === 1) yield i;
  }

  // Random start, then a linear probe with wrap-around inside [lo, hi).
  private scan(lo: number, hi: number): number | undefined {
    const n = hi - lo;
    if (n <= 0) return undefined;
    const start = Math.min(n - 1, Math.floor(this.random() * n));
    for (let k = 0; k < n; k++) {
      const i = lo + ((start + k) % n);
      if (this.bits[i] === 0) return i;
    }
    return undefined;
  }
}
