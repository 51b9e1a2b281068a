/**
 * The namespace controller (kube-controller-manager `namespace`): empties a namespace that has
 * a deletionTimestamp and then removes the `kubernetes` finalizer through the finalize
 * subresource, after which the API server deletes the namespace.
 *
 * One pass (upstream `namespacedResourcesDeleter.Delete`): make sure the phase is Terminating;
 * delete pods first (upstream's OrderedNamespaceDeletion) and, once they are gone, every other
 * namespaced type of RESOURCE_TYPES (deletecollection, or one by one when that is refused), with
 * propagationPolicy Background; list what is left; record the deletion conditions; then either
 * come back later (graceful pods, finalizers), fail (content that should be gone and is not,
 * retried with backoff) or finalize. Pod deletions in a Terminating namespace trigger a pass.
 */
import type { KubeObject } from '../../api/object.js';
import { isRecord } from '../../api/object.js';
import { RESOURCE_TYPES } from '../../apiserver/resources.js';
import { runController } from '../../client/controller.js';
import { isConflict, isNotFound, KubeApiError, type KubeClient, type ResourceRef } from '../../client/kube-client.js';
import { BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, WorkQueue } from '../../client/workqueue.js';
import type { Informer } from '../../client/informer.js';
import type { Clock } from '../../client/clock.js';
import type { Logger } from '../../log/logger.js';
import type { ControllerContext, ControllerDescriptor } from '../controller-context.js';
import { NAMESPACES, NODES, PODS } from '../resources.js';
import { type NamespaceCondition, failureConditions, updateNamespaceConditions } from './namespace-conditions.js';
import { assessRemaining, gvrString, resourceLabel } from './namespace-content.js';

const FIELD_MANAGER = 'namespace-controller';
const FINALIZER_KUBERNETES = 'kubernetes';
/** Upstream's namespace queue backs off at most a minute, so stuck namespaces are retried often. */
const MAX_BACKOFF_MS = 60_000;

interface NamespaceStatus {
  phase?: string;
  conditions?: NamespaceCondition[];
}

interface PassResult {
  readonly contentErrors: string[];
  readonly remainingByResource: Map<string, number>;
  readonly remainingByFinalizer: Map<string, number>;
  requeueAfterMs: number | undefined;
}

function statusOf(ns: KubeObject): NamespaceStatus {
  return isRecord(ns.status) ? (ns.status as NamespaceStatus) : {};
}

