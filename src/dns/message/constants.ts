/** DNS numbers from RFC 1035, RFC 3596 (AAAA), RFC 2782 (SRV), RFC 6891 (OPT). */

export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  DNAME: 39,
  OPT: 41,
  DS: 43,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  SVCB: 64,
  HTTPS: 65,
  CAA: 257,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const RRClass = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

/** Response codes; values above 15 need the EDNS extended-rcode bits. */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

const TYPE_NAMES = new Map<number, string>(Object.entries(RRType).map(([k, v]) => [v, k]));
const TYPE_NUMBERS = new Map<string, number>(Object.entries(RRType));
const RCODE_NAMES = new Map<number, string>([
  ...Object.entries(Rcode).map(([k, v]) => [v, k] as [number, string]),
  [6, 'YXDOMAIN'],
  [7, 'YXRRSET'],
  [8, 'NXRRSET'],
  [9, 'NOTAUTH'],
  [10, 'NOTZONE'],
]);
const CLASS_NAMES = new Map<number, string>(Object.entries(RRClass).map(([k, v]) => [v, k]));

/** `A`, `AAAA`, ... or RFC 3597 `TYPE1234` for numbers without a mnemonic. */
export function typeName(t: number): string {
  return TYPE_NAMES.get(t) ?? `TYPE${t}`;
}

/** Inverse of typeName (case-insensitive); undefined for unknown mnemonics. */
export function typeNumber(name: string): number | undefined {
  const upper = name.toUpperCase();
  const known = TYPE_NUMBERS.get(upper);
  if (known !== undefined) return known;
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  if (m?.[1] === undefined) return undefined;
  const n = Number(m[1]);
  return n <= 0xffff ? n : undefined;
}

export function rcodeName(r: number): string {
  return RCODE_NAMES.get(r) ?? `RCODE${r}`;
}

export function className(c: number): string {
  return CLASS_NAMES.get(c) ?? `CLASS${c}`;
}
