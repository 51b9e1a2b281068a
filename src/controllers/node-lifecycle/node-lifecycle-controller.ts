/**
 * The node lifecycle controller (kube-controller-manager `nodelifecycle`) plus node IPAM.
 *
 * Health: nodes heartbeat through their Lease `kube-node-lease/<node>` and the Ready condition's
 * lastHeartbeatTime. A node silent for the grace period (config nodeMonitorGracePeriodMs, or
 * the SWITCHYARD_NODE_MONITOR_GRACE_PERIOD override) gets Ready (and the pressure conditions)
 * Unknown; taints follow the conditions (unreachable / not-ready, NoSchedule and NoExecute);
 * pods on a node that is not Ready get their Ready condition set to False. When the node
 * reports Ready again the taints are removed.
 *
 * Not implemented: zone disruption handling and NoExecute eviction of pods (the taint manager).
 */
import type { KubeObject } from '../../api/object.js';
import { isRecord } from '../../api/object.js';
import { runController } from '../../client/controller.js';
import { isNotFound } from '../../client/kube-client.js';
import type { Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from '../controller-context.js';
import { LEASES, NODES, PODS } from '../resources.js';
import { effectiveGracePeriodMs } from './grace-period.js';
import {
  type HeartbeatRecord,
  msUntilStale,
  observeHeartbeat,
  podStatusNotReady,
  readyStatus,
  reconcileTaints,
  sightingOf,
  silentNodeConditions,
} from './node-health.js';
import { NodeIpam } from './node-ipam.js';

const FIELD_MANAGER = 'node-controller';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Index of pods by spec.nodeName (named for this controller: the pod informer is shared). */
const POD_NODE_INDEX = 'nodelifecycle/nodeName';

function podNodeName(pod: KubeObject): string {
  const n = isRecord(pod.spec) ? pod.spec.nodeName : undefined;
  return typeof n === 'string' ? n : '';
}

function podIsReady(pod: KubeObject): boolean {
  const conds = isRecord(pod.status) && Array.isArray(pod.status.conditions) ? (pod.status.conditions as unknown[]) : [];
  return conds.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True');
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class NodeHealthMonitor {
  private readonly health = new Map<string, HeartbeatRecord>();
  readonly queue: WorkQueue<string>;
  readonly gracePeriodMs: number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly nodes: Informer,
    private readonly leases: Informer,
    private readonly pods: Informer,
    env: Readonly<Record<string, string | undefined>> = process.env,
  ) {
    this.queue = new WorkQueue<string>({ name: 'node_lifecycle', clock: ctx.clock });
    this.gracePeriodMs = effectiveGracePeriodMs(ctx.config.nodeMonitorGracePeriodMs, env);
    pods.addIndexer(POD_NODE_INDEX, (p) => {
      const n = podNodeName(p);
      return n ? [n] : [];
    });
  }

  async run(): Promise<void> {
    const { ctx, nodes, leases, pods, queue } = this;
    const enqueue = (o: KubeObject): void => {
      if (o.metadata.name) queue.add(o.metadata.name);
    };
    nodes.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_o, n) => enqueue(n),
      onDelete: (n) => this.health.delete(n.metadata.name ?? ''),
    });
    const onLease = (l: KubeObject): void => {
      if (l.metadata.namespace === NODE_LEASE_NAMESPACE) enqueue(l);
    };
    leases.addEventHandler({ onAdd: onLease, onUpdate: (_o, l) => onLease(l) });
    // A pod reporting Ready on a node that is not Ready is marked again (upstream processPod).
    const onPod = (p: KubeObject): void => {
      const nodeName = podNodeName(p);
      if (!nodeName || !podIsReady(p)) return;
      const node = nodes.get('', nodeName);
      if (node && readyStatus(node) !== 'True' && readyStatus(node) !== '') queue.add(nodeName);
    };
    pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p) });
    ctx.log.info(`node monitor grace period ${this.gracePeriodMs} ms`);
    await runController({
      name: 'nodelifecycle',
      workers: ctx.config.workers,
      queue,
      reconcile: (name) => this.reconcile(name),
      signal: ctx.signal,
      log: ctx.log,
      waitFor: [nodes, leases, pods],
    });
  }

  private async reconcile(name: string): Promise<void> {
    const { ctx } = this;
    let node = this.nodes.get('', name);
    if (!node) {
      this.health.delete(name);
      return;
    }
    const now = ctx.clock.now();
    const nowIso = rfc3339(now);
    const rec = observeHeartbeat(this.health.get(name), sightingOf(node, this.leases.get(NODE_LEASE_NAMESPACE, name)), now);
    this.health.set(name, rec);

    const untilStale = msUntilStale(rec, now, this.gracePeriodMs);
    if (untilStale <= 0) {
      const conditions = silentNodeConditions(node, nowIso);
      if (conditions) {
        ctx.log.info(`node ${name}: no heartbeat for ${Math.round((now - rec.probeMs) / 1000)} s, marking status Unknown`);
        node = await this.writeNode(() =>
          ctx.client.updateStatus(NODES, undefined, { ...node, status: { ...(isRecord(node?.status) ? node.status : {}), conditions } } as KubeObject, {
            fieldManager: FIELD_MANAGER,
          }),
        );
        if (!node) return;
      }
    } else {
      // Look again when the grace period would run out without a heartbeat.
      this.queue.addAfter(name, untilStale + 50);
    }

    const taints = reconcileTaints(node, nowIso);
    if (taints) {
      const current = node;
      node = await this.writeNode(() =>
        ctx.client.patch(
          NODES,
          undefined,
          name,
          { metadata: { resourceVersion: current.metadata.resourceVersion }, spec: { taints: taints.length > 0 ? taints : null } },
          'merge',
          { fieldManager: FIELD_MANAGER },
        ),
      );
      if (!node) return;
    }

    const ready = readyStatus(node);
    if (ready !== 'True' && ready !== '') await this.markPodsNotReady(name, nowIso);
  }

  /** Runs a node write; undefined when the node is gone. */
  private async writeNode(write: () => Promise<KubeObject>): Promise<KubeObject | undefined> {
    try {
      return await write();
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async markPodsNotReady(nodeName: string, nowIso: string): Promise<void> {
    const errors: string[] = [];
    for (const pod of this.pods.byIndex(POD_NODE_INDEX, nodeName)) {
      const status = podStatusNotReady(pod, nowIso);
      if (!status) continue;
      try {
        await this.ctx.client.updateStatus(PODS, pod.metadata.namespace, { ...pod, status } as KubeObject, { fieldManager: FIELD_MANAGER });
        this.ctx.log.debug(`pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}: Ready=False (node ${nodeName} is not ready)`);
      } catch (e) {
        if (!isNotFound(e)) errors.push(e instanceof Error ? e.message : String(e));
      }
    }
    if (errors.length > 0) throw new Error(`marking pods on node ${nodeName} not ready: ${errors.join('; ')}`);
  }
}

export const nodeLifecycleController: ControllerDescriptor = {
  name: 'nodelifecycle',
  async run(ctx: ControllerContext): Promise<void> {
    const nodes = ctx.informers.informer(NODES);
    const leases = ctx.informers.informer(LEASES);
    const pods = ctx.informers.informer(PODS);
    const monitor = new NodeHealthMonitor(ctx, nodes, leases, pods);
    let ipam: NodeIpam | undefined;
    try {
      ipam = new NodeIpam(ctx, nodes);
    } catch (e) {
      ctx.log.error(`node IPAM disabled: ${e instanceof Error ? e.message : String(e)}`);
    }
    await Promise.all([monitor.run(), ipam?.run()]);
  },
};
