/**
 * The DNS message model shared by the codec, the record logic and the server.
 * Names are presentation text, fully qualified with a trailing dot (`web.default.svc.cluster.local.`),
 * case kept as sent; special bytes in labels are escaped (`\.`, `\\`, `\DDD`) so that text and
 * wire form round-trip.
 */

export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

/** Record data, by shape. Types the codec does not model travel as `raw` bytes (RFC 3597). */
export type RData =
  | { readonly kind: 'address'; readonly address: string } // A (dotted quad) or AAAA (RFC 5952 text)
  | { readonly kind: 'name'; readonly target: string } // CNAME, PTR, NS, DNAME
  | { readonly kind: 'mx'; readonly preference: number; readonly exchange: string }
  | { readonly kind: 'srv'; readonly priority: number; readonly weight: number; readonly port: number; readonly target: string }
  | { readonly kind: 'txt'; readonly texts: readonly string[] } // each string latin1, at most 255 bytes
  | {
      readonly kind: 'soa';
      readonly mname: string;
      readonly rname: string;
      readonly serial: number;
      readonly refresh: number;
      readonly retry: number;
      readonly expire: number;
      readonly minimum: number;
    }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

export interface ResourceRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly data: RData;
}

export interface EdnsOption {
  readonly code: number;
  readonly data: Uint8Array;
}

/** The OPT pseudo-record (RFC 6891), lifted out of the additional section. */
export interface Edns {
  /** Requestor's (or our) UDP payload size. */
  readonly udpSize: number;
  readonly version: number;
  readonly dnssecOk: boolean;
  readonly options: readonly EdnsOption[];
}

export interface Flags {
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly ad: boolean;
  readonly cd: boolean;
}

export interface Message {
  readonly id: number;
  readonly flags: Flags;
  /** Full 12-bit rcode: the low 4 bits from the header, the high 8 from OPT when present. */
  readonly rcode: number;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  /** Additional records without the OPT record. */
  readonly additionals: readonly ResourceRecord[];
  readonly edns?: Edns;
}

export const NO_FLAGS: Flags = { qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, ad: false, cd: false };

/** A query message with one question (and EDNS0 unless `edns` is false). */
export function makeQuery(opts: { id: number; name: string; type: number; class?: number; rd?: boolean; edns?: Edns | false }): Message {
  return {
    id: opts.id,
    flags: { ...NO_FLAGS, rd: opts.rd ?? true },
    rcode: 0,
    questions: [{ name: opts.name, type: opts.type, class: opts.class ?? 1 }],
    answers: [],
    authorities: [],
    additionals: [],
    ...(opts.edns === false ? {} : { edns: opts.edns ?? { udpSize: 1232, version: 0, dnssecOk: false, options: [] } }),
  };
}
