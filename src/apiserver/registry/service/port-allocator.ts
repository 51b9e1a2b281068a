/**
 * NodePort allocation over a port range, after upstream's portallocator
 * (pkg/registry/core/service/portallocator): one pool of port numbers shared by
 * all protocols, a static band at the bottom of the range for explicitly
 * requested ports (size min(max(16, size/32), 128)), random dynamic allocation
 * preferring the upper band.
 */
import { RangeBitmap } from './range-bitmap.js';

export type PortAllocateResult =
  | { readonly ok: true; readonly port: number }
  | { readonly ok: false; readonly reason: 'not-in-range' | 'already-allocated' | 'full'; readonly message: string };

/** Upstream ErrAllocated text for ports. */
export const PORT_ALREADY_ALLOCATED = 'provided port is already allocated';

export interface PortRange {
  readonly base: number;
  readonly size: number;
  /** `30000-32767`, as upstream's net.PortRange prints it. */
  readonly text: string;
}

/** Parse `low-high` (or a single port). Throws on malformed input: this is configuration. */
export function parsePortRange(range: string): PortRange {
  const m = /^\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?$/.exec(range);
  const low = m ? Number(m[1]) : NaN;
  const high = m?.[2] !== undefined ? Number(m[2]) : low;
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 1 || high > 65535 || high < low) {
    throw new Error(`invalid port range ${JSON.stringify(range)}`);
  }
  return { base: low, size: high - low + 1, text: `${low}-${high}` };
}

/** Upstream calculateRangeOffset for node ports: min(max(16, size/32), 128), 0 for tiny ranges. */
export function nodePortStaticBandSize(size: number): number {
  const min = 16;
  const max = 128;
  const step = 32;
  if (size <= min) return 0;
  return Math.min(Math.max(min, Math.floor(size / step)), max);
}

export class NodePortAllocator {
  readonly range: PortRange;
  private readonly bitmap: RangeBitmap;

  /**
   * @param range e.g. `30000-32767`
   * @param opts.random randomness source for dynamic allocation (tests)
   */
  constructor(range: string, opts: { random?: () => number } = {}) {
    this.range = parsePortRange(range);
    this.bitmap = new RangeBitmap(this.range.size, nodePortStaticBandSize(this.range.size), opts.random);
  }

  /** Size of the static band (lowest ports). */
  staticBandSize(): number {
    return this.bitmap.offset;
  }

  private offsetOf(port: number): number | undefined {
    const off = port - this.range.base;
    return Number.isInteger(port) && off >= 0 && off < this.range.size ? off : undefined;
  }

  /** Reserve a specific port: fails with `not-in-range` or `already-allocated` (upstream texts). */
  allocate(port: number): PortAllocateResult {
    const off = this.offsetOf(port);
    if (off === undefined) {
      return {
        ok: false,
        reason: 'not-in-range',
        message: `provided port is not in the valid range. The range of valid ports is ${this.range.text}`,
      };
    }
    if (!this.bitmap.allocate(off)) return { ok: false, reason: 'already-allocated', message: PORT_ALREADY_ALLOCATED };
    return { ok: true, port };
  }

  /** Reserve a random free port, preferring the dynamic (upper) band. */
  allocateNext(): PortAllocateResult {
    const off = this.bitmap.allocateNext();
    if (off === undefined) return { ok: false, reason: 'full', message: 'range is full' };
    return { ok: true, port: this.range.base + off };
  }

  /** Return a port to the pool; unknown or out-of-range ports are ignored. */
  release(port: number): void {
    const off = this.offsetOf(port);
    if (off !== undefined) this.bitmap.release(off);
  }

  has(port: number): boolean {
    const off = this.offsetOf(port);
    return off !== undefined && this.bitmap.has(off);
  }

  used(): number {
    return this.bitmap.used();
  }

  free(): number {
    return this.bitmap.free();
  }

  /** Every allocated port, ascending. */
  allocated(): number[] {
    return [...this.bitmap.entries()].map((off) => this.range.base + off);
  }
}
