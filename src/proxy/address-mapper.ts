/**
 * Where the userspace dataplane listens for a virtual address, and which
 * address it dials for an endpoint.
 *
 * - IdentityAddressMapper: listen on the Service address itself. That address
 *   must be local: either someone configured it, or (root, inside a network
 *   namespace that is verifiably not the host's) the NetnsAddressManager adds
 *   each one as a /32 on `lo` while it is in use.
 * - LoopbackAddressMapper — the ROOTLESS mode: a virtual IPv4 address
 *   a.b.c.d is served on 127.b.c.d (10.96.0.10 → 127.96.0.10). Linux treats
 *   all of 127.0.0.0/8 as local, so any user can listen there without
 *   configuring anything. Clients must use the mapped address. Caveats: two
 *   virtual addresses that differ only in the first octet collide; IPv6 is not
 *   mapped; ports below 1024 still need privilege
 *   (net.ipv4.ip_unprivileged_port_start). With `mapEndpoints`, endpoint
 *   addresses are mapped the same way (a whole "cluster" on loopback, for
 *   tests: EndpointSlices carry valid pod IPs, backends listen on 127.x).
 */
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';

export interface AddressMapper {
  readonly name: 'identity' | 'loopback';
  /** Local address to listen on for a virtual (cluster / external / LB) IP; undefined when it cannot be served. */
  listenAddress(virtualIP: string): string | undefined;
  /** Address to connect to for an endpoint IP. */
  dialAddress(endpointIP: string): string;
  /** Makes `localAddress` usable before listening (identity in a namespace adds it to lo). */
  acquire(localAddress: string): Promise<void>;
  /** Undoes acquire once nothing listens on the address any more. */
  release(localAddress: string): Promise<void>;
}

/** 10.96.0.10 → 127.96.0.10; loopback addresses stay; IPv6 and garbage → undefined. */
export function toLoopback(ip: string): string | undefined {
  if (!isIPv4(ip)) return undefined;
  const [, b, c, d] = ip.split('.');
  return `127.${b}.${c}.${d}`;
}

export class LoopbackAddressMapper implements AddressMapper {
  readonly name = 'loopback' as const;
  private readonly mapEndpoints: boolean;

  constructor(opts: { readonly mapEndpoints?: boolean } = {}) {
    this.mapEndpoints = opts.mapEndpoints ?? false;
  }
  listenAddress(virtualIP: string): string | undefined {
    return toLoopback(virtualIP);
  }
  dialAddress(endpointIP: string): string {
    return this.mapEndpoints ? (toLoopback(endpointIP) ?? endpointIP) : endpointIP;
  }
  async acquire(): Promise<void> {}
  async release(): Promise<void> {}
}

/** Adds and removes local addresses (the `ip` command); a port so tests can fake it. */
export interface AddressCommands {
  add(ip: string): Promise<void>;
  remove(ip: string): Promise<void>;
}

/** `ip addr add|del <ip>/32 dev lo` (/128 for IPv6). */
export const ipCommandAddresses: AddressCommands = {
  add: (ip) => runIp(['addr', 'add', `${ip}/${isIPv6(ip) ? 128 : 32}`, 'dev', 'lo']),
  remove: (ip) => runIp(['addr', 'del', `${ip}/${isIPv6(ip) ? 128 : 32}`, 'dev', 'lo']),
};

function runIp(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, (err, _stdout, stderr) => {
      // Adding an address that is already there is fine (a restart of the proxy).
      if (err && !/File exists|Cannot assign requested address/.test(stderr)) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}

export type NetnsCheck = { readonly ok: true; readonly netns: string } | { readonly ok: false; readonly reason: string };

export interface NetnsProbe {
  readlink(path: string): string;
  readFile(path: string): string;
}

const realProbe: NetnsProbe = { readlink: (p) => readlinkSync(p), readFile: (p) => readFileSync(p, 'utf8') };

/**
 * Refuses the host network namespace: ours must differ from PID 1's. (Inside a
 * container PID 1 shares our namespace, so this errs on the side of refusing.)
 * When PID 1's namespace cannot be read, kthreadd's (PID 2) is compared
 * instead; failing that, we are allowed only inside a child user namespace
 * (e.g. `unshare -rn`): from there only namespaces owned by that user
 * namespace can be changed, never the host's.
 */
export function checkPrivateNetns(probe: NetnsProbe = realProbe): NetnsCheck {
  let self: string;
  try {
    self = probe.readlink('/proc/self/ns/net');
  } catch (e) {
    return { ok: false, reason: `cannot read this process's network namespace: ${(e as Error).message}` };
  }
  let init: string;
  try {
    init = probe.readlink('/proc/1/ns/net');
  } catch (e) {
    // Some sandboxes deny PID 1's link even to root: kthreadd (PID 2, a kernel thread) always
    // lives in the initial network namespace, so it stands in when /proc/2 really is kthreadd.
    try {
      if (probe.readFile('/proc/2/comm').trim() === 'kthreadd') {
        const kthreadd = probe.readlink('/proc/2/ns/net');
        if (self === kthreadd) return { ok: false, reason: `this process runs in the host network namespace (${self}); refusing to add addresses` };
        return { ok: true, netns: self };
      }
    } catch {
      // Fall through to the user-namespace rule.
    }
    let uidMap = '';
    try {
      uidMap = probe.readFile('/proc/self/uid_map').trim().split(/\s+/).join(' ');
    } catch {
      // Treated as the initial user namespace below.
    }
    if (uidMap !== '' && uidMap !== '0 0 4294967295') return { ok: true, netns: self };
    return { ok: false, reason: `cannot compare network namespaces: ${(e as Error).message}` };
  }
  if (self === init) return { ok: false, reason: `this process runs in the host network namespace (${self}); refusing to add addresses` };
  return { ok: true, netns: self };
}

export class IdentityAddressMapper implements AddressMapper {
  readonly name = 'identity' as const;
  private readonly commands: AddressCommands | undefined;
  private readonly refs = new Map<string, number>();

  /**
   * `manageAddresses`: add each listened-on address to lo (root, private
   * network namespace only; the constructor throws otherwise).
   */
  constructor(opts: { readonly manageAddresses?: boolean; readonly commands?: AddressCommands; readonly netnsCheck?: () => NetnsCheck } = {}) {
    if (opts.manageAddresses) {
      const check = (opts.netnsCheck ?? checkPrivateNetns)();
      if (!check.ok) throw new Error(check.reason);
      this.commands = opts.commands ?? ipCommandAddresses;
    }
  }
  listenAddress(virtualIP: string): string | undefined {
    return isIPv4(virtualIP) || isIPv6(virtualIP) ? virtualIP : undefined;
  }
  dialAddress(endpointIP: string): string {
    return endpointIP;
  }
  async acquire(localAddress: string): Promise<void> {
    if (!this.commands) return;
    const n = this.refs.get(localAddress) ?? 0;
    if (n === 0) await this.commands.add(localAddress);
    this.refs.set(localAddress, n + 1);
  }
  async release(localAddress: string): Promise<void> {
    if (!this.commands) return;
    const n = this.refs.get(localAddress) ?? 0;
    if (n <= 1) {
      this.refs.delete(localAddress);
      if (n === 1) await this.commands.remove(localAddress);
    } else this.refs.set(localAddress, n - 1);
  }
}
