/**
 * The garbage collector (kube-controller-manager `garbagecollector`): one informer per served
 * resource type feeds the ownerReference graph; a queue of uids is worked through the pure
 * plans of gc-decisions.ts. Owners missing from the graph are confirmed with a live GET before
 * any dependent is deleted (upstream's absent-owner check), and a uid confirmed absent is
 * remembered (uids are never reused).
 */
import type { KubeObject, OwnerReference } from '../../api/object.js';
import { type ResourceType, findByKind, RESOURCE_TYPES } from '../../apiserver/resources.js';
import { runController } from '../../client/controller.js';
import type { Informer } from '../../client/informer.js';
import { isConflict, isNotFound, type KubeClient } from '../../client/kube-client.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Logger } from '../../log/logger.js';
import type { ControllerContext, ControllerDescriptor } from '../controller-context.js';
import {
  type OwnerLookup,
  isDeletingDependents,
  planForDeletingOwner,
  planForDependent,
  withoutFinalizer,
  withoutOwner,
} from './gc-decisions.js';
import { type GraphNode, OwnerGraph, graphNodeOf } from './owner-graph.js';

const FIELD_MANAGER = 'generic-garbage-collector';

/** The API calls the collector makes (KubeClient satisfies it). */
export type GcClient = Pick<KubeClient, 'get' | 'patch' | 'delete'>;
/** Remembered absent owner uids (upstream's absentOwnerCache holds 500). */
const ABSENT_CACHE_SIZE = 1000;

/** Upstream runs 20 GC workers; we take at least the configured count. */
const MIN_WORKERS = 5;

class AbsentOwnerCache {
  private readonly uids = new Set<string>();
  has(uid: string): boolean {
    return this.uids.has(uid);
  }
  add(uid: string): void {
    this.uids.add(uid);
    if (this.uids.size > ABSENT_CACHE_SIZE) {
      const oldest = this.uids.values().next().value;
      if (oldest !== undefined) this.uids.delete(oldest);
    }
  }
}

/** Changes that make an object worth another look. */
function materiallyChanged(a: GraphNode, b: GraphNode): boolean {
  return (
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.finalizers) !== JSON.stringify(b.finalizers) ||
    JSON.stringify(a.ownerReferences) !== JSON.stringify(b.ownerReferences)
  );
}

export class GarbageCollector {
  readonly graph = new OwnerGraph();
  readonly queue: WorkQueue<string>;
  private readonly absent = new AbsentOwnerCache();
  private readonly client: GcClient;
  private readonly log: Logger;

  constructor(opts: { client: GcClient; log: Logger; queue?: WorkQueue<string> }) {
    this.client = opts.client;
    this.log = opts.log;
    this.queue = opts.queue ?? new WorkQueue<string>({ name: 'garbage_collector_attempt_to_delete' });
  }

  /** Informer events for one resource type. */
  observe(inf: Informer, resource: ResourceType): void {
    inf.addEventHandler({
      onAdd: (obj) => this.handleUpsert(resource, obj),
      onUpdate: (_old, obj) => this.handleUpsert(resource, obj),
      onDelete: (obj) => this.handleDelete(obj),
    });
  }

  /** An object of `resource` was added or changed: update the graph, enqueue what may need work. */
  handleUpsert(resource: ResourceType, obj: KubeObject): void {
    const node = graphNodeOf(resource, obj);
    if (!node) return;
    const previous = this.graph.upsert(node);
    if (previous && previous.resourceVersion === node.resourceVersion) return;
    if (!previous || materiallyChanged(previous, node)) {
      if (node.ownerReferences.length > 0 || node.deletionTimestamp) this.queue.add(node.uid);
      // An owner waiting on its dependents may be unblocked by this change.
      for (const ref of [...(previous?.ownerReferences ?? []), ...node.ownerReferences]) this.enqueueIfDeleting(ref.uid);
    }
  }

  /** An object is gone: its dependents and waiting owners need another look. */
  handleDelete(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    const node = this.graph.remove(uid);
    for (const dep of this.graph.dependents(uid)) this.queue.add(dep.uid);
    for (const ref of node?.ownerReferences ?? obj.metadata.ownerReferences ?? []) this.enqueueIfDeleting(ref.uid);
  }

  private enqueueIfDeleting(uid: string): void {
    if (this.graph.get(uid)?.deletionTimestamp) this.queue.add(uid);
  }

  /** Processes one uid; idempotent, throws to be retried. */
  async reconcile(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    if (node.deletionTimestamp) return this.processDeletingOwner(node);
    if (node.ownerReferences.length === 0) return;
    const lookups = new Map<string, OwnerLookup>();
    for (const ref of node.ownerReferences) lookups.set(ref.uid, await this.lookupOwner(node, ref));
    const plan = planForDependent(node, lookups, this.graph.dependents(uid).length > 0);
    switch (plan.action) {
      case 'none':
        return;
      case 'patchOwnerReferences':
        this.log.debug(`updating ownerReferences of ${describe(node)}`);
        await this.patchMetadata(node, { ownerReferences: plan.ownerReferences.length > 0 ? plan.ownerReferences : null });
        return;
      case 'delete':
        this.log.info(`deleting ${describe(node)} (no owner keeps it), propagationPolicy=${plan.policy}`);
        await this.deleteObject(node, plan.policy);
        return;
    }
  }

