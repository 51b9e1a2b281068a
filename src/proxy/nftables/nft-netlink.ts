/**
 * Element-only transactions without nft(8): the nf_tables netlink messages for
 * adding and deleting elements of the endpoint slot maps and the hairpin set,
 * as one batch (one kernel transaction, all or nothing, like `nft -f`).
 *
 * Why: nft 1.0.6 fetches every chain of the table before it runs any command
 * (its cache), which at 10,000 Services is ~650 KB of netlink dump and ~20 ms
 * of CPU — most of the cost of replacing one endpoint. The kernel itself
 * commits the elements in well under a millisecond. Anything else (rules,
 * chains, sets, verdict maps) still goes through nft.
 *
 * Layouts (what nft sends for the same commands; `nft --debug=netlink`):
 * - slot map key `numgen random mod N` — a 32-bit register in host byte order;
 * - slot map data `ip daddr . tcp dport` — IPv4 (4 bytes, network order) then
 *   the port (2 bytes, network order) padded to the 4-byte register;
 * - hairpin set key `ipv4_addr . ipv4_addr` — two IPv4 addresses.
 */
import { isIPv4 } from 'node:net';
import { endianness } from 'node:os';
import { SLOT_MAP_PREFIX } from './endpoint-slots.js';
import { HAIRPIN_SET, NFT_TABLE, type NftElement } from './nft-rules.js';

// linux/netlink.h, linux/netfilter/nfnetlink.h, linux/netfilter/nf_tables.h
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_CREATE = 0x400;
const NLA_F_NESTED = 0x8000;
export const NLMSG_ERROR = 2;
const NFNL_MSG_BATCH_BEGIN = 0x10;
const NFNL_MSG_BATCH_END = 0x11;
const NFNL_SUBSYS_NFTABLES = 10;
const NFT_MSG_NEWSETELEM = 12;
const NFT_MSG_DELSETELEM = 14;
const NFT_MSG_GETGEN = 16;
const NFPROTO_IPV4 = 2;
const AF_UNSPEC = 0;
const NFTA_SET_ELEM_LIST_TABLE = 1;
const NFTA_SET_ELEM_LIST_SET = 2;
const NFTA_SET_ELEM_LIST_ELEMENTS = 3;
const NFTA_LIST_ELEM = 1;
const NFTA_SET_ELEM_KEY = 1;
const NFTA_SET_ELEM_DATA = 2;
const NFTA_DATA_VALUE = 1;

const align4 = (n: number): number => (n + 3) & ~3;

/** One netlink attribute (header + payload, padded). */
function attr(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const b = Buffer.alloc(align4(len));
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  payload.copy(b, 4);
  return b;
}

const nested = (type: number, children: readonly Buffer[]): Buffer => attr(type | NLA_F_NESTED, Buffer.concat(children));
const cstring = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');

/** nlmsghdr + nfgenmsg + attributes. Netlink headers are host byte order; nfgenmsg.res_id is big endian. */
function message(type: number, flags: number, seq: number, family: number, resId: number, body: Buffer): Buffer {
  const head = Buffer.alloc(20);
  const len = 20 + body.length;
  head.writeUInt32LE(len, 0);
  head.writeUInt16LE(type, 4);
  head.writeUInt16LE(flags, 6);
  head.writeUInt32LE(seq >>> 0, 8);
  head.writeUInt32LE(0, 12);
  head.writeUInt8(family, 16);
  head.writeUInt8(0, 17); // NFNETLINK_V0
  head.writeUInt16BE(resId, 18);
  return Buffer.concat([head, body]);
}

function ipv4(text: string): Buffer | undefined {
  if (!isIPv4(text)) return undefined;
  return Buffer.from(text.split('.').map(Number));
}

/** A set element as netlink values (key, and data for maps). */
export interface NetlinkElement {
  readonly set: string;
  readonly key: Buffer;
  readonly data?: Buffer;
}

/**
 * The netlink form of an element of a set whose layout is known here (slot
 * maps, the hairpin set); undefined for anything else, which nft handles.
 */
