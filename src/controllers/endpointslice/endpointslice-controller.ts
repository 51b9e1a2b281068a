/**
 * The EndpointSlice controller (kube-controller-manager `endpointslice`): keeps the
 * EndpointSlices of every Service with a selector in line with the pods it selects.
 *
 * Thin shell over the pure `reconcile` (reconciler.ts): informers on Services, Pods, Nodes and
 * EndpointSlices feed a queue of Service keys (`ns/name`); a sync reads the caches, asks the
 * reconciler for a plan and applies it (creates, then updates, then deletes), recording what it
 * wrote in a tracker so that its own writes do not trigger further syncs.
 */
import type { KubeObject } from '../../api/object.js';
import { runController } from '../../client/controller.js';
import type { Informer } from '../../client/informer.js';
import { KubeApiError, isNotFound } from '../../client/kube-client.js';
import { BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from '../controller-context.js';
import { ENDPOINTSLICES, EVENTS, NODES, PODS, SERVICES } from '../resources.js';
import { servicesMatching, servicesToUpdateOnPodChange, selectorMatches } from './pod-service-membership.js';
import { addressTypesForService, hintsEnabled, reconcile, serviceWantsSlices } from './reconciler.js';
import { SliceTracker, serviceKeyOfSlice } from './slice-tracker.js';
import {
  CONTROLLER_NAME,
  type EndpointSlice,
  LABEL_MANAGED_BY,
  LABEL_TOPOLOGY_ZONE,
  type Node,
  type Pod,
  type Service,
  type ServiceEvent,
} from './slice-types.js';
import { MSG_HINTS_DISABLED, MSG_HINTS_ENABLED, serviceOverloaded, zoneCpuRatios } from './topology-hints.js';
import { TriggerTimeTracker } from './trigger-time-tracker.js';

/** fieldManager of every write. */
export const FIELD_MANAGER = 'endpointslice-controller';
/** Event source component, as upstream. */
const EVENT_COMPONENT = 'endpoint-slice-controller';
/** Syncs caused by EndpointSlice changes wait this long, batching bursts (upstream endpointSliceChangeMinSyncDelay). */
const SLICE_CHANGE_DELAY_MS = 1000;

// Index names are prefixed: the informers are shared with other controllers.
/** A service is filed under one of its selector pairs (`ns/key=value`, first key): pods without that label cannot match it. */
const IDX_SERVICE_SELECTOR = 'endpointslice/selector';
const IDX_POD_LABEL = 'endpointslice/ns-label';
const IDX_POD_NODE = 'endpointslice/node';
const IDX_SLICE_SERVICE = 'endpointslice/service';

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

function isNodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

class EndpointSliceSyncer {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly slices: Informer<EndpointSlice>;
  readonly queue: WorkQueue<string>;
  private readonly tracker = new SliceTracker();
  private readonly triggerTimes = new TriggerTimeTracker();
  /** Zone allocations of services with topology-mode Auto hints, to re-check them when nodes change. */
  private readonly hintsByService = new Map<string, Map<string, number>>();
  private readonly lastEvent = new Map<string, string>();
  private readonly staleRetries = new Map<string, number>();
  private nodeMap: Map<string, Node> | undefined;

  constructor(private readonly ctx: ControllerContext) {
    const inf = ctx.informers;
    this.services = inf.informer<Service>(SERVICES);
    this.pods = inf.informer<Pod>(PODS);
    this.nodes = inf.informer<Node>(NODES);
    this.slices = inf.informer<EndpointSlice>(ENDPOINTSLICES);
    // Upstream's queue backs off from 1 s (not 5 ms): failed syncs can mean many slice writes.
    this.queue = new WorkQueue<string>({
      name: 'endpoint_slice',
      clock: ctx.clock,
      rateLimiter: new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter<string>(1000, 1000_000), new BucketRateLimiter<string>(10, 100, ctx.clock)),
    });
    this.services.addIndexer(IDX_SERVICE_SELECTOR, (s) => {
      const sel = s.spec?.selector ?? {};
      const first = Object.keys(sel).sort()[0];
      return first === undefined ? [] : [`${s.metadata.namespace ?? ''}/${first}=${sel[first] ?? ''}`];
    });
    this.pods.addIndexer(IDX_POD_LABEL, (p) => Object.entries(p.metadata.labels ?? {}).map(([k, v]) => `${p.metadata.namespace ?? ''}/${k}=${v}`));
    this.pods.addIndexer(IDX_POD_NODE, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.slices.addIndexer(IDX_SLICE_SERVICE, (s) => {
      const k = serviceKeyOfSlice(s);
      return k ? [k] : [];
    });
  }

  get informers(): { waitForSync(signal?: AbortSignal): Promise<boolean> }[] {
    return [this.services, this.pods, this.nodes, this.slices];
  }

  registerHandlers(): void {
    this.services.addEventHandler({
      onAdd: (s) => this.queue.add(keyOf(s)),
      onUpdate: (_o, s) => this.queue.add(keyOf(s)),
      onDelete: (s) => this.queue.add(keyOf(s)),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.queueServicesForPod(p),
      onUpdate: (o, p) => {
        const candidates = this.candidateServices(p.metadata.namespace, o.metadata.labels, p.metadata.labels);
        for (const k of servicesToUpdateOnPodChange(candidates, o, p)) this.queue.add(k);
      },
      onDelete: (p) => this.queueServicesForPod(p),
    });
    this.nodes.addEventHandler({
      onAdd: (n, initial) => this.onNodeChange(undefined, n, initial),
      onUpdate: (o, n) => this.onNodeChange(o, n, false),
      onDelete: (n) => this.onNodeChange(n, undefined, false),
    });
    this.slices.addEventHandler({
      onAdd: (s) => {
        if (this.managed(s) && this.tracker.shouldSync(s)) this.queueForSlice(s);
      },
      onUpdate: (o, s) => {
        // Users may relabel a slice to another service: both need a look.
        if (serviceKeyOfSlice(o) !== serviceKeyOfSlice(s)) {
          this.queueForSlice(s);
          this.queueForSlice(o);
          return;
        }
        if (this.managed(o) !== this.managed(s) || (this.managed(s) && this.tracker.shouldSync(s))) this.queueForSlice(s);
      },
      onDelete: (s) => {
        // Deletions we did not make (by hand, or missed while we were away) mean the service
        // needs its slices back; GC of a deleted service's slices syncs to a no-op.
        if (this.managed(s) && !this.tracker.handleDeletion(s)) this.queueForSlice(s);
      },
    });
  }

  private managed(s: EndpointSlice): boolean {
    return s.metadata.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME;
  }

  private queueForSlice(s: EndpointSlice): void {
    const k = serviceKeyOfSlice(s);
    if (k) this.queue.addAfter(k, SLICE_CHANGE_DELAY_MS);
  }

  /** Services of the namespace that might select a pod with any of these label sets. */
  private candidateServices(ns: string | undefined, ...labelSets: (Readonly<Record<string, string>> | undefined)[]): Service[] {
    const out = new Map<string, Service>();
    for (const labels of labelSets) {
      for (const [k, v] of Object.entries(labels ?? {})) {
        for (const s of this.services.byIndex(IDX_SERVICE_SELECTOR, `${ns ?? ''}/${k}=${v}`)) out.set(keyOf(s), s);
      }
    }
    return [...out.values()];
  }

  private queueServicesForPod(p: Pod): void {
    const candidates = this.candidateServices(p.metadata.namespace, p.metadata.labels);
    for (const k of servicesMatching(candidates, p.metadata.labels)) this.queue.add(k);
  }

  private onNodeChange(oldNode: Node | undefined, newNode: Node | undefined, initial: boolean): void {
    this.nodeMap = undefined;
    if (initial) return;
    const zone = (n: Node | undefined): string | undefined => n?.metadata.labels?.[LABEL_TOPOLOGY_ZONE];
    const relevant =
      !oldNode ||
      !newNode ||
      isNodeReady(oldNode) !== isNodeReady(newNode) ||
      zone(oldNode) !== zone(newNode) ||
      oldNode.status?.allocatable?.cpu !== newNode.status?.allocatable?.cpu;
    if (!relevant) return;
    // Endpoints carry their node's zone, and pods skipped for a missing node can now be added.
    if (newNode && (!oldNode || zone(oldNode) !== zone(newNode))) {
      for (const p of this.pods.byIndex(IDX_POD_NODE, newNode.metadata.name ?? '')) this.queueServicesForPod(p);
    }
    // Services whose zone allocation no longer holds (upstream topology queue).
    if (this.hintsByService.size > 0) {
      const ratios = zoneCpuRatios(this.nodes.list());
      for (const [key, hints] of this.hintsByService) if (serviceOverloaded(hints, ratios)) this.queue.add(key);
    }
  }

  private nodeLookup(): Map<string, Node> {
    this.nodeMap ??= new Map(this.nodes.list().map((n) => [n.metadata.name ?? '', n]));
    return this.nodeMap;
  }

  /** Pods in the service's namespace its selector matches, through the label index. */
  private selectedPods(svc: Service): Pod[] {
    const ns = svc.metadata.namespace ?? '';
    const sel = svc.spec?.selector ?? {};
    let best: Pod[] | undefined;
    for (const [k, v] of Object.entries(sel)) {
      const bucket = this.pods.byIndex(IDX_POD_LABEL, `${ns}/${k}=${v}`);
      if (!best || bucket.length < best.length) best = bucket;
      if (best.length === 0) break;
    }
    return (best ?? []).filter((p) => selectorMatches(sel, p.metadata.labels));
  }

  async sync(key: string): Promise<void> {
    const svc = this.services.getByKey(key);
    if (!svc) {
      // Deleted: its slices go with it through their ownerReference (garbage collector).
      this.triggerTimes.delete(key);
      this.tracker.deleteService(key);
      this.hintsByService.delete(key);
      this.lastEvent.delete(key);
      this.staleRetries.delete(key);
      return;
    }
    const existing = this.slices
      .byIndex(IDX_SLICE_SERVICE, key)
      .filter((s) => this.managed(s) && !s.metadata.deletionTimestamp);
    if (!serviceWantsSlices(svc) && existing.length === 0) return;

    if (this.tracker.staleSlices(key, svc.metadata.uid ?? '', existing)) {
      // Our informer has not seen our own last writes yet: a plan now would be built on old data.
      const n = this.staleRetries.get(key) ?? 0;
      this.staleRetries.set(key, n + 1);
      this.queue.addAfter(key, Math.min(1000, 50 * 2 ** n));
      return;
    }
    this.staleRetries.delete(key);

    const pods = serviceWantsSlices(svc) ? this.selectedPods(svc) : [];
    const triggerTime = this.triggerTimes.compute(key, svc, pods);
    const plan = reconcile({
      service: svc,
      pods,
      nodes: this.nodeLookup(),
      existingSlices: existing,
      maxEndpointsPerSlice: this.ctx.config.maxEndpointsPerSlice,
      now: new Date(this.ctx.clock.now()),
      triggerTime,
    });

    if (plan.hintsByZone && hintsEnabled(svc.metadata.annotations)) this.hintsByService.set(key, plan.hintsByZone);
    else this.hintsByService.delete(key);
    const events: ServiceEvent[] = [...plan.events];
    const family = addressTypesForService(svc).join(',');
    const wasOn = this.lastEvent.get(key) === 'TopologyAwareHintsEnabled';
    if (plan.hintsByZone !== null && !wasOn) {
      events.push({ type: 'Normal', reason: 'TopologyAwareHintsEnabled', message: `${MSG_HINTS_ENABLED}, addressType: ${family}` });
    } else if (wasOn && !hintsEnabled(svc.metadata.annotations)) {
      events.push({ type: 'Warning', reason: 'TopologyAwareHintsDisabled', message: `${MSG_HINTS_DISABLED}, addressType: ${family}` });
    }
    for (const ev of events) await this.recordEvent(svc, ev);

    await this.apply(svc, plan.toCreate, plan.toUpdate, plan.toDelete);

    if (plan.skippedPods.length > 0) {
      throw new Error(`skipped pods ${plan.skippedPods.slice(0, 5).join(', ')}${plan.skippedPods.length > 5 ? ', ...' : ''} of ${key}: node not found`);
    }
  }

  private async apply(svc: Service, toCreate: EndpointSlice[], toUpdate: EndpointSlice[], toDelete: EndpointSlice[]): Promise<void> {
    const { client } = this.ctx;
    const ns = svc.metadata.namespace ?? '';
    const signal = this.ctx.signal;
    for (const s of toCreate) {
      try {
        this.tracker.update(await client.create<EndpointSlice>(ENDPOINTSLICES, ns, s, { fieldManager: FIELD_MANAGER, signal }));
      } catch (err) {
        // Creates keep failing in a terminating namespace; the namespace controller cleans up.
        if (err instanceof KubeApiError && err.code === 403 && /terminat/i.test(err.message)) return;
        throw new Error(`failed to create EndpointSlice for Service ${keyOf(svc)}: ${(err as Error).message}`);
      }
    }
    for (const s of toUpdate) {
      try {
        this.tracker.update(await client.update<EndpointSlice>(ENDPOINTSLICES, ns, s, { fieldManager: FIELD_MANAGER, signal }));
      } catch (err) {
        throw new Error(`failed to update ${s.metadata.name ?? ''} EndpointSlice for Service ${keyOf(svc)}: ${(err as Error).message}`);
      }
    }
    for (const s of toDelete) {
      try {
        await client.delete(ENDPOINTSLICES, ns, s.metadata.name ?? '', { signal });
      } catch (err) {
        if (!isNotFound(err)) throw new Error(`failed to delete ${s.metadata.name ?? ''} EndpointSlice for Service ${keyOf(svc)}: ${(err as Error).message}`);
      }
      this.tracker.expectDeletion(s);
    }
  }

  /** Posts a core/v1 Event on the Service, once per change of reason+message (best effort). */
  private async recordEvent(svc: Service, ev: ServiceEvent): Promise<void> {
    const key = keyOf(svc);
    const sig = ev.reason === 'TopologyAwareHintsEnabled' ? ev.reason : `${ev.reason}\n${ev.message}`;
    if (this.lastEvent.get(key) === sig) return;
    this.lastEvent.set(key, sig);
    const now = new Date(this.ctx.clock.now());
    const ts = now.toISOString().replace(/\.\d+Z$/, 'Z');
    this.ctx.log.info(`${key}: ${ev.reason}: ${ev.message}`);
    try {
      await this.ctx.client.create(EVENTS, svc.metadata.namespace, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${svc.metadata.name ?? ''}.${(BigInt(now.getTime()) * 1_000_000n).toString(16)}`, namespace: svc.metadata.namespace },
        involvedObject: {
          kind: 'Service',
          namespace: svc.metadata.namespace,
          name: svc.metadata.name,
          uid: svc.metadata.uid,
          apiVersion: 'v1',
          resourceVersion: svc.metadata.resourceVersion,
        },
        reason: ev.reason,
        message: ev.message,
        source: { component: EVENT_COMPONENT },
        firstTimestamp: ts,
        lastTimestamp: ts,
        count: 1,
        type: ev.type,
        reportingComponent: EVENT_COMPONENT,
        reportingInstance: '',
      }, { fieldManager: FIELD_MANAGER, signal: this.ctx.signal });
    } catch (err) {
      this.ctx.log.debug(`recording event on ${key} failed: ${(err as Error).message}`);
    }
  }
}

async function run(ctx: ControllerContext): Promise<void> {
  const syncer = new EndpointSliceSyncer(ctx);
  syncer.registerHandlers();
  await runController({
    name: 'endpointslice',
    workers: ctx.config.workers,
    queue: syncer.queue,
    reconcile: (key) => syncer.sync(key),
    signal: ctx.signal,
    log: ctx.log,
    waitFor: syncer.informers,
  });
}

export const endpointSliceController: ControllerDescriptor = {
  name: 'endpointslice',
  run,
};
