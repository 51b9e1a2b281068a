/**
 * Which balancing the kernel modes can do. nftables: `numgen random` (default)
 * and source hashing (`jhash ip saddr`, the IPVS `sh` counterpart); iptables:
 * `statistic --mode random` only. Every other IPVS scheduler (rr, wrr, lc, ...)
 * needs per-connection state the packet filter does not keep, so those fall
 * back to random, and say so in the log and in the status view.
 */
import { parseSchedulerName } from '../schedulers/scheduler.js';
import type { ServicePortInfo } from '../types.js';

export type KernelMode = 'nftables' | 'iptables';
export type KernelAlgorithm = 'random' | 'sh';

export interface KernelScheduling {
  readonly algorithm: KernelAlgorithm;
  /** What the Service (or the default) asked for when it is not available; undefined when honoured. */
  readonly unavailable?: string;
  /** Scheduler column of the status view: `random`, `sh`, or `random (rr not available in nftables mode)`. */
  readonly label: string;
}

export function supportedAlgorithms(mode: KernelMode): readonly KernelAlgorithm[] {
  return mode === 'nftables' ? ['random', 'sh'] : ['random'];
}

/** The algorithm for one Service port: its `switchyard.io/scheduler` annotation, else `defaultScheduler`, else random. */
export function kernelScheduling(info: Pick<ServicePortInfo, 'scheduler'>, mode: KernelMode, defaultScheduler?: string): KernelScheduling {
  const requested = info.scheduler ?? defaultScheduler ?? 'random';
  const name = parseSchedulerName(requested);
  if (name === undefined) return { algorithm: 'random', unavailable: requested, label: `random (unknown scheduler ${JSON.stringify(requested)})` };
  const supported = supportedAlgorithms(mode);
  if ((supported as readonly string[]).includes(name)) return { algorithm: name as KernelAlgorithm, label: name };
  return { algorithm: 'random', unavailable: name, label: `random (${name} not available in ${mode} mode)` };
}
