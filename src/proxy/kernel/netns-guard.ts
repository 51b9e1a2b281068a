/**
 * The safety check of the kernel dataplanes: rules are programmed only into a
 * network namespace that is verifiably not the machine's initial one, unless
 * the operator says the machine is a dedicated node (`allowHostNetns`).
 *
 * It reuses address-mapper's checkPrivateNetns with two refinements:
 * - the namespace checked is the one the rules land in: this process's own,
 *   or the named namespace commands are run in (`ip netns exec NAME`);
 * - when PID 1's namespace link cannot be read (some sandboxes deny it even
 *   to root), kthreadd (PID 2, a kernel thread, always in the initial network
 *   namespace) stands in for it, if /proc/2 really is kthreadd.
 */
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { type NetnsCheck, type NetnsProbe, checkPrivateNetns } from '../address-mapper.js';

export interface KernelNetnsOptions {
  /** Named namespace (under /run/netns) the rules are programmed into; undefined = this process's. */
  readonly netns?: string;
  /** Dedicated node: allow the initial network namespace. */
  readonly allowHostNetns?: boolean;
  readonly probe?: NetnsProbe;
  /** Identity of a named namespace, `net:[inode]` (default: stat of /run/netns/NAME). */
  readonly namedNetnsId?: (name: string) => string;
}

const realProbe: NetnsProbe = { readlink: (p) => readlinkSync(p), readFile: (p) => readFileSync(p, 'utf8') };

const namedNetnsId = (name: string): string => {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`invalid network namespace name ${JSON.stringify(name)}`);
  return `net:[${statSync(`/run/netns/${name}`).ino}]`;
};

/** Whether rules may be programmed where `opts` says; `ok: false` carries the reason to refuse. */
export function checkKernelNetns(opts: KernelNetnsOptions = {}): NetnsCheck {
  const base = opts.probe ?? realProbe;
  if (opts.allowHostNetns) {
    let id = 'unknown';
    try {
      id = opts.netns !== undefined ? (opts.namedNetnsId ?? namedNetnsId)(opts.netns) : base.readlink('/proc/self/ns/net');
    } catch {
      // Only informative here.
    }
    return { ok: true, netns: id };
  }
  const probe: NetnsProbe = {
    readFile: (p) => base.readFile(p),
    readlink: (p) => {
      if (p === '/proc/self/ns/net' && opts.netns !== undefined) return (opts.namedNetnsId ?? namedNetnsId)(opts.netns);
      if (p !== '/proc/1/ns/net') return base.readlink(p);
      try {
        return base.readlink(p);
      } catch (e) {
        let comm = '';
        try {
          comm = base.readFile('/proc/2/comm').trim();
        } catch {
          throw e;
        }
        if (comm !== 'kthreadd') throw e;
        return base.readlink('/proc/2/ns/net');
      }
    },
  };
  const check = checkPrivateNetns(probe);
  if (check.ok) return check;
  const where = opts.netns !== undefined ? `network namespace ${opts.netns}` : 'this process';
  return {
    ok: false,
    reason: `${check.reason.replace(/; refusing to add addresses$/, '')} (checked ${where}); refusing to program kernel service rules there. Run the proxy inside the node's own network namespace, or pass --proxy-allow-host-netns on a dedicated node`,
  };
}
