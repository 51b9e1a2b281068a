/** What every controller gets from the controller manager. */
import type { KubeClient } from '../client/kube-client.js';
import type { Clock } from '../client/clock.js';
import type { Logger } from '../log/logger.js';
import type { InformerFactory } from './informer-factory.js';

export interface ControllerManagerConfig {
  /** --max-endpoints-per-slice (default 100, at most 1000). */
  readonly maxEndpointsPerSlice: number;
  /** --cluster-cidr, for node pod CIDR allocation. */
  readonly clusterCIDR: string;
  /** Mask size of each node's pod CIDR (default 24). */
  readonly nodeCIDRMaskSize: number;
  /** A node whose Lease is older than this becomes NotReady (kube-controller-manager --node-monitor-grace-period, 40 s). */
  readonly nodeMonitorGracePeriodMs: number;
  /** Concurrent workers per controller (kube-controller-manager defaults: 5 for most). */
  readonly workers: number;
}

export const DEFAULT_CONTROLLER_CONFIG: ControllerManagerConfig = {
  maxEndpointsPerSlice: 100,
  clusterCIDR: '10.244.0.0/16',
  nodeCIDRMaskSize: 24,
  nodeMonitorGracePeriodMs: 40_000,
  workers: 5,
};

export interface ControllerContext {
  readonly client: KubeClient;
  readonly informers: InformerFactory;
  readonly log: Logger;
  /** Aborts when the controller must stop (shutdown or lost leadership). */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly config: ControllerManagerConfig;
}

/** A controller: `run` starts its informers (through the factory) and workers, and returns when `signal` aborts. */
export interface ControllerDescriptor {
  /** Name as in kube-controller-manager's --controllers (e.g. `endpointslice`). */
  readonly name: string;
  run(ctx: ControllerContext): Promise<void>;
}
