/**
 * The mode-independent half of the service proxy (kube-proxy's Proxier minus
 * the rule writing): informers feed the change trackers; a bounded-frequency
 * runner drains them into the ServicePortMap and EndpointsMap, builds the
 * ProxyState and hands it to the Dataplane. Nothing is programmed before
 * Services, EndpointSlices and the Node have been listed once. Syncs are
 * partial (only changed service ports) except the first one, after a failure,
 * after the node's labels change, and once an hour.
 */
import type { KubeObject } from '../api/object.js';
import type { Clock } from '../client/clock.js';
import { realClock } from '../client/clock.js';
import { Informer, type ListWatchClient, waitForCacheSync } from '../client/informer.js';
import type { ResourceRef } from '../client/kube-client.js';
import type { Logger } from '../log/logger.js';
import { BoundedFrequencyRunner } from './bounded-frequency-runner.js';
import { EndpointsChangeTracker, applyEndpointsChanges } from './change-tracker/endpoints-change-tracker.js';
import { ServiceChangeTracker, applyServiceChanges } from './change-tracker/service-change-tracker.js';
import type { Dataplane, ProxyState, VirtualServiceStatus } from './dataplane.js';
import { ProxyMetrics } from './metrics.js';
import { type InterfaceLister, resolveNodePortAddresses } from './node-addresses.js';
import { ProxyHealth } from './proxy-health.js';
import { buildProxyState } from './proxy-state.js';
import type { ServiceHealthServer } from './service-health-server.js';
import type { CategorizeOptions, NodeTopology } from './topology.js';
import { type EndpointInfo, type IPFamily, type ServicePortInfo, type ServicePortKey, serviceNameOfKey } from './types.js';

export const SERVICES: ResourceRef = { group: '', version: 'v1', plural: 'services', namespaced: true };
export const ENDPOINT_SLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true };
export const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes', namespaced: false };

/** Upstream proxyutil.FullSyncPeriod. */
export const FULL_SYNC_PERIOD_MS = 60 * 60 * 1000;

export interface ProxierOptions {
  readonly client: ListWatchClient;
  /** This node's name (`--hostname-override`): decides which endpoints are local. */
  readonly nodeName: string;
  readonly dataplane: Dataplane;
  readonly ipFamily?: IPFamily;
  /** Minimum gap between syncs (kube-proxy --min-sync-period, default 1 s). */
  readonly minSyncPeriodMs?: number;
  /** Resync at least this often (kube-proxy --sync-period, default 30 s). */
  readonly syncPeriodMs?: number;
  /** CIDRs selecting node addresses for NodePorts (empty: all non-loopback addresses). */
  readonly nodePortAddresses?: readonly string[];
  readonly metrics?: ProxyMetrics;
  readonly health?: ProxyHealth;
  readonly serviceHealth?: ServiceHealthServer;
  readonly topology?: CategorizeOptions;
  readonly log?: Logger;
  readonly clock?: Clock;
  readonly interfaces?: InterfaceLister;
}

export class Proxier {
  readonly metrics: ProxyMetrics;
  readonly health: ProxyHealth;
  readonly runner: BoundedFrequencyRunner;
  private readonly opts: ProxierOptions;
  private readonly clock: Clock;
  private readonly family: IPFamily;
  private readonly serviceChanges: ServiceChangeTracker;
  private readonly endpointsChanges: EndpointsChangeTracker;
  private readonly serviceMap = new Map<ServicePortKey, ServicePortInfo>();
  private readonly endpointsMap = new Map<ServicePortKey, readonly EndpointInfo[]>();
  private nodeLabels: Readonly<Record<string, string>> = {};
  private servicesSynced = false;
  private endpointSlicesSynced = false;
  private needFullSync = true;
  private lastFullSync = -Infinity;
  private pendingUDPClusterIPs = new Set<string>();
  private pendingUDPEndpoints = new Set<string>();
  private state: ProxyState | undefined;
  private firstSyncWaiters: (() => void)[] = [];