export function netlinkElement(e: NftElement): NetlinkElement | undefined {
  if (endianness() !== 'LE') return undefined;
  if (e.map.startsWith(SLOT_MAP_PREFIX)) {
    if (!/^\d+$/.test(e.key) || e.value === undefined) return undefined;
    const slot = Number(e.key);
    if (slot > 0xffffffff) return undefined;
    const m = /^(\S+) \. (\d+)$/.exec(e.value);
    const ip = m?.[1] !== undefined ? ipv4(m[1]) : undefined;
    const port = Number(m?.[2]);
    if (!ip || !(port >= 0 && port <= 65535)) return undefined;
    const key = Buffer.alloc(4);
    key.writeUInt32LE(slot, 0);
    const data = Buffer.alloc(8);
    ip.copy(data, 0);
    data.writeUInt16BE(port, 4);
    return { set: e.map, key, data };
  }
  if (e.map === HAIRPIN_SET) {
    if (e.value !== undefined) return undefined;
    const m = /^(\S+) \. (\S+)$/.exec(e.key);
    const a = m?.[1] !== undefined ? ipv4(m[1]) : undefined;
    const b = m?.[2] !== undefined ? ipv4(m[2]) : undefined;
    if (!a || !b) return undefined;
    return { set: e.map, key: Buffer.concat([a, b]) };
  }
  return undefined;
}

export interface ElementOp {
  readonly verb: 'add' | 'delete';
  readonly element: NetlinkElement;
}

/** What one batch is made of: the bytes to send, and what each sequence number stands for. */
export interface NetlinkBatch {
  readonly batch: Buffer;
  /** A GETGEN request sent after the batch: its answer means every error of the batch has arrived. */
  readonly marker: Buffer;
  readonly markerSeq: number;
  /** seq → description (`add element ip kube-proxy endpoint-slots-tcp-0`), for error messages. */
  readonly described: ReadonlyMap<number, string>;
}

/** Elements per message: keeps each message well inside one netlink page. */
const ELEMENTS_PER_MESSAGE = 64;

/**
 * One transaction: deletes before adds (an element that changes value is
 * deleted and added again, as in the nft script), grouped per set and verb.
 */
export function encodeElementBatch(ops: readonly ElementOp[], firstSeq: number, table: string = NFT_TABLE): NetlinkBatch {
  let seq = firstSeq >>> 0;
  const parts: Buffer[] = [message(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, Buffer.alloc(0))];
  const described = new Map<number, string>();
  for (const verb of ['delete', 'add'] as const) {
    const bySet = new Map<string, NetlinkElement[]>();
    for (const op of ops) {
      if (op.verb !== verb) continue;
      const list = bySet.get(op.element.set) ?? [];
      list.push(op.element);
      bySet.set(op.element.set, list);
    }
    for (const [set, elements] of bySet) {
      for (let i = 0; i < elements.length; i += ELEMENTS_PER_MESSAGE) {
        const list = elements.slice(i, i + ELEMENTS_PER_MESSAGE).map((e) =>
          nested(NFTA_LIST_ELEM, [
            nested(NFTA_SET_ELEM_KEY, [attr(NFTA_DATA_VALUE, e.key)]),
            ...(verb === 'add' && e.data ? [nested(NFTA_SET_ELEM_DATA, [attr(NFTA_DATA_VALUE, e.data)])] : []),
          ]),
        );
        const body = Buffer.concat([attr(NFTA_SET_ELEM_LIST_TABLE, cstring(table)), attr(NFTA_SET_ELEM_LIST_SET, cstring(set)), nested(NFTA_SET_ELEM_LIST_ELEMENTS, list)]);
        const type = (NFNL_SUBSYS_NFTABLES << 8) | (verb === 'add' ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
        const flags = NLM_F_REQUEST | NLM_F_ACK | (verb === 'add' ? NLM_F_CREATE : 0);
        described.set(seq, `${verb} element ip ${table} ${set}`);
        parts.push(message(type, flags, seq++, NFPROTO_IPV4, 0, body));
      }
    }
  }
  parts.push(message(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, Buffer.alloc(0)));
  const markerSeq = seq++;
  const marker = message((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN, NLM_F_REQUEST, markerSeq, AF_UNSPEC, 0, Buffer.alloc(0));
  return { batch: Buffer.concat(parts), marker, markerSeq, described };
}

/** strerror for the errnos a set element transaction can meet. */
export function errnoText(errno: number): string {
  const known: Record<number, string> = {
    1: 'Operation not permitted',
    2: 'No such file or directory',
    12: 'Cannot allocate memory',
    16: 'Device or resource busy',
    17: 'File exists',
    22: 'Invalid argument',
    28: 'No space left on device',
    34: 'Numerical result out of range',
    105: 'No buffer space available',
  };
  return known[errno] ?? `errno ${errno}`;
}
