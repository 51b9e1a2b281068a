/**
 * Which balancing the kernel modes can do: uniform random (the default) and
 * source hashing (the IPVS `sh` counterpart). nftables picks with
 * `numgen random` / `jhash ip saddr`; iptables with `statistic --mode random`
 * / the `cluster` match (a jhash of the connection's source address, at most
 * 32 buckets). Every other IPVS scheduler (rr, wrr, lc, ...) needs
 * per-connection state the packet filter does not keep, so those fall back to
 * random, and say so in the log and in the status view.
 */
import { parseSchedulerName } from '../schedulers/scheduler.js';
import type { ServicePortInfo } from '../types.js';

export type KernelMode = 'nftables' | 'iptables';
export type KernelAlgorithm = 'random' | 'sh';

/** The `cluster` match keeps a 32-bit node mask: source hashing over more endpoints falls back to random. */
export const IPTABLES_SH_MAX_ENDPOINTS = 32;

export interface KernelScheduling {
  readonly algorithm: KernelAlgorithm;
  /** What the Service (or the default) asked for when it is not available; undefined when honoured. */
  readonly unavailable?: string;
  /** Scheduler column of the status view: `random`, `sh`, or `random (rr not available in nftables mode)`. */
  readonly label: string;
}

export function supportedAlgorithms(_mode: KernelMode): readonly KernelAlgorithm[] {
  return ['random', 'sh'];
}

/**
 * The algorithm for one Service port: its `switchyard.io/scheduler`
 * annotation, else `defaultScheduler`, else random. `endpoints` (the most
 * endpoints one of its chains balances over) matters for iptables `sh` only.
 */
export function kernelScheduling(info: Pick<ServicePortInfo, 'scheduler'>, mode: KernelMode, defaultScheduler?: string, endpoints = 0): KernelScheduling {
  const requested = info.scheduler ?? defaultScheduler ?? 'random';
  const name = parseSchedulerName(requested);
  if (name === undefined) return { algorithm: 'random', unavailable: requested, label: `random (unknown scheduler ${JSON.stringify(requested)})` };
  const supported = supportedAlgorithms(mode);
  if (!(supported as readonly string[]).includes(name)) return { algorithm: 'random', unavailable: name, label: `random (${name} not available in ${mode} mode)` };
  if (name === 'sh' && mode === 'iptables' && endpoints > IPTABLES_SH_MAX_ENDPOINTS) {
    return { algorithm: 'random', unavailable: name, label: `random (sh over more than ${IPTABLES_SH_MAX_ENDPOINTS} endpoints not available in iptables mode)` };
  }
  return { algorithm: name as KernelAlgorithm, label: name };
}
