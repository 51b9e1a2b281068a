/**
 * Stale UDP conntrack entries. A UDP "connection" that was DNATed to an
 * endpoint keeps going there as long as packets flow, even after the endpoint
 * is gone, so the kernel modes delete such entries after a sync (upstream
 * pkg/proxy/conntrack). Planning is pure; running goes through the
 * CommandRunner, i.e. inside the node's namespace.
 *
 * What is deleted, for UDP Service ports only:
 * - a removed endpoint: entries to each Service address whose NAT target is
 *   the endpoint's IP (`--orig-dst VIP --dst-nat EP`), and for the node port
 *   `--orig-port-dst NODEPORT --dst-nat EP`;
 * - a removed Service port: every entry to its addresses / node port;
 * - a Service port that goes from no endpoints to some: every entry to its
 *   addresses (they were created while packets were rejected or unanswered).
 */
import type { Logger } from '../../log/logger.js';
import type { ProxyState, ServicePortState } from '../dataplane.js';
import { endpointString } from '../types.js';
import type { CommandRunner } from './command-runner.js';

export interface ServicePortChange {
  /** What was programmed before (undefined: the port is new). */
  readonly previous?: ServicePortState;
  /** What is programmed now (undefined: the port was removed). */
  readonly current?: ServicePortState;
}

/** One `conntrack` invocation (argv without the program name). */
export type ConntrackDeletion = readonly string[];

const vipsOf = (s: ServicePortState): string[] => [...s.info.clusterIPs, ...s.info.externalIPs, ...s.info.loadBalancerIPs];

/** The conntrack deletions needed after programming `changes` (plus the state's own deleted UDP lists), de-duplicated, sorted. */
export function planConntrackCleanup(changes: Iterable<ServicePortChange>, state?: Pick<ProxyState, 'services' | 'deletedUDPClusterIPs' | 'deletedUDPEndpoints'>): ConntrackDeletion[] {
  const out = new Map<string, string[]>();
  const add = (args: string[]): void => {
    out.set(args.join(' '), args);
  };
  const dropTo = (vip: string, epIP?: string): void => add(['-D', '-p', 'udp', '--orig-dst', vip, ...(epIP ? ['--dst-nat', epIP] : [])]);
  const dropPort = (port: number, epIP?: string): void => add(['-D', '-p', 'udp', '--orig-port-dst', String(port), ...(epIP ? ['--dst-nat', epIP] : [])]);

  for (const { previous, current } of changes) {
    const proto = current?.info.protocol ?? previous?.info.protocol;
    if (proto !== 'UDP') continue;
    if (!current) {
      if (!previous) continue;
      for (const vip of vipsOf(previous)) dropTo(vip);
      if (previous.info.nodePort > 0) dropPort(previous.info.nodePort);
      continue;
    }
    const prevEps = previous?.categorized.allReachableEndpoints ?? [];
    const curEps = current.categorized.allReachableEndpoints;
    const still = new Set(curEps.map(endpointString));
    const vips = new Set([...vipsOf(current), ...(previous ? vipsOf(previous) : [])]);
    const nodePorts = new Set([current.info.nodePort, previous?.info.nodePort ?? 0].filter((p) => p > 0));
    for (const ep of prevEps) {
      if (still.has(endpointString(ep))) continue;
      for (const vip of vips) dropTo(vip, ep.ip);
      for (const np of nodePorts) dropPort(np, ep.ip);
    }
    if (prevEps.length === 0 && curEps.length > 0) {
      for (const vip of vipsOf(current)) dropTo(vip);
      if (current.info.nodePort > 0) dropPort(current.info.nodePort);
    }
  }
  if (state) {
    for (const ip of state.deletedUDPClusterIPs) dropTo(ip);
    for (const entry of state.deletedUDPEndpoints) {
      const bar = entry.lastIndexOf('|');
      if (bar < 0) continue;
      const s = state.services.get(entry.slice(0, bar));
      const hostPort = entry.slice(bar + 1);
      const epIP = hostPort.startsWith('[') ? hostPort.slice(1, hostPort.indexOf(']')) : hostPort.slice(0, hostPort.lastIndexOf(':'));
      if (!s || s.info.protocol !== 'UDP' || !epIP) continue;
      for (const vip of vipsOf(s)) dropTo(vip, epIP);
      if (s.info.nodePort > 0) dropPort(s.info.nodePort, epIP);
    }
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** conntrack exits 1 with "0 flow entries have been deleted" when nothing matched: that is success. */
function nothingMatched(stderr: string): boolean {
  return /\b0 flow entries have been deleted/.test(stderr);
}

/**
 * Runs the deletions (a few at a time). Returns error messages; never throws.
 * A missing conntrack tool is one error, reported once per call.
 */
export async function runConntrackCleanup(runner: CommandRunner, deletions: readonly ConntrackDeletion[], log?: Logger): Promise<string[]> {
  const errors: string[] = [];
  const queue = [...deletions];
  const worker = async (): Promise<void> => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      try {
        const r = await runner.run(['conntrack', ...d]);
        if (r.code !== 0 && !nothingMatched(r.stderr)) errors.push(`conntrack ${d.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
      } catch (e) {
        errors.push((e as Error).message);
        queue.length = 0;
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  for (const e of errors) log?.warn(`stale UDP conntrack cleanup: ${e}`);
  return errors;
}
