/**
 * The ReplicaSet controller (upstream pkg/controller/replicaset/replica_set.go): keeps
 * `spec.replicas` pods that match the selector and are owned by the ReplicaSet, adopting matching
 * orphans and releasing pods that stop matching, and reports the counts in status.
 *
 * Thin shell: informers + queue + expectations here; the decisions (how many pods, which ones to
 * delete, the status) are the pure functions of replicaset-plan.ts.
 */
import { cloneJson } from '../../api/object.js';
import { selectorFromLabelSelectorObject, type LabelSelector } from '../../apiserver/selectors/label-selector.js';
import { runController } from '../../client/controller.js';
import { type Informer, namespaceIndex, objectKey } from '../../client/informer.js';
import { isNotFound } from '../../client/kube-client.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from '../controller-context.js';
import { PODS, REPLICASETS } from '../resources.js';
import { EventRecorder, involvedObjectOf } from '../events/event-recorder.js';
import { type ClaimOwner, adoptPatch, classifyClaims, releasePatch } from './controller-ref.js';
import { ControllerExpectations } from './expectations.js';
import { controllerRef, isPodActive, isPodReady } from './pod-util.js';
import {
  type ManageError,
  calculateReplicaSetStatus,
  nextAvailabilityCheckMs,
  planReplicas,
  podFromTemplate,
  replicaSetStatusChanged,
  slowStartBatches,
} from './replicaset-plan.js';
import type { PodJson, ReplicaSetJson } from './workload-types.js';

export const REPLICASET_FIELD_MANAGER = 'replicaset-controller';
/** Index of cached objects by namespace (shared informers: same name and function everywhere). */
export const NAMESPACE_INDEX = 'namespace';

