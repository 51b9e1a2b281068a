/**
 * The IPC between the primary DNS process (informers, index, /metrics) and its worker processes
 * (which answer queries on a shared socket from a replica of the index). JSON-safe plain data.
 */
import type { LogLevel } from '../log/logger.js';
import type { IndexOp } from './kubernetes/cluster-index.js';
import type { MetricsSnapshot } from './metrics.js';
import type { ServingConfig } from './serving.js';

export type ToWorker =
  /** First message: build the handler and listen (UDP on cfg.port, TCP on tcpPort when known). */
  | { readonly t: 'start'; readonly cfg: ServingConfig; readonly tcpPort?: number }
  /** Index changes, in order; the first batches after `start` are the snapshot. */
  | { readonly t: 'ops'; readonly ops: readonly IndexOp[] }
  /** The primary's informers have synced: answer the cluster zone from now on. */
  | { readonly t: 'synced' }
  | { readonly t: 'metrics'; readonly id: number }
  /** Close the sockets and exit. */
  | { readonly t: 'close' };

export type FromWorker =
  /** The worker listens for messages (anything sent earlier could be lost). */
  | { readonly t: 'hello' }
  | { readonly t: 'listening'; readonly port: number }
  | { readonly t: 'failed'; readonly message: string }
  | { readonly t: 'metrics'; readonly id: number; readonly snapshot: MetricsSnapshot }
  | { readonly t: 'log'; readonly level: LogLevel; readonly component: string; readonly msg: string };
