/**
 * Messages between the proxy's primary process and its dataplane workers
 * (`--proxy-workers N`). The primary owns the informers and decides; workers
 * only hold TCP listeners (shared with the other workers) and splice
 * connections. All messages are plain JSON over the cluster IPC channel.
 */
import type { VirtualServiceConfig } from './virtual-service.js';

/** Settings a worker needs that do not change while it runs. */
export interface WorkerSettings {
  readonly dialTimeoutsMs: readonly number[];
  readonly inactiveLingerMs: number;
  /** How often a worker reports its connection counts while they change (ms). */
  readonly countsIntervalMs: number;
}

/** One change to a worker's TCP virtual services, applied in order. `id` is unique per listener. */
export type WorkerOp =
  | { readonly op: 'open'; readonly id: number; readonly cfg: VirtualServiceConfig; readonly dial: Readonly<Record<string, string>> }
  | { readonly op: 'update'; readonly id: number; readonly cfg: VirtualServiceConfig; readonly dial: Readonly<Record<string, string>> }
  | { readonly op: 'close'; readonly id: number };

export type ToWorker =
  | { readonly type: 'switchyard:init'; readonly settings: WorkerSettings }
  | { readonly type: 'switchyard:apply'; readonly batch: number; readonly ops: readonly WorkerOp[] }
  | { readonly type: 'switchyard:shutdown' };

/** Per real server: [ip, port, activeConns, inactiveConns]. */
export type BackendCounts = readonly [string, number, number, number];

export type FromWorker =
  | { readonly type: 'switchyard:ready' }
  /** Per op of the batch: undefined when applied, else the error (a failed open has no listener). */
  | { readonly type: 'switchyard:applied'; readonly batch: number; readonly errors: readonly (string | null)[] }
  /** The worker's full counts: virtual service id → its real servers with non-zero counts. */
  | { readonly type: 'switchyard:counts'; readonly counts: Readonly<Record<string, readonly BackendCounts[]>> };

export function isFromWorker(m: unknown): m is FromWorker {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('switchyard:');
}
