/** Reverse-lookup names (RFC 1035 in-addr.arpa, RFC 3596 ip6.arpa) ↔ IP addresses. */
import { formatIPv6, parseIPv4, parseIPv6 } from '../message/ip.js';

export const IN_ADDR_ARPA = 'in-addr.arpa.';
export const IP6_ARPA = 'ip6.arpa.';

/**
 * The address a full reverse name stands for (`4.3.2.1.in-addr.arpa.` → `1.2.3.4`), or undefined
 * for partial or malformed names. Input is canonical (lower case, trailing dot).
 */
export function reverseToIP(name: string): string | undefined {
  if (name.endsWith(`.${IN_ADDR_ARPA}`)) {
    const labels = name.slice(0, -IN_ADDR_ARPA.length - 1).split('.');
    if (labels.length !== 4) return undefined;
    const ip = labels.reverse().join('.');
    return parseIPv4(ip) ? ip : undefined;
  }
  if (name.endsWith(`.${IP6_ARPA}`)) {
    const labels = name.slice(0, -IP6_ARPA.length - 1).split('.');
    if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return undefined;
    const hex = labels.reverse().join('');
    return formatIPv6(Uint8Array.from(Buffer.from(hex, 'hex')));
  }
  return undefined;
}

/** The reverse name of an address (`1.2.3.4` → `4.3.2.1.in-addr.arpa.`), or undefined. */
export function ipToReverse(ip: string): string | undefined {
  const v4 = parseIPv4(ip);
  if (v4) return `${[...v4].reverse().join('.')}.${IN_ADDR_ARPA}`;
  const v6 = parseIPv6(ip);
  if (!v6) return undefined;
  return `${Buffer.from(v6).toString('hex').split('').reverse().join('.')}.${IP6_ARPA}`;
}
