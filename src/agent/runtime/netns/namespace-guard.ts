/**
 * Refuses to program a network from the machine's own network namespace. The netns runtime
 * and the route applier create a bridge with the node's pod gateway address and routes for
 * the cluster's pod ranges; done in the initial namespace that would wire the cluster into
 * the machine. They are meant to run inside a node namespace (an agent started with
 * `nsenter --net=/run/netns/<node>` or `ip netns exec <node>`), or on a dedicated machine
 * where the operator says so explicitly.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Linux ≥ 6.x gives the initial network namespace this fixed inode (PROC_NET_INIT_INO). */
const INIT_NET_INODE = 0xeffffff9;

export type NamespaceCheck =
  | { readonly ok: true; /** Name under /run/netns when the process is in a named namespace. */ readonly name?: string }
  | { readonly ok: false; readonly reason: string };

export interface NamespaceGuardOptions {
  /** Skip the check (a dedicated machine whose own namespace is the node). */
  readonly allowHostNamespace?: boolean;
  /** Where `ip netns` keeps its names (default /run/netns). */
  readonly runDir?: string;
  /** The namespace link to inspect (default /proc/self/ns/net); tests point it elsewhere. */
  readonly selfNs?: string;
  readonly initNs?: string;
}

interface NsId {
  readonly dev: number;
  readonly ino: number;
}

async function nsId(path: string): Promise<NsId | undefined> {
  try {
    const s = await stat(path);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return undefined;
  }
}

/**
 * Whether this process may program the node network here. It may when its network namespace
 * is one of the named namespaces under /run/netns and is neither PID 1's namespace (when that
 * is readable) nor the kernel's initial namespace.
 */
export async function checkNodeNamespace(opts: NamespaceGuardOptions = {}): Promise<NamespaceCheck> {
  if (opts.allowHostNamespace) return { ok: true };
  const self = await nsId(opts.selfNs ?? '/proc/self/ns/net');
  if (!self) return { ok: false, reason: 'cannot identify the network namespace of this process (/proc/self/ns/net)' };
  const init = await nsId(opts.initNs ?? '/proc/1/ns/net');
  if ((init && init.dev === self.dev && init.ino === self.ino) || self.ino === INIT_NET_INODE) {
    return { ok: false, reason: "this process runs in the machine's own network namespace" };
  }
  const runDir = opts.runDir ?? '/run/netns';
  let names: string[] = [];
  try {
    names = await readdir(runDir);
  } catch {
    // no named namespaces at all
  }
  for (const name of names.sort()) {
    const id = await nsId(join(runDir, name));
    if (id && id.dev === self.dev && id.ino === self.ino) return { ok: true, name };
  }
  return { ok: false, reason: `this process's network namespace is not one of the named namespaces in ${runDir}` };
}

/** checkNodeNamespace, throwing an explanatory error when programming is not allowed. */
export async function assertNodeNamespace(what: string, opts: NamespaceGuardOptions = {}): Promise<string | undefined> {
  const r = await checkNodeNamespace(opts);
  if (!r.ok) {
    throw new Error(
      `${what} refuses to start: ${r.reason}. Start the agent inside a node network namespace ` +
        '(nsenter --net=/run/netns/<node> ...), or pass the explicit override for a dedicated machine.',
    );
  }
  return r.name;
}
