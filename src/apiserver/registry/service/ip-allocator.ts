/**
 * Service ClusterIP allocation over one IPv4 CIDR, after upstream's bitmap
 * allocator (pkg/registry/core/service/ipallocator/bitmap.go): the network and
 * broadcast addresses are never handed out, the lowest addresses form a static
 * band for explicitly requested IPs (size min(max(16, cidrSize/16), 256)), and
 * dynamic allocation is random within the upper band first.
 */
import { parseIPv4Sloppy } from '../../validation/names.js';
import { RangeBitmap } from './range-bitmap.js';

export type IPAllocationFailure =
  | { readonly ok: false; readonly reason: 'not-in-range'; readonly message: string }
  | { readonly ok: false; readonly reason: 'already-allocated'; readonly message: string }
  | { readonly ok: false; readonly reason: 'full'; readonly message: string };

export type IPAllocateResult = { readonly ok: true; readonly ip: string } | IPAllocationFailure;

/** Upstream ErrAllocated text. */
export const IP_ALREADY_ALLOCATED = 'provided IP is already allocated';
/** Upstream ErrFull text. */
export const RANGE_FULL = 'range is full';

export interface ParsedCIDR {
  /** Network address as a 32-bit number. */
  readonly network: number;
  readonly prefix: number;
  /** Number of addresses in the CIDR. */
  readonly size: number;
  /** Canonical text, e.g. `10.96.0.0/12` (host bits cleared, as Go prints it). */
  readonly text: string;
}

/** Dotted-quad text of a 32-bit number. */
export function ipv4ToString(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parse `a.b.c.d/n` (IPv4 only). Throws on malformed input: this is configuration, not user data. */
export function parseIPv4CIDR(cidr: string): ParsedCIDR {
  const slash = cidr.indexOf('/');
  const addr = slash < 0 ? null : parseIPv4Sloppy(cidr.slice(0, slash));
  const prefixText = slash < 0 ? '' : cidr.slice(slash + 1);
  if (addr === null || !/^[0-9]{1,2}$/.test(prefixText) || Number(prefixText) > 32) {
    throw new Error(`invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
  }
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(addr / size) * size;
  return { network, prefix, size, text: `${ipv4ToString(network)}/${prefix}` };
}

/** Upstream calculateRangeOffset for service CIDRs: min(max(16, size/16), 256), 0 for tiny ranges. */
export function serviceIPStaticBandSize(cidrSize: number): number {
  const min = 16;
  const max = 256;
  const step = 16;
  if (cidrSize <= min) return 0;
  return Math.min(Math.max(min, Math.floor(cidrSize / step)), max);
}

export class ClusterIPAllocator {
  readonly cidr: ParsedCIDR;
  /** First allocatable address (network + 1). */
  private readonly base: number;
  private readonly bitmap: RangeBitmap;

  /**
   * @param cidr the service CIDR, e.g. `10.96.0.0/12`
   * @param opts.random randomness source for dynamic allocation (tests)
   */
  constructor(cidr: string, opts: { random?: () => number } = {}) {
    this.cidr = parseIPv4CIDR(cidr);
    this.base = this.cidr.network + 1;
    // Neither the network address nor the broadcast address is allocatable.
    const max = Math.max(0, this.cidr.size - 2);
    this.bitmap = new RangeBitmap(max, serviceIPStaticBandSize(this.cidr.size), opts.random);
  }

  /** The first usable address; the `kubernetes` Service takes it. */
  firstIP(): string {
    return ipv4ToString(this.base);
  }

  /** Size of the static band (lowest offsets, used by explicit requests). */
  staticBandSize(): number {
    return this.bitmap.offset;
  }

  /** Offset of `ip` in the bitmap, or undefined when outside the allocatable range. */
  private offsetOf(n: number): number | undefined {
    const off = n - this.base;
    return off >= 0 && off < this.bitmap.size ? off : undefined;
  }

  /**
   * Reserve a specific IP. Fails with `not-in-range` (upstream ErrNotInRange
   * text, which names the CIDR) or `already-allocated`.
   */
  allocate(ip: string): IPAllocateResult {
    const n = parseIPv4Sloppy(ip);
    const shown = n === null ? ip : ipv4ToString(n);
    const off = n === null ? undefined : this.offsetOf(n);
    if (off === undefined) {
      return {
        ok: false,
        reason: 'not-in-range',
        message: `the provided IP (${shown}) is not in the valid range. The range of valid IPs is ${this.cidr.text}`,
      };
    }
    if (!this.bitmap.allocate(off)) return { ok: false, reason: 'already-allocated', message: IP_ALREADY_ALLOCATED };
    return { ok: true, ip: shown };
  }

  /** Reserve a random free IP, preferring the dynamic (upper) band. */
  allocateNext(): IPAllocateResult {
    const off = this.bitmap.allocateNext();
    if (off === undefined) return { ok: false, reason: 'full', message: RANGE_FULL };
    return { ok: true, ip: ipv4ToString(this.base + off) };
  }

  /** Return an IP to the pool; unknown or out-of-range IPs are ignored. */
  release(ip: string): void {
    const n = parseIPv4Sloppy(ip);
    const off = n === null ? undefined : this.offsetOf(n);
    if (off !== undefined) this.bitmap.release(off);
  }

  /** Whether `ip` is currently allocated. */
  has(ip: string): boolean {
    const n = parseIPv4Sloppy(ip);
    const off = n === null ? undefined : this.offsetOf(n);
    return off !== undefined && this.bitmap.has(off);
  }

  /** Whether `ip` lies in the allocatable part of the CIDR. */
  contains(ip: string): boolean {
    const n = parseIPv4Sloppy(ip);
    return n !== null && this.offsetOf(n) !== undefined;
  }

  used(): number {
    return this.bitmap.used();
  }

  free(): number {
    return this.bitmap.free();
  }

  /** Every allocated IP, ascending. */
  allocated(): string[] {
    return [...this.bitmap.entries()].map((off) => ipv4ToString(this.base + off));
  }
}
