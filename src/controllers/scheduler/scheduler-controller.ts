/**
 * The scheduler (kube-scheduler's default profile, simplified): binds pending pods to
 * Ready, schedulable nodes through `pods/binding`, one pod at a time so that each decision
 * sees the previous ones. Pods that fit nowhere get `PodScheduled=False/Unschedulable` and a
 * FailedScheduling event, and are retried when nodes change, when an assigned pod goes away,
 * and every five minutes (upstream's unschedulable-pod flush interval).
 *
 * Bound pods are "assumed" on their node until the pod informer shows the binding, so that a
 * burst of pods spreads correctly even while the cache lags.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/object.js';
import type { Informer } from '../../client/informer.js';
import { objectKey, splitKey } from '../../client/informer.js';
import { isConflict, isNotFound } from '../../client/kube-client.js';
import { runController } from '../../client/controller.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from '../controller-context.js';
import { NODES, PODS } from '../resources.js';
import { EventRecorder, involvedObjectOf } from '../events/event-recorder.js';
import { buildNodeInfo } from './node-info.js';
import { isTerminal, podInfo } from './pod-resources.js';
import { schedulePod } from './schedule-pod.js';
import type { Node, NodeInfo, Pod, PodCondition, PodInfo } from './scheduling-types.js';

export const SCHEDULER_NAME = 'default-scheduler';
const FIELD_MANAGER = 'kube-scheduler';
const NODE_NAME_INDEX = 'scheduler:spec.nodeName';
/** Upstream podMaxInUnschedulablePodsDuration. */
const UNSCHEDULABLE_RETRY_MS = 5 * 60_000;

/** Whether this scheduler should place `pod`: unbound, ours, not finished or being deleted. */
export function needsScheduling(pod: Pod): boolean {
  const spec = pod.spec ?? {};
  if (spec.nodeName) return false;
  if (spec.schedulerName && spec.schedulerName !== SCHEDULER_NAME) return false;
  if (pod.metadata.deletionTimestamp) return false;
  return !isTerminal(pod);
}

/** Node changes that can make an unschedulable pod fit (upstream's node-update queueing hints). */
export function nodeChangeMayHelp(oldNode: Node, newNode: Node): boolean {
  const ready = (n: Node): string | undefined => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return (
    !isDeepStrictEqual(oldNode.metadata.labels ?? {}, newNode.metadata.labels ?? {}) ||
    !isDeepStrictEqual(oldNode.spec?.taints ?? [], newNode.spec?.taints ?? []) ||
    (oldNode.spec?.unschedulable ?? false) !== (newNode.spec?.unschedulable ?? false) ||
    !isDeepStrictEqual(oldNode.status?.allocatable ?? {}, newNode.status?.allocatable ?? {}) ||
    ready(oldNode) !== ready(newNode)
  );
}

/** A pod update other than status/bookkeeping (upstream isPodUpdated), which warrants a new attempt. */
function podSpecOrMetaChanged(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod): unknown => ({ spec: p.spec, labels: p.metadata.labels, annotations: p.metadata.annotations });
  return !isDeepStrictEqual(strip(oldPod), strip(newPod));
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