function specFinalizers(ns: KubeObject): string[] {
  const f = isRecord(ns.spec) ? ns.spec.finalizers : undefined;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

function nodeIsReady(node: KubeObject | undefined): boolean {
  const conds = isRecord(node?.status) ? (node.status as { conditions?: { type?: string; status?: string }[] }).conditions : undefined;
  return Array.isArray(conds) && conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class NamespaceDeleter {
  /** Operations a type refused with 404/405 (upstream's opCache): `deletecollection:<gvr>`, `list:<gvr>`. */
  private readonly unsupported = new Set<string>();
  private readonly client: KubeClient;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly nodes: Informer | undefined;
  private readonly requeue: (name: string, ms: number) => void;

  constructor(opts: { client: KubeClient; log: Logger; clock: Clock; nodes?: Informer; requeue: (name: string, ms: number) => void }) {
    this.client = opts.client;
    this.log = opts.log;
    this.clock = opts.clock;
    this.nodes = opts.nodes;
    this.requeue = opts.requeue;
  }

  /** One pass over namespace `name`; throws to be retried with backoff. */
  async sync(name: string): Promise<void> {
    let ns: KubeObject;
    try {
      ns = await this.client.get(NAMESPACES, undefined, name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!ns.metadata.deletionTimestamp) return;
    if (statusOf(ns).phase !== 'Terminating') {
      ns = await this.client.updateStatus(NAMESPACES, undefined, { ...ns, status: { ...statusOf(ns), phase: 'Terminating' } }, { fieldManager: FIELD_MANAGER });
    }
    if (!specFinalizers(ns).includes(FINALIZER_KUBERNETES)) return;

    const pass: PassResult = { contentErrors: [], remainingByResource: new Map(), remainingByFinalizer: new Map(), requeueAfterMs: undefined };
    const namespaced = RESOURCE_TYPES.filter((t) => t.namespaced);
    const pods = namespaced.filter((t) => t.group === '' && t.plural === 'pods');
    const rest = namespaced.filter((t) => !(t.group === '' && t.plural === 'pods'));
    for (const t of pods) await this.deleteAllOf(t, name, pass);
    // Everything else waits until the pods are gone, so that workloads stop before their
    // Services, ConfigMaps and Secrets disappear.
    const podsLeft = [...pass.remainingByResource.values()].some((n) => n > 0);
    if (!podsLeft) for (const t of rest) await this.deleteAllOf(t, name, pass);

    const failures = failureConditions({ discoveryErrors: [], ...pass });
    const now = new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { conditions, changed } = updateNamespaceConditions(statusOf(ns).conditions ?? [], failures, now);
    if (changed) {
      try {
        ns = await this.client.updateStatus(NAMESPACES, undefined, { ...ns, status: { ...statusOf(ns), phase: 'Terminating', conditions } }, { fieldManager: FIELD_MANAGER });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
    }
    if (pass.contentErrors.length > 0) throw new Error(`namespace ${name}: ${pass.contentErrors.join('; ')}`);
    const remaining = [...pass.remainingByResource.values()].some((n) => n > 0);
    if (remaining || podsLeft) {
      this.requeue(name, pass.requeueAfterMs ?? 1000);
      return;
    }
    await this.finalize(ns);
  }

  private async finalize(ns: KubeObject): Promise<void> {
    const name = ns.metadata.name ?? '';
    const finalizers = specFinalizers(ns).filter((f) => f !== FINALIZER_KUBERNETES);
    const body: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: ns.metadata,
      spec: { ...(isRecord(ns.spec) ? ns.spec : {}), finalizers },
    };
    try {
      await this.client.update(NAMESPACES, undefined, body, { subresource: 'finalize', fieldManager: FIELD_MANAGER });
      this.log.info(`namespace ${name}: content removed, finalized`);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  /** Deletes every object of one type in the namespace and records what is left. */
  private async deleteAllOf(t: ResourceRef, ns: string, pass: PassResult): Promise<void> {
    const gvr = gvrString(t);
    try {
      if (!(await this.deleteCollection(t, ns))) {
        const items = await this.listItems(t, ns);
        for (const item of items ?? []) {
          if (item.metadata.deletionTimestamp) continue;
          await this.deleteOne(t, ns, item, {});
        }
      }
      const items = await this.listItems(t, ns);
      if (items === undefined || items.length === 0) return;
      const a = assessRemaining({
        resource: t,
        items,
        nowMs: this.clock.now(),
        nodeCanFinishPods: (node) => nodeIsReady(this.nodes?.get('', node)),
      });
      for (const pod of a.forceDelete) {
        this.log.info(`namespace ${ns}: force-deleting pod ${pod.metadata.name ?? ''} (grace period over, node ${String((pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '<none>')} cannot finish it)`);
        await this.deleteOne(t, ns, pod, { gracePeriodSeconds: 0 });
      }
      pass.remainingByResource.set(resourceLabel(t), a.count);
      for (const [f, n] of a.finalizers) pass.remainingByFinalizer.set(f, (pass.remainingByFinalizer.get(f) ?? 0) + n);
      if (a.requeueAfterMs !== undefined) pass.requeueAfterMs = Math.min(pass.requeueAfterMs ?? Infinity, a.requeueAfterMs);
      if (a.unexpected > 0) pass.contentErrors.push(`unexpected items still remain in namespace: ${ns} for gvr: ${gvr}`);
    } catch (e) {
      pass.contentErrors.push(errorText(e));
    }
  }

  /** DELETE on the collection; false when the server does not offer it for this type. */
  private async deleteCollection(t: ResourceRef, ns: string): Promise<boolean> {
    const key = `deletecollection:${gvrString(t)}`;
    if (this.unsupported.has(key)) return false;
    try {
      await this.client.request({
        method: 'DELETE',
        path: this.client.resourcePath(t, ns),
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
      });
      return true;
    } catch (e) {
      if (e instanceof KubeApiError && (e.code === 404 || e.code === 405)) {
        this.unsupported.add(key);
        return false;
      }
      throw e;
    }
  }

  /** The objects of one type in the namespace; undefined when the type cannot be listed. */
  private async listItems(t: ResourceRef, ns: string): Promise<KubeObject[] | undefined> {
    const key = `list:${gvrString(t)}`;
    if (this.unsupported.has(key)) return undefined;
    try {
      return (await this.client.list(t, ns, { followContinue: true, limit: 500 })).items;
    } catch (e) {
      if (e instanceof KubeApiError && (e.code === 404 || e.code === 405)) {
        this.unsupported.add(key);
        return undefined;
      }
      throw e;
    }
  }

  private async deleteOne(t: ResourceRef, ns: string, item: KubeObject, opts: { gracePeriodSeconds?: number }): Promise<void> {
    const uid = item.metadata.uid;
    try {
      await this.client.delete(t, ns, item.metadata.name ?? '', {
        propagationPolicy: 'Background',
        ...opts,
        ...(uid ? { preconditions: { uid } } : {}),
      });
    } catch (e) {
      if (isNotFound(e) || isConflict(e) || (e instanceof KubeApiError && e.code === 405)) return;
      throw e;
    }
  }
}

export const namespaceController: ControllerDescriptor = {
  name: 'namespace',
  async run(ctx: ControllerContext): Promise<void> {
    const queue = new WorkQueue<string>({
      name: 'namespace',
      clock: ctx.clock,
      rateLimiter: new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter<string>(5, MAX_BACKOFF_MS), new BucketRateLimiter<string>(10, 100, ctx.clock)),
    });
    const namespaces = ctx.informers.informer(NAMESPACES);
    const pods = ctx.informers.informer(PODS);
    const nodes = ctx.informers.informer(NODES);
    const enqueueIfDeleting = (ns: KubeObject): void => {
      if (ns.metadata.deletionTimestamp && ns.metadata.name) queue.add(ns.metadata.name);
    };
    namespaces.addEventHandler({ onAdd: enqueueIfDeleting, onUpdate: (_o, n) => enqueueIfDeleting(n) });
    // A pod going away may be the last thing a Terminating namespace waits for.
    pods.addEventHandler({
      onDelete: (pod) => {
        const ns = pod.metadata.namespace ? namespaces.get('', pod.metadata.namespace) : undefined;
        if (ns) enqueueIfDeleting(ns);
      },
    });
    const deleter = new NamespaceDeleter({ client: ctx.client, log: ctx.log, clock: ctx.clock, nodes, requeue: (name, ms) => queue.addAfter(name, ms) });
    await runController({
      name: 'namespace',
      workers: ctx.config.workers,
      queue,
      reconcile: (name) => deleter.sync(name),
      signal: ctx.signal,
      log: ctx.log,
      // Namespaces are retried until they are gone, as upstream does.
      maxRetries: Number.MAX_SAFE_INTEGER,
      waitFor: [namespaces, pods, nodes],
    });
  },
};
