/**
 * Host-gw routing between nodes (flannel's host-gw backend): every node reaches the pod CIDR
 * of every other node through that node's InternalIP on the shared underlay network. The
 * planner is pure (Node list → desired routes → add/remove plan); the applier programs the
 * plan with `ip route` in the namespace the agent runs in, and only ever touches routes it
 * marked with its own route protocol number, so routes made by anyone else are left alone.
 */
import type { KubeObject } from '../../../api/object.js';
import { isRecord } from '../../../api/object.js';
import { type CommandRunner, ExecCommandRunner, mustRun } from './command-runner.js';
import { parseIpv4, parseIpv4Cidr, formatCidr } from './ipv4.js';
import { assertNodeNamespace } from './namespace-guard.js';

/** Route protocol that marks Switchyard's pod routes (`ip route show proto 211`). */
export const POD_ROUTE_PROTO = '211';

export interface PodRoute {
  /** The other node's pod CIDR. */
  readonly dst: string;
  /** The other node's InternalIP. */
  readonly via: string;
}

export interface RoutePlan {
  /** Routes to install or correct (`ip route replace`). */
  readonly replace: readonly PodRoute[];
  /** Destinations of our routes that no node needs any more. */
  readonly remove: readonly string[];
}

interface NodeFields {
  spec?: { podCIDR?: string; podCIDRs?: string[] };
  status?: { addresses?: { type?: string; address?: string }[] };
}

function nodeFields(node: KubeObject): NodeFields {
  return {
    spec: isRecord(node.spec) ? (node.spec as NodeFields['spec']) : undefined,
    status: isRecord(node.status) ? (node.status as NodeFields['status']) : undefined,
  };
}

/** The IPv4 pod CIDR of a node (first IPv4 of podCIDRs, else podCIDR), normalized. */
function ipv4PodCidr(n: NodeFields): string | undefined {
  const candidates = [...(n.spec?.podCIDRs ?? []), ...(n.spec?.podCIDR ? [n.spec.podCIDR] : [])];
  for (const c of candidates) {
    const parsed = parseIpv4Cidr(c);
    if (parsed) return formatCidr(parsed);
  }
  return undefined;
}

function ipv4InternalIP(n: NodeFields): string | undefined {
  return (n.status?.addresses ?? []).find((a) => a.type === 'InternalIP' && a.address && parseIpv4(a.address) !== undefined)?.address;
}

/**
 * Desired routes on node `selfName`: one per other node that has both an IPv4 pod CIDR and
 * an IPv4 InternalIP, sorted by destination. When two nodes claim one CIDR, the first by name wins.
 */
export function planPodRoutes(nodes: readonly KubeObject[], selfName: string): PodRoute[] {
  const byDst = new Map<string, PodRoute>();
  const sorted = [...nodes].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const self = sorted.find((n) => n.metadata.name === selfName);
  const ownCidr = self ? ipv4PodCidr(nodeFields(self)) : undefined;
  for (const node of sorted) {
    if (node.metadata.name === selfName) continue;
    const f = nodeFields(node);
    const dst = ipv4PodCidr(f);
    const via = ipv4InternalIP(f);
    if (!dst || !via || dst === ownCidr || byDst.has(dst)) continue;
    byDst.set(dst, { dst, via });
  }
  return [...byDst.values()].sort((a, b) => a.dst.localeCompare(b.dst));
}

/** What to change so that `current` (our routes as installed) becomes `desired`. */
export function diffPodRoutes(current: readonly PodRoute[], desired: readonly PodRoute[]): RoutePlan {
  const have = new Map(current.map((r) => [r.dst, r.via]));
  const want = new Set(desired.map((r) => r.dst));
  return {
    replace: desired.filter((r) => have.get(r.dst) !== r.via),
    remove: current.filter((r) => !want.has(r.dst)).map((r) => r.dst),
  };
}

/** Our routes from `ip -j route show proto 211`. */
export function parseIpRouteJson(json: string): PodRoute[] {
  let rows: unknown;
  try {
    rows = JSON.parse(json || '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(rows)) return [];
  const out: PodRoute[] = [];
  for (const r of rows) {
    if (!isRecord(r) || typeof r.dst !== 'string') continue;
    const cidr = parseIpv4Cidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
    if (!cidr) continue;
    out.push({ dst: formatCidr(cidr), via: typeof r.gateway === 'string' ? r.gateway : '' });
  }
  return out;
}

export interface PodRouteSyncOptions {
  readonly commands?: CommandRunner;
  /** Allow programming the machine's own namespace (a dedicated machine only). */
  readonly allowHostNetworkNamespace?: boolean;
  readonly log?: (msg: string) => void;
}

/**
 * Make the routing table of this process's network namespace hold exactly the host-gw routes
 * for `nodes` as seen from node `selfName`. Call it whenever the Node list changes (pod CIDR
 * assigned, node added/removed, InternalIP changed). Refuses (throws) in the machine's own
 * network namespace unless the override is given. Returns the plan it applied.
 */
export async function syncPodRoutes(nodes: readonly KubeObject[], selfName: string, opts: PodRouteSyncOptions = {}): Promise<RoutePlan> {
  await assertNodeNamespace('pod route sync', { allowHostNamespace: opts.allowHostNetworkNamespace });
  const cmd = opts.commands ?? new ExecCommandRunner();
  const current = parseIpRouteJson(await mustRun(cmd, ['ip', '-4', '-j', 'route', 'show', 'proto', POD_ROUTE_PROTO]));
  const plan = diffPodRoutes(current, planPodRoutes(nodes, selfName));
  for (const dst of plan.remove) {
    await mustRun(cmd, ['ip', 'route', 'del', dst, 'proto', POD_ROUTE_PROTO]);
    opts.log?.(`pod route removed: ${dst}`);
  }
  for (const r of plan.replace) {
    await mustRun(cmd, ['ip', 'route', 'replace', r.dst, 'via', r.via, 'proto', POD_ROUTE_PROTO]);
    opts.log?.(`pod route: ${r.dst} via ${r.via}`);
  }
  return plan;
}
