/**
 * Backend schedulers for the userspace dataplane, with the IPVS algorithms
 * (ip_vs_rr, _wrr, _lc, _wlc, _sed, _nq, _sh, _dh, _mh) plus uniform random.
 * Each is a small object that keeps its own position/table; `pick()` is called
 * once per new connection (or UDP flow) with the virtual service's current
 * real servers in a stable order.
 */

export const SCHEDULER_NAMES = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'sh', 'dh', 'random', 'maglev'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

/** A real server as schedulers see it. Weight 0 means "do not send new connections" (IPVS quiescent). */
export interface RealServer {
  /** Unique within the virtual service, `ip:port`. */
  readonly key: string;
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
  readonly activeConns: number;
  readonly inactiveConns: number;
}

export interface ScheduleRequest {
  readonly clientIP: string;
  readonly clientPort: number;
  /** The virtual address the client connected to (dh hashes it). */
  readonly vip: string;
  readonly vport: number;
  /** Servers already tried for this connection (connect failed). */
  readonly exclude?: ReadonlySet<string>;
}

export interface Scheduler {
  readonly name: SchedulerName;
  /** The server for a new connection, or undefined when every server is excluded or has weight 0. */
  pick(servers: readonly RealServer[], req: ScheduleRequest): RealServer | undefined;
}

/** Accepts the scheduler names plus the IPVS name `mh` for Maglev. */
export function parseSchedulerName(raw: string): SchedulerName | undefined {
  const s = raw.trim().toLowerCase();
  if (s === 'mh') return 'maglev';
  return (SCHEDULER_NAMES as readonly string[]).includes(s) ? (s as SchedulerName) : undefined;
}

export function eligible(s: RealServer, req: ScheduleRequest): boolean {
  return s.weight > 0 && !(req.exclude?.has(s.key) ?? false);
}

/** Greatest common divisor of the positive weights (1 when there are none). */
export function weightGcd(servers: readonly RealServer[]): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let g = 0;
  for (const s of servers) if (s.weight > 0) g = gcd(s.weight, g);
  return g || 1;
}

/** Identity of a server list for table-based schedulers (rebuild when it changes). */
export function listSignature(servers: readonly RealServer[]): string {
  return servers.map((s) => `${s.key}*${s.weight}`).join(',');
}