class Scheduler {
  private readonly queue: WorkQueue<string>;
  private readonly unschedulable = new Set<string>();
  /** Pods bound by us that the informer does not show bound yet: key → node and accounting. */
  private readonly assumed = new Map<string, { nodeName: string; info: PodInfo }>();
  private readonly events: EventRecorder;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly pods: Informer<Pod>,
    private readonly nodes: Informer<Node>,
  ) {
    this.queue = new WorkQueue<string>({ clock: ctx.clock, name: 'scheduler' });
    this.events = new EventRecorder({ client: ctx.client, component: SCHEDULER_NAME, clock: ctx.clock, log: ctx.log });
  }

  register(): void {
    this.pods.addEventHandler({
      onAdd: (pod) => this.onPod(undefined, pod),
      onUpdate: (oldPod, newPod) => this.onPod(oldPod, newPod),
      onDelete: (pod) => {
        const key = objectKey(pod);
        this.unschedulable.delete(key);
        const wasPlaced = this.assumed.delete(key) || (!!pod.spec?.nodeName && !isTerminal(pod));
        if (wasPlaced) this.retryUnschedulable();
      },
    });
    this.nodes.addEventHandler({
      onAdd: () => this.retryUnschedulable(),
      onUpdate: (oldNode, newNode) => {
        if (nodeChangeMayHelp(oldNode, newNode)) this.retryUnschedulable();
      },
    });
  }

  private onPod(oldPod: Pod | undefined, pod: Pod): void {
    const key = objectKey(pod);
    if (pod.spec?.nodeName) {
      this.assumed.delete(key);
      this.unschedulable.delete(key);
      // A placed pod that finished frees its node's resources.
      if (oldPod && !isTerminal(oldPod) && isTerminal(pod)) this.retryUnschedulable();
      return;
    }
    if (!needsScheduling(pod)) return;
    // Our own condition writes must not cause another attempt.
    if (oldPod && this.unschedulable.has(key) && !podSpecOrMetaChanged(oldPod, pod)) return;
    this.queue.add(key);
  }

  private retryUnschedulable(): void {
    for (const key of this.unschedulable) this.queue.add(key);
  }

  async run(): Promise<void> {
    await runController({
      name: 'scheduler',
      // One pod at a time: each decision must see the node usage of the previous one.
      workers: 1,
      queue: this.queue,
      reconcile: (key) => this.scheduleOne(key),
      signal: this.ctx.signal,
      log: this.ctx.log,
      waitFor: [this.pods, this.nodes],
    });
  }

  /** Every node with the live pods on it, counting assumed pods. */
  private nodeInfos(): NodeInfo[] {
    const extra = new Map<string, PodInfo[]>();
    for (const [key, a] of this.assumed) {
      const { namespace, name } = splitKey(key);
      const cached = this.pods.get(namespace, name);
      if (cached?.spec?.nodeName) continue; // the informer already counts it
      const list = extra.get(a.nodeName) ?? [];
      list.push(a.info);
      extra.set(a.nodeName, list);
    }
    return this.nodes.list().map((node) => {
      const name = node.metadata.name ?? '';
      const placed = this.pods.byIndex(NODE_NAME_INDEX, name).filter((p) => !isTerminal(p));
      return buildNodeInfo(node, [...placed.map(podInfo), ...(extra.get(name) ?? [])]);
    });
  }

  private async scheduleOne(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || !needsScheduling(pod)) {
      this.unschedulable.delete(key);
      return;
    }
    if (this.assumed.has(key)) return;
    const result = schedulePod(pod, this.nodeInfos());
    if (result.kind === 'bind') await this.bind(key, pod, result.nodeName);
    else await this.markUnschedulable(key, pod, result.message);
  }

  private async bind(key: string, pod: Pod, nodeName: string): Promise<void> {
    const { client } = this.ctx;
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    try {
      await client.request({
        method: 'POST',
        path: client.resourcePath(PODS, ns, name, 'binding'),
        query: { fieldManager: FIELD_MANAGER },
        body: {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace: ns, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
          target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
        },
        signal: this.ctx.signal,
      });
    } catch (err) {
      // Gone, already bound elsewhere, or being deleted: nothing left to do for this pod.
      if (isNotFound(err) || isConflict(err)) {
        this.ctx.log.debug(`scheduler: binding ${key} to ${nodeName} skipped: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      throw err;
    }
    this.assumed.set(key, { nodeName, info: podInfo(pod) });
    this.unschedulable.delete(key);
    this.ctx.log.debug(`scheduler: bound ${key} to ${nodeName}`);
    this.events.event(involvedObjectOf(pod, 'v1', 'Pod'), 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${nodeName}`, 'Binding');
  }

  private async markUnschedulable(key: string, pod: Pod, message: string): Promise<void> {
    this.unschedulable.add(key);
    this.queue.addAfter(key, UNSCHEDULABLE_RETRY_MS);
    const prior: PodCondition | undefined = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (!(prior?.status === 'False' && prior.reason === 'Unschedulable' && prior.message === message)) {
      const condition = {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        // The transition time stays while the status does (upstream UpdatePodCondition).
        lastTransitionTime: prior?.status === 'False' && prior.lastTransitionTime ? prior.lastTransitionTime : rfc3339(this.ctx.clock.now()),
        reason: 'Unschedulable',
        message,
      };
      try {
        await this.ctx.client.patch<KubeObject>(PODS, pod.metadata.namespace, pod.metadata.name ?? '', { status: { conditions: [condition] } }, 'strategic', {
          subresource: 'status',
          fieldManager: FIELD_MANAGER,
          signal: this.ctx.signal,
        });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    this.events.event(involvedObjectOf(pod, 'v1', 'Pod'), 'Warning', 'FailedScheduling', message, 'Scheduling');
  }
}

export const schedulerController: ControllerDescriptor = {
  name: 'scheduler',
  async run(ctx: ControllerContext): Promise<void> {
    const pods = ctx.informers.informer<Pod>(PODS);
    const nodes = ctx.informers.informer<Node>(NODES);
    pods.addIndexer(NODE_NAME_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    const scheduler = new Scheduler(ctx, pods, nodes);
    scheduler.register();
    await scheduler.run();
  },
};