  private async processDeletingOwner(owner: GraphNode): Promise<void> {
    const plan = planForDeletingOwner(owner, this.graph.dependents(owner.uid));
    switch (plan.action) {
      case 'none':
        return;
      case 'orphanDependents': {
        for (const dep of plan.dependents) {
          this.log.debug(`orphaning ${describe(dep)} from ${describe(owner)}`);
          const refs = withoutOwner(dep.ownerReferences, owner.uid);
          await this.patchMetadata(dep, { ownerReferences: refs.length > 0 ? refs : null });
        }
        // The dependents' updates re-enqueue the owner; with all references gone the finalizer goes.
        return;
      }
      case 'awaitDependents':
        for (const dep of plan.dependents) this.queue.add(dep.uid);
        return;
      case 'removeFinalizer': {
        for (const dep of plan.dependents) this.queue.add(dep.uid);
        const rest = withoutFinalizer(owner.finalizers, plan.finalizer);
        this.log.debug(`removing finalizer ${plan.finalizer} from ${describe(owner)}`);
        await this.patchMetadata(owner, { finalizers: rest.length > 0 ? rest : null });
        return;
      }
    }
  }

  /** Finds out whether the owner named by `ref` exists: the graph first, then a live GET. */
  private async lookupOwner(dependent: GraphNode, ref: OwnerReference): Promise<OwnerLookup> {
    const known = this.graph.get(ref.uid);
    if (known) return { kind: 'present', deletingDependents: isDeletingDependents(known) };
    if (this.absent.has(ref.uid)) return { kind: 'absent' };
    const type = findByKind(ref.apiVersion, ref.kind);
    if (!type) return { kind: 'unresolvable' };
    // A cluster-scoped dependent cannot have a namespaced owner: such a reference never resolves.
    if (type.namespaced && !dependent.namespace) {
      this.absent.add(ref.uid);
      return { kind: 'absent' };
    }
    try {
      const live = await this.client.get(type, type.namespaced ? dependent.namespace : undefined, ref.name);
      if (live.metadata.uid !== ref.uid) {
        this.absent.add(ref.uid);
        return { kind: 'absent' };
      }
      return {
        kind: 'present',
        deletingDependents: isDeletingDependents({ deletionTimestamp: live.metadata.deletionTimestamp, finalizers: live.metadata.finalizers ?? [] }),
      };
    } catch (e) {
      if (isNotFound(e)) {
        this.absent.add(ref.uid);
        return { kind: 'absent' };
      }
      throw e;
    }
  }

  /** Merge-patches metadata, conditional on the resourceVersion the graph saw (409 → retried). */
  private async patchMetadata(node: GraphNode, metadata: Record<string, unknown>): Promise<void> {
    try {
      await this.client.patch(
        node.resource,
        node.namespace || undefined,
        node.name,
        { metadata: { uid: node.uid, resourceVersion: node.resourceVersion, ...metadata } },
        'merge',
        { fieldManager: FIELD_MANAGER },
      );
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  private async deleteObject(node: GraphNode, policy: 'Background' | 'Foreground' | 'Orphan'): Promise<void> {
    try {
      await this.client.delete(node.resource, node.namespace || undefined, node.name, { propagationPolicy: policy, preconditions: { uid: node.uid } });
    } catch (e) {
      // Gone already, or replaced by a new object of the same name (uid precondition).
      if (isNotFound(e) || isConflict(e)) return;
      throw e;
    }
  }
}

function describe(n: GraphNode): string {
  const kind = `${n.resource.plural}${n.resource.group ? `.${n.resource.group}` : ''}`;
  return `${kind} ${n.namespace ? `${n.namespace}/` : ''}${n.name} (uid ${n.uid})`;
}

export const garbageCollectorController: ControllerDescriptor = {
  name: 'garbagecollector',
  async run(ctx: ControllerContext): Promise<void> {
    const gc = new GarbageCollector({ client: ctx.client, log: ctx.log, queue: new WorkQueue<string>({ name: 'garbage_collector_attempt_to_delete', clock: ctx.clock }) });
    const informers = RESOURCE_TYPES.map((t) => {
      const inf = ctx.informers.informer(t);
      gc.observe(inf, t);
      return inf;
    });
    await runController({
      name: 'garbagecollector',
      workers: Math.max(MIN_WORKERS, ctx.config.workers),
      queue: gc.queue,
      reconcile: (uid) => gc.reconcile(uid),
      signal: ctx.signal,
      log: ctx.log,
      waitFor: informers,
    });
  },
};
