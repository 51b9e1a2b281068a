/**
 * Host-local IPAM (the CNI `host-local` plugin's scheme): one file per allocated address in a
 * folder per range, named by the address and holding the owner (pod uid). Files are created
 * with O_EXCL, so two allocators can never hand out the same address, and the folder is the
 * state an agent adopts after a restart. The network address, the gateway (first address)
 * and the broadcast address are never handed out. Allocation continues after the last
 * address handed out (stored in `last_reserved_ip`), so a just-released address is not reused
 * at once (stale conntrack entries and ARP caches would still point at the old pod).
 */
import { mkdir, open, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addressAt, cidrContains, cidrSize, formatCidr, parseIpv4, type Ipv4Cidr } from './ipv4.js';

const LAST_RESERVED = 'last_reserved_ip';

export class RangeFullError extends Error {}

export class HostLocalIpam {
  private readonly dir: string;
  private chain: Promise<unknown> = Promise.resolve();

  /** `dataDir` holds one folder per range (`10.244.1.0_24`). */
  constructor(
    dataDir: string,
    private readonly range: Ipv4Cidr,
  ) {
    this.dir = join(dataDir, formatCidr(range).replace('/', '_'));
  }

  /** The gateway address (the node bridge's address): the range's first host address. */
  get gateway(): string {
    return addressAt(this.range, 1);
  }

  /** The address owned by `owner`, allocating one when it has none. Throws RangeFullError. */
  allocate(owner: string): Promise<string> {
    return this.serialized(async () => {
      const current = await this.allocationsUnlocked();
      for (const [ip, o] of current) if (o === owner) return ip;
      await mkdir(this.dir, { recursive: true });
      const size = cidrSize(this.range);
      const first = 2;
      const last = size - 2;
      if (last < first) throw new RangeFullError(`range ${formatCidr(this.range)} has no addresses for pods`);
      const lastReserved = await this.lastReserved();
      const start = lastReserved !== undefined && lastReserved >= first && lastReserved < last ? lastReserved + 1 : first;
      const count = last - first + 1;
      for (let i = 0; i < count; i++) {
        const n = first + ((start - first + i) % count);
        const ip = addressAt(this.range, n);
        if (current.has(ip)) continue;
        try {
          const fh = await open(join(this.dir, ip), 'wx');
          await fh.writeFile(`${owner}\n`);
          await fh.close();
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw e;
        }
        await writeFile(join(this.dir, LAST_RESERVED), `${ip}\n`);
        return ip;
      }
      throw new RangeFullError(`no free address left in ${formatCidr(this.range)}`);
    });
  }

  /** Release every address owned by `owner`. Idempotent. */
  release(owner: string): Promise<void> {
    return this.serialized(async () => {
      for (const [ip, o] of await this.allocationsUnlocked()) {
        if (o === owner) await unlink(join(this.dir, ip)).catch(() => undefined);
      }
    });
  }

  /** Address → owner, as recorded on disk. */
  allocations(): Promise<Map<string, string>> {
    return this.serialized(() => this.allocationsUnlocked());
  }

  private async allocationsUnlocked(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return out;
    }
    for (const name of names) {
      if (parseIpv4(name) === undefined || !cidrContains(this.range, name)) continue;
      const owner = (await readFile(join(this.dir, name), 'utf8').catch(() => '')).trim();
      out.set(name, owner);
    }
    return out;
  }

  private async lastReserved(): Promise<number | undefined> {
    const text = (await readFile(join(this.dir, LAST_RESERVED), 'utf8').catch(() => '')).trim();
    const v = parseIpv4(text);
    if (v === undefined || !cidrContains(this.range, text)) return undefined;
    return v - this.range.network;
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
