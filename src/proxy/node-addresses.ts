/** Which local addresses NodePorts are served on (kube-proxy --nodeport-addresses). */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { IPFamily } from './types.js';

export type InterfaceLister = () => NodeJS.Dict<{ address: string; family: string | number; internal: boolean }[]>;

/**
 * Local addresses of `family` inside any of `cidrs`. Without CIDRs: every
 * non-loopback address (NodePorts on localhost need an explicit
 * `127.0.0.0/8`, as in the nftables mode). Sorted, de-duplicated.
 */
export function resolveNodePortAddresses(cidrs: readonly string[], family: IPFamily, list: InterfaceLister = networkInterfaces): string[] {
  const want = family === 'IPv4' ? isIPv4 : isIPv6;
  const all: string[] = [];
  for (const addrs of Object.values(list())) for (const a of addrs ?? []) if (want(a.address)) all.push(a.address);
  let picked: string[];
  if (cidrs.length === 0) {
    picked = all.filter((ip) => !(ip.startsWith('127.') || ip === '::1'));
  } else {
    const bl = new BlockList();
    for (const c of cidrs) {
      const [net = '', bits] = c.split('/');
      const fam = isIPv6(net) ? 'ipv6' : 'ipv4';
      if (!isIPv4(net) && !isIPv6(net)) continue;
      bl.addSubnet(net, Number(bits ?? (fam === 'ipv6' ? 128 : 32)), fam);
    }
    picked = all.filter((ip) => bl.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4'));
  }
  return [...new Set(picked)].sort();
}

/** Parses `--nodeport-addresses` (comma separated CIDRs); throws on a malformed entry. */
export function parseNodePortAddresses(raw: string): string[] {
  const out: string[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [net = '', bits] = part.split('/');
    const max = isIPv4(net) ? 32 : isIPv6(net) ? 128 : -1;
    const n = Number(bits);
    if (max < 0 || bits === undefined || !Number.isInteger(n) || n < 0 || n > max) throw new Error(`invalid CIDR ${JSON.stringify(part)} in --nodeport-addresses`);
    out.push(part);
  }
  return out;
}
