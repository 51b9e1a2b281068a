/**
 * Pod CIDR allocation for nodes (upstream `pkg/controller/nodeipam/ipam/cidrset`): the cluster
 * CIDR cut into equal subnets of `maskSize` bits; allocation scans from a rotating candidate
 * index (so a released subnet is not handed out again at once), occupancy can be rebuilt
 * from nodes that already have a podCIDR. IPv4 and IPv6; pure, no I/O.
 */

/** Upstream refuses cluster CIDRs that would hold more than 2^16 node subnets. */
const MAX_SUBNET_BITS = 16;

interface ParsedCidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
}

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(s: string): bigint | undefined {
  let text = s;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = parseIPv4(v4[1]);
    if (n === undefined) return undefined;
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR; the address is masked to the prefix. */
export function parseCidr(text: string): ParsedCidr | undefined {
  const [addr, len, ...extra] = text.trim().split('/');
  if (addr === undefined || len === undefined || extra.length > 0 || !/^\d{1,3}$/.test(len)) return undefined;
  const family: 4 | 6 = addr.includes(':') ? 6 : 4;
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(len);
  if (prefix > bits) return undefined;
  const ip = family === 4 ? parseIPv4(addr) : parseIPv6(addr);
  if (ip === undefined) return undefined;
  const hostBits = BigInt(bits - prefix);
  return { family, base: (ip >> hostBits) << hostBits, prefix };
}

function formatIPv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}

/** RFC 5952 text: lower case, longest run (≥2) of zero groups as `::`. */
function formatIPv6(v: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export class CidrSet {
  readonly clusterCidr: string;
  readonly family: 4 | 6;
  readonly maskSize: number;
  private readonly cluster: ParsedCidr;
  private readonly count: number;
  private readonly used = new Set<number>();
  private nextCandidate = 0;

  /** Throws when the cluster CIDR is malformed or the mask does not fit it. */
  constructor(clusterCidr: string, maskSize: number) {
    const c = parseCidr(clusterCidr);
    if (!c) throw new Error(`invalid cluster CIDR ${JSON.stringify(clusterCidr)}`);
    const bits = c.family === 4 ? 32 : 128;
    if (!Number.isInteger(maskSize) || maskSize < c.prefix || maskSize > bits) {
      throw new Error(`node CIDR mask size /${maskSize} does not fit the cluster CIDR ${clusterCidr}`);
    }
    if (maskSize - c.prefix > MAX_SUBNET_BITS) {
      throw new Error(`cluster CIDR ${clusterCidr} with node mask /${maskSize} holds more than 2^${MAX_SUBNET_BITS} subnets`);
    }
    this.clusterCidr = clusterCidr;
    this.cluster = c;
    this.family = c.family;
    this.maskSize = maskSize;
    this.count = 2 ** (maskSize - c.prefix);
  }

  /** Subnets in use. */
  get allocated(): number {
    return this.used.size;
  }

  private subnetText(index: number): string {
    const bits = this.family === 4 ? 32 : 128;
    const base = this.cluster.base + (BigInt(index) << BigInt(bits - this.maskSize));
    return `${this.family === 4 ? formatIPv4(base) : formatIPv6(base)}/${this.maskSize}`;
  }

  /** Index of `cidr` in this set, or undefined when it is not one of its subnets. */
  private indexOf(cidr: string): number | undefined {
    const p = parseCidr(cidr);
    if (!p || p.family !== this.family || p.prefix !== this.maskSize) return undefined;
    const bits = this.family === 4 ? 32 : 128;
    const offset = p.base - this.cluster.base;
    if (offset < 0n) return undefined;
    const index = offset >> BigInt(bits - this.maskSize);
    return index < BigInt(this.count) ? Number(index) : undefined;
  }

  /** True when `cidr` is a subnet of this set (used or not). */
  contains(cidr: string): boolean {
    return this.indexOf(cidr) !== undefined;
  }

  /** Marks a subnet used (a node already has it); false when it is not one of this set's subnets. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.used.add(i);
    return true;
  }

  /** The next free subnet, marked used; undefined when the range is exhausted. */
  allocateNext(): string | undefined {
    for (let n = 0; n < this.count; n++) {
      const i = (this.nextCandidate + n) % this.count;
      if (!this.used.has(i)) {
        this.used.add(i);
        this.nextCandidate = (i + 1) % this.count;
        return this.subnetText(i);
      }
    }
    return undefined;
  }

  /** Frees a subnet (its node is gone). */
  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.delete(i);
  }
}
