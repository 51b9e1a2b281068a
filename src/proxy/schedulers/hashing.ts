/**
 * IPVS source hashing (sh) and destination hashing (dh): a 256-bucket table
 * filled with the servers in order, then indexed by a hash of the client
 * (sh) or the virtual (dh) address. On retry (excluded servers) the next
 * buckets are walked, like sh's fallback flag.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { type RealServer, type ScheduleRequest, type Scheduler, eligible, listSignature } from './scheduler.js';

const TAB_BITS = 8;
const TAB_SIZE = 1 << TAB_BITS;
const GOLDEN_RATIO_32 = 0x61c88647;

/** An address folded to 32 bits: IPv4 as a number, IPv6 as the XOR of its four words. */
export function foldAddress(ip: string): number {
  if (isIPv4(ip)) return ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
  if (!isIPv6(ip)) return 0;
  const [head = '', tail = ''] = ip.split('::');
  const parse = (s: string): number[] => (s ? s.split(':').map((g) => parseInt(g, 16) || 0) : []);
  let h = parse(head);
  let t = parse(tail);
  // An embedded IPv4 suffix (::ffff:1.2.3.4) counts as two groups.
  const fix = (g: number[], raw: string): number[] => {
    const last = raw.split(':').pop() ?? '';
    if (!isIPv4(last)) return g;
    const v = foldAddress(last);
    return [...g.slice(0, -1), v >>> 16, v & 0xffff];
  };
  h = fix(h, head);
  t = fix(t, tail);
  const groups = ip.includes('::') ? [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  let folded = 0;
  for (let i = 0; i < 8; i += 2) folded ^= (((groups[i] ?? 0) << 16) | (groups[i + 1] ?? 0)) >>> 0;
  return folded >>> 0;
}

/** Linux hash_32(). */
function hash32(val: number, bits: number): number {
  return Math.imul(val >>> 0, GOLDEN_RATIO_32) >>> (32 - bits);
}

abstract class HashTableScheduler implements Scheduler {
  abstract readonly name: 'sh' | 'dh';
  private signature = '';
  private table: (RealServer | undefined)[] = [];

  protected abstract bucket(req: ScheduleRequest): number;
  protected abstract fill(servers: readonly RealServer[]): (RealServer | undefined)[];

  pick(servers: readonly RealServer[], req: ScheduleRequest): RealServer | undefined {
    const sig = listSignature(servers);
    if (sig !== this.signature) {
      this.signature = sig;
      this.table = this.fill(servers.filter((s) => s.weight > 0));
    }
    const start = this.bucket(req);
    for (let i = 0; i < TAB_SIZE; i++) {
      const s = this.table[(start + i) % TAB_SIZE];
      if (s && eligible(s, req)) return s;
    }
    return undefined;
  }
}

/** Source hashing: a client address always maps to the same server while the list is unchanged. */
export class SourceHashScheduler extends HashTableScheduler {
  readonly name = 'sh' as const;
  protected bucket(req: ScheduleRequest): number {
    return hash32(foldAddress(req.clientIP), TAB_BITS) & (TAB_SIZE - 1);
  }
  /** Each server takes `weight` consecutive buckets in turn (ip_vs_sh_reassign). */
  protected fill(servers: readonly RealServer[]): (RealServer | undefined)[] {
    const table: (RealServer | undefined)[] = [];
    if (servers.length === 0) return table;
    let i = 0;
    let count = 0;
    for (let b = 0; b < TAB_SIZE; b++) {
      const s = servers[i];
      table.push(s);
      if (s && ++count >= s.weight) {
        i = (i + 1) % servers.length;
        count = 0;
      }
    }
    return table;
  }
}

/** Destination hashing: all clients of one virtual address go to the same server. */
export class DestinationHashScheduler extends HashTableScheduler {
  readonly name = 'dh' as const;
  protected bucket(req: ScheduleRequest): number {
    return Math.imul(foldAddress(req.vip), 2654435761 | 0) >>> 0 & (TAB_SIZE - 1);
  }
  protected fill(servers: readonly RealServer[]): (RealServer | undefined)[] {
    const table: (RealServer | undefined)[] = [];
    if (servers.length === 0) return table;
    for (let b = 0; b < TAB_SIZE; b++) table.push(servers[b % servers.length]);
    return table;
  }
}