export const replicaSetController: ControllerDescriptor = {
  name: 'replicaset',
  run: (ctx) => new ReplicaSetController(ctx).run(),
};

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class ReplicaSetController {
  private readonly rsInformer: Informer<ReplicaSetJson>;
  private readonly podInformer: Informer<PodJson>;
  private readonly queue: WorkQueue<string>;
  private readonly expectations: ControllerExpectations;
  private readonly events: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.rsInformer = ctx.informers.informer<ReplicaSetJson>(REPLICASETS);
    this.podInformer = ctx.informers.informer<PodJson>(PODS);
    this.rsInformer.addIndexer(NAMESPACE_INDEX, namespaceIndex);
    this.podInformer.addIndexer(NAMESPACE_INDEX, namespaceIndex);
    this.queue = new WorkQueue<string>({ name: 'replicaset', clock: ctx.clock });
    this.expectations = new ControllerExpectations(ctx.clock);
    this.events = new EventRecorder({ client: ctx.client, component: REPLICASET_FIELD_MANAGER, clock: ctx.clock, log: ctx.log });
  }

  async run(): Promise<void> {
    const { signal, log } = this.ctx;
    const unsubscribe = [
      this.rsInformer.addEventHandler({
        onAdd: (rs) => this.queue.add(objectKey(rs)),
        onUpdate: (_old, rs) => this.queue.add(objectKey(rs)),
        onDelete: (rs) => {
          this.expectations.delete(objectKey(rs));
          this.queue.add(objectKey(rs));
        },
      }),
      this.podInformer.addEventHandler({
        onAdd: (pod) => this.podAdded(pod),
        onUpdate: (old, pod) => this.podUpdated(old, pod),
        onDelete: (pod) => this.podDeleted(pod),
      }),
    ];
    try {
      await runController({
        name: 'replicaset',
        workers: this.ctx.config.workers,
        queue: this.queue,
        reconcile: (key) => this.sync(key),
        signal,
        log,
        waitFor: [this.rsInformer, this.podInformer],
      });
    } finally {
      for (const u of unsubscribe) u();
    }
  }

  // ---- event handlers ----

  /** The cached ReplicaSet a controller reference points at, if it is one and still the same object. */
  private resolveRef(pod: PodJson): ReplicaSetJson | undefined {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsInformer.get(pod.metadata.namespace ?? '', ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  private matchingReplicaSets(pod: PodJson): ReplicaSetJson[] {
    const labels = pod.metadata.labels;
    if (!labels || Object.keys(labels).length === 0) return [];
    return this.rsInformer.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '').filter((rs) => {
      try {
        const sel = selectorFromLabelSelectorObject(rs.spec?.selector);
        return !sel.empty && sel.matches(labels);
      } catch {
        return false;
      }
    });
  }

  private podAdded(pod: PodJson): void {
    if (pod.metadata.deletionTimestamp) {
      // Restarted controller seeing a pod already being deleted: that is a deletion, not a creation.
      this.podDeleted(pod);
      return;
    }
    if (controllerRef(pod)) {
      const rs = this.resolveRef(pod);
      if (!rs) return;
      const key = objectKey(rs);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const rs of this.matchingReplicaSets(pod)) this.queue.add(objectKey(rs));
  }

  private podUpdated(old: PodJson, pod: PodJson): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return; // periodic resync
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
    if (pod.metadata.deletionTimestamp) {
      // Graceful deletion started: count the pod as gone now, so replacements start at once.
      this.podDeleted(pod);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const oldRef = controllerRef(old);
    const curRef = controllerRef(pod);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const rs = this.resolveRef(old);
      if (rs) this.queue.add(objectKey(rs));
    }
    if (curRef) {
      const rs = this.resolveRef(pod);
      if (!rs) return;
      const key = objectKey(rs);
      this.queue.add(key);
      const minReady = rs.spec?.minReadySeconds ?? 0;
      // Re-check once the pod has been ready for minReadySeconds (it then becomes available).
      if (!isPodReady(old) && isPodReady(pod) && minReady > 0) this.queue.addAfter(key, minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.matchingReplicaSets(pod)) this.queue.add(objectKey(rs));
  }

  private podDeleted(pod: PodJson): void {
    const rs = this.resolveRef(pod);
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  // ---- sync ----

  private async sync(key: string): Promise<void> {
    const rs = this.rsInformer.getByKey(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelectorObject(rs.spec?.selector);
    } catch (err) {
      // Invalid selectors are rejected by validation; nothing to do until the object is fixed.
      this.ctx.log.warn(`replicaset ${key}: invalid selector: ${errorMessage(err)}`);
      return;
    }
    const ns = rs.metadata.namespace ?? '';
    const active = this.podInformer.byIndex(NAMESPACE_INDEX, ns).filter(isPodActive);
    const pods = await this.claimPods(rs, selector, active);

    let manageError: ManageError | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, rs, pods);
      } catch (err) {
        manageError = { message: errorMessage(err) };
      }
    }

    const now = this.ctx.clock.now();
    const status = calculateReplicaSetStatus(rs, pods, manageError, now);
    if (replicaSetStatusChanged(rs.status, status)) {
      const next = cloneJson(rs) as ReplicaSetJson;
      next.status = status;
      try {
        await this.ctx.client.updateStatus(REPLICASETS, ns, next, { fieldManager: REPLICASET_FIELD_MANAGER });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    if (manageError) throw new Error(manageError.message);
    const wait = nextAvailabilityCheckMs(rs, pods, now);
    if (wait !== undefined) this.queue.addAfter(key, wait);
  }

  /** Adopts matching orphans and releases owned pods that stopped matching; returns the owned pods. */
  private async claimPods(rs: ReplicaSetJson, selector: LabelSelector, active: readonly PodJson[]): Promise<PodJson[]> {
    const owner: ClaimOwner = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: rs.metadata.name ?? '',
      namespace: rs.metadata.namespace ?? '',
      uid: rs.metadata.uid ?? '',
      deleting: Boolean(rs.metadata.deletionTimestamp),
    };
    const claims = classifyClaims(owner, selector, active);
    const owned = [...claims.owned];
    const errors: unknown[] = [];
    if (claims.adopt.length) {
      // Re-read the ReplicaSet before adopting: the cache may hold one that was deleted or replaced.
      let canAdopt = false;
      try {
        const fresh = await this.ctx.client.get<ReplicaSetJson>(REPLICASETS, owner.namespace, owner.name);
        canAdopt = fresh.metadata.uid === owner.uid && !fresh.metadata.deletionTimestamp;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (canAdopt) {
        for (const pod of claims.adopt) {
          try {
            owned.push(await this.ctx.client.patch<PodJson>(PODS, owner.namespace, pod.metadata.name ?? '', adoptPatch(owner, pod), 'strategic', { fieldManager: REPLICASET_FIELD_MANAGER }));
          } catch (err) {
            if (!isNotFound(err)) errors.push(err);
          }
        }
      }
    }
    for (const pod of claims.release) {
      try {
        await this.ctx.client.patch(PODS, owner.namespace, pod.metadata.name ?? '', releasePatch(owner.uid, pod), 'strategic', { fieldManager: REPLICASET_FIELD_MANAGER });
      } catch (err) {
        if (!isNotFound(err)) errors.push(err);
      }
    }
    if (errors.length) throw errors[0];
    return owned;
  }

  /**
   * Pods of the ReplicaSet's family for ranking scale-down (upstream getIndirectlyRelatedPods): those
   * of every ReplicaSet with the same controller (a Deployment's ReplicaSets), or just its own.
   */
  private relatedPods(rs: ReplicaSetJson, own: readonly PodJson[]): readonly PodJson[] {
    const owner = controllerRef(rs);
    if (!owner) return own;
    const ns = rs.metadata.namespace ?? '';
    const family = new Set(
      this.rsInformer
        .byIndex(NAMESPACE_INDEX, ns)
        .filter((r) => controllerRef(r)?.uid === owner.uid)
        .map((r) => r.metadata.uid ?? ''),
    );
    family.add(rs.metadata.uid ?? '');
    return this.podInformer.byIndex(NAMESPACE_INDEX, ns).filter((p) => family.has(controllerRef(p)?.uid ?? '\0'));
  }

  private async manageReplicas(key: string, rs: ReplicaSetJson, pods: readonly PodJson[]): Promise<void> {
    const ns = rs.metadata.namespace ?? '';
    const plan = planReplicas({ rs, pods, relatedPods: this.relatedPods(rs, pods), nowMs: this.ctx.clock.now() });
    const ref = involvedObjectOf(rs, 'apps/v1', 'ReplicaSet');
    if (plan.kind === 'create') {
      this.expectations.expectCreations(key, plan.count);
      let created = 0;
      let firstError: unknown;
      for (const batch of slowStartBatches(plan.count)) {
        const results = await Promise.allSettled(
          Array.from({ length: batch }, () => this.ctx.client.create<PodJson>(PODS, ns, podFromTemplate(rs), { fieldManager: REPLICASET_FIELD_MANAGER })),
        );
        for (const r of results) {
          if (r.status === 'fulfilled') {
            this.events.event(ref, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name ?? ''}`);
            continue;
          }
          // A failed creation will never be observed.
          this.expectations.creationObserved(key);
          this.events.event(ref, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(r.reason)}`);
          firstError ??= r.reason;
        }
        created += batch;
        if (firstError !== undefined) break;
      }
      // Creations never attempted will not be observed either.
      if (created < plan.count) this.expectations.lowerCreations(key, plan.count - created);
      if (firstError !== undefined) throw firstError;
      return;
    }
    if (plan.kind === 'delete') {
      this.expectations.expectDeletions(key, plan.pods.map((p) => objectKey(p)));
      const results = await Promise.allSettled(plan.pods.map((p) => this.ctx.client.delete(PODS, ns, p.metadata.name ?? '')));
      let firstError: unknown;
      results.forEach((r, i) => {
        const pod = plan.pods[i] as PodJson;
        if (r.status === 'fulfilled') {
          this.events.event(ref, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name ?? ''}`);
          return;
        }
        this.expectations.deletionObserved(key, objectKey(pod));
        if (isNotFound(r.reason)) return;
        this.events.event(ref, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(r.reason)}`);
        firstError ??= r.reason;
      });
      if (firstError !== undefined) throw firstError;
    }
  }
}