  constructor(opts: ProxierOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? realClock;
    this.family = opts.ipFamily ?? 'IPv4';
    const syncPeriodMs = opts.syncPeriodMs ?? 30_000;
    this.metrics = opts.metrics ?? new ProxyMetrics();
    this.health = opts.health ?? new ProxyHealth({ healthTimeoutMs: 2 * syncPeriodMs, clock: this.clock });
    this.serviceChanges = new ServiceChangeTracker({ ipFamily: this.family });
    this.endpointsChanges = new EndpointsChangeTracker({ nodeName: opts.nodeName, ipFamily: this.family, clock: this.clock });
    this.runner = new BoundedFrequencyRunner({
      name: 'sync-runner',
      fn: () => this.syncProxyRules(),
      minIntervalMs: opts.minSyncPeriodMs ?? 1000,
      maxIntervalMs: syncPeriodMs,
      clock: this.clock,
      onError: (err) => opts.log?.error(`sync failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    });
  }

  // ---- event handlers (public so an agent with its own informers can feed the proxier) ----

  onServiceAdd(svc: KubeObject): void {
    this.onServiceUpdate(undefined, svc);
  }
  onServiceUpdate(previous: KubeObject | undefined, current: KubeObject | undefined): void {
    if (this.serviceChanges.update(previous, current)) {
      this.metrics.serviceChangesTotal.inc();
      this.queued();
    }
    this.metrics.serviceChangesPending.set(this.serviceChanges.pendingCount());
  }
  onServiceDelete(svc: KubeObject): void {
    this.onServiceUpdate(svc, undefined);
  }
  onEndpointSliceUpdate(slice: KubeObject, removed: boolean): void {
    if (this.endpointsChanges.endpointSliceUpdate(slice, removed)) {
      this.metrics.endpointChangesTotal.inc();
      this.queued();
    }
    this.metrics.endpointChangesPending.set(this.endpointsChanges.pendingCount());
  }
  /** The initial list of Services has been delivered. */
  onServicesSynced(): void {
    this.servicesSynced = true;
    if (this.isInitialized()) this.runner.run();
  }
  /** The initial list of EndpointSlices has been delivered. */
  onEndpointSlicesSynced(): void {
    this.endpointSlicesSynced = true;
    if (this.isInitialized()) this.runner.run();
  }
  /** This node's object (undefined when deleted): topology labels and health eligibility. */
  onNodeUpdate(node: KubeObject | undefined): void {
    this.health.syncNode(node);
    const labels = node?.metadata.labels ?? {};
    if (JSON.stringify(labels) === JSON.stringify(this.nodeLabels)) return;
    this.nodeLabels = { ...labels };
    // Topology affects every Service: resync all of them.
    this.needFullSync = true;
    if (this.isInitialized()) this.runner.run();
  }

  isInitialized(): boolean {
    return this.servicesSynced && this.endpointSlicesSynced;
  }

  /** The last state handed to the dataplane (undefined before the first sync). */
  get lastState(): ProxyState | undefined {
    return this.state;
  }

  status(): VirtualServiceStatus[] {
    return this.opts.dataplane.status();
  }

  /** Resolves after the first sync completed (false if `signal` aborts first). */
  waitForFirstSync(signal?: AbortSignal): Promise<boolean> {
    if (this.state) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.firstSyncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  /** Runs informers and the sync loop until `signal` aborts. Does not close the dataplane. */
  async run(signal: AbortSignal): Promise<void> {
    const log = this.opts.log;
    const services = new Informer<KubeObject>({ client: this.opts.client, resource: SERVICES, log });
    const slices = new Informer<KubeObject>({ client: this.opts.client, resource: ENDPOINT_SLICES, log });
    const nodes = new Informer<KubeObject>({ client: this.opts.client, resource: NODES, fieldSelector: `metadata.name=${this.opts.nodeName}`, log });
    services.addEventHandler({
      onAdd: (o) => this.onServiceAdd(o),
      onUpdate: (a, b) => this.onServiceUpdate(a, b),
      onDelete: (o) => this.onServiceDelete(o),
    });
    slices.addEventHandler({
      onAdd: (o) => this.onEndpointSliceUpdate(o, false),
      onUpdate: (_a, b) => this.onEndpointSliceUpdate(b, false),
      onDelete: (o) => this.onEndpointSliceUpdate(o, true),
    });
    nodes.addEventHandler({
      onAdd: (o) => this.onNodeUpdate(o),
      onUpdate: (_a, b) => this.onNodeUpdate(b),
      onDelete: () => this.onNodeUpdate(undefined),
    });
    const running = [services.run(signal), slices.run(signal), nodes.run(signal)];
    this.runner.loop(signal);
    if (await waitForCacheSync([services, slices, nodes], signal)) {
      log?.info(`caches synced: ${services.keys().length} services, ${slices.keys().length} endpoint slices, node ${nodes.keys().length > 0 ? 'found' : 'not found'}`);
      this.onServicesSynced();
      this.onEndpointSlicesSynced();
    }
    await Promise.all(running);
    this.runner.stop();
    await this.runner.whenIdle();
  }

  /**
   * The local addresses NodePorts are served on. Cluster IPs are left out: the userspace
   * dataplane puts them on lo, where they would otherwise each serve every NodePort (kube-proxy's
   * IPVS mode likewise leaves out the addresses on its dummy interface).
   */
  private nodePortAddresses(): string[] {
    const resolved = resolveNodePortAddresses(this.opts.nodePortAddresses ?? [], this.family, this.opts.interfaces);
    const clusterIPs = new Set<string>();
    for (const info of this.serviceMap.values()) for (const ip of info.clusterIPs) clusterIPs.add(ip);
    return resolved.filter((ip) => !clusterIPs.has(ip));
  }

  /** One sync: drain the trackers, build the state, program the dataplane, update health and metrics. */
  async syncProxyRules(): Promise<void> {
    if (!this.isInitialized()) return;
    const started = this.clock.now();
    const svcUpdate = applyServiceChanges(this.serviceMap, this.serviceChanges.checkout());
    const epUpdate = applyEndpointsChanges(this.endpointsMap, this.endpointsChanges.checkout());
    this.metrics.serviceChangesPending.set(0);
    this.metrics.endpointChangesPending.set(0);
    for (const ip of svcUpdate.deletedUDPClusterIPs) this.pendingUDPClusterIPs.add(ip);
    for (const e of epUpdate.deletedUDPEndpoints) this.pendingUDPEndpoints.add(e);

    const full = this.needFullSync || started - this.lastFullSync >= FULL_SYNC_PERIOD_MS;
    const changed = new Set<ServicePortKey>([...svcUpdate.changedKeys, ...epUpdate.changedKeys]);
    const node: NodeTopology = { nodeName: this.opts.nodeName, labels: this.nodeLabels };
    const state = buildProxyState({
      serviceMap: this.serviceMap,
      endpointsMap: this.endpointsMap,
      node,
      nodePortAddresses: this.nodePortAddresses(),
      ...(full ? {} : { changed }),
      deletedUDPClusterIPs: this.pendingUDPClusterIPs,
      deletedUDPEndpoints: this.pendingUDPEndpoints,
      topology: this.opts.topology,
    });
    const result = await this.opts.dataplane.sync(state);
    const ended = this.clock.now();
    this.state = state;
    if (result.ok) {
      this.needFullSync = false;
      if (full) this.lastFullSync = started;
      this.pendingUDPClusterIPs = new Set();
      this.pendingUDPEndpoints = new Set();
    } else {
      // Whatever could not be programmed is retried by a full sync soon.
      this.needFullSync = true;
      this.metrics.syncFailuresTotal.inc();
      for (const f of result.failures) this.opts.log?.warn(`cannot serve ${f.service} on ${f.protocol} ${f.address}:${f.port}: ${f.error}`);
      this.runner.retryAfter(Math.min(this.opts.syncPeriodMs ?? 30_000, 5000));
    }
    // A Service that cannot be bound is reported above; the proxy itself has synced.
    this.health.updated();

    const seconds = (ended - started) / 1000;
    this.metrics.syncProxyRulesLatency.observe(seconds);
    (full ? this.metrics.syncFullProxyRulesLatency : this.metrics.syncPartialProxyRulesLatency).observe(seconds);
    this.metrics.syncProxyRulesLastTimestamp.set(ended / 1000);
    for (const times of epUpdate.lastChangeTriggerTimes.values()) for (const t of times) this.metrics.networkProgrammingLatency.observe(Math.max(0, ended - t) / 1000);
    let noLocalInternal = 0;
    let noLocalExternal = 0;
    const healthPorts = new Map<string, number>();
    const localReady = new Map<string, Set<string>>();
    for (const s of state.services.values()) {
      if (s.info.internalPolicyLocal && s.categorized.localEndpoints.length === 0) noLocalInternal++;
      if (s.info.externalPolicyLocal && s.categorized.localEndpoints.length === 0) noLocalExternal++;
      if (s.info.healthCheckNodePort > 0) healthPorts.set(serviceNameOfKey(s.info.key), s.info.healthCheckNodePort);
    }
    for (const [key, eps] of this.endpointsMap) {
      const nsn = serviceNameOfKey(key);
      for (const ep of eps) {
        if (!ep.ready || !ep.isLocal) continue;
        let set = localReady.get(nsn);
        if (!set) localReady.set(nsn, (set = new Set()));
        set.add(ep.ip);
      }
    }
    this.metrics.noLocalEndpointsTotal.set(noLocalInternal, { traffic_policy: 'internal' });
    this.metrics.noLocalEndpointsTotal.set(noLocalExternal, { traffic_policy: 'external' });
    if (this.opts.serviceHealth) {
      await this.opts.serviceHealth.syncServices(healthPorts);
      this.opts.serviceHealth.syncEndpoints(new Map([...localReady].map(([k, v]) => [k, v.size])));
    }
    this.opts.log?.debug(`${full ? 'full' : 'partial'} sync of ${full ? state.services.size : changed.size} service ports in ${ended - started} ms`);
    const waiters = this.firstSyncWaiters;
    this.firstSyncWaiters = [];
    for (const w of waiters) w();
  }

  private queued(): void {
    this.health.queuedUpdate();
    this.metrics.syncProxyRulesLastQueuedTimestamp.set(this.clock.now() / 1000);
    if (this.isInitialized()) this.runner.run();
  }
}
