/**
 * IPv4 arithmetic for the node bridge, host-local IPAM and the route planner. Addresses are
 * unsigned 32-bit numbers; only what the pod network needs (no IPv6: pod CIDRs here are IPv4).
 */

export interface Ipv4Cidr {
  /** Network address (host bits cleared). */
  readonly network: number;
  readonly prefix: number;
}

/** `10.1.2.3` → number, or undefined when the text is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v;
}

export function formatIpv4(v: number): string {
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

/** `10.244.1.0/24` → network and prefix (host bits are cleared); undefined when malformed. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const addr = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > 32) return undefined;
  return { network: (addr & maskOf(prefix)) >>> 0, prefix };
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function cidrSize(c: Ipv4Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** The n-th address of the block (0 = network address). */
export function addressAt(c: Ipv4Cidr, n: number): string {
  return formatIpv4((c.network + n) >>> 0);
}

export function cidrContains(c: Ipv4Cidr, ip: string): boolean {
  const v = parseIpv4(ip);
  return v !== undefined && ((v & maskOf(c.prefix)) >>> 0) === c.network;
}

export function formatCidr(c: Ipv4Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}
