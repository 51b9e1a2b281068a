/**
 * Pod addresses from the node's pod CIDR (host-local IPAM style): the network address, the
 * first address (the bridge gateway in the netns runtime) and the broadcast address are never
 * handed out; each pod uid keeps its address until released; state is a JSON file so
 * addresses survive agent restarts. IPv4 only.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return (((parts[0] ?? 0) << 24) >>> 0) + ((parts[1] ?? 0) << 16) + ((parts[2] ?? 0) << 8) + (parts[3] ?? 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** 10.244.1.5 → 127.244.1.5: the loopback address the rootless runtime serves a pod IP on. */
export function loopbackFor(ip: string): string {
  const [, b, c, d] = ip.split('.');
  return `127.${b}.${c}.${d}`;
}

export class PodAddressPool {
  private readonly first: number;
  private readonly last: number;
  private readonly byUid = new Map<string, string>();

  constructor(
    readonly cidr: string,
    private readonly stateFile: string,
  ) {
    const [base = '', bitsText = ''] = cidr.split('/');
    const bits = Number(bitsText);
    if (!Number.isInteger(bits) || bits < 8 || bits > 30) throw new Error(`pod CIDR ${cidr}: need an IPv4 prefix between /8 and /30`);
    const size = 2 ** (32 - bits);
    const network = ipToInt(base) - (ipToInt(base) % size);
    this.first = network + 2;
    this.last = network + size - 2;
    if (existsSync(stateFile)) {
      const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { cidr?: string; pods?: Record<string, string> };
      // A node that got another pod CIDR starts over.
      if (saved.cidr === cidr) for (const [uid, ip] of Object.entries(saved.pods ?? {})) this.byUid.set(uid, ip);
    }
  }

  /** The uid's address, allocating the lowest free one. Throws when the range is full. */
  allocate(uid: string): string {
    const have = this.byUid.get(uid);
    if (have) return have;
    const used = new Set(this.byUid.values());
    for (let n = this.first; n <= this.last; n++) {
      const ip = intToIp(n);
      if (used.has(ip)) continue;
      this.byUid.set(uid, ip);
      this.save();
      return ip;
    }
    throw new Error(`no free pod address left in ${this.cidr}`);
  }

  get(uid: string): string | undefined {
    return this.byUid.get(uid);
  }

  release(uid: string): void {
    if (this.byUid.delete(uid)) this.save();
  }

  private save(): void {
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify({ cidr: this.cidr, pods: Object.fromEntries(this.byUid) }, null, 1));
    renameSync(tmp, this.stateFile);
  }
}
