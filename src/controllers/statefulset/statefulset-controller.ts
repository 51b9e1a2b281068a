/**
 * The StatefulSet controller (upstream pkg/controller/statefulset): informers on
 * StatefulSets and Pods feed a queue of set keys; each sync claims the set's pods,
 * asks the pure planner (statefulset-plan.ts) what to do, applies the writes in order
 * (stopping at the first failure), and writes the status when it changed.
 *
 * Revisions are computed, not stored: Switchyard serves no ControllerRevisions, so
 * `status.currentRevision` / `updateRevision` are `<set>-<hash of the template>` and an older
 * template is recovered from a pod that still runs it (statefulset-revision.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import type { OwnerReference } from '../../api/object.js';
import { selectorFromLabelSelectorObject } from '../../apiserver/selectors/label-selector.js';
import type { Informer } from '../../client/informer.js';
import { objectKey, splitKey } from '../../client/informer.js';
import { isAlreadyExists, isNotFound } from '../../client/kube-client.js';
import { runController } from '../../client/controller.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from '../controller-context.js';
import { PODS, STATEFULSETS } from '../resources.js';
import { EventRecorder, involvedObjectOf } from '../events/event-recorder.js';
import { claimPods } from './statefulset-claim.js';
import { type StatefulSetAction, planStatefulSet } from './statefulset-plan.js';
import { controllerRef } from './statefulset-pods.js';
import type { Pod, StatefulSet, StatefulSetStatus } from './statefulset-types.js';

const FIELD_MANAGER = 'statefulset-controller';
const NAMESPACE_INDEX = 'statefulset:namespace';

/** Status fields the controller owns; a write happens only when one of them differs. */
const STATUS_FIELDS = [
  'observedGeneration',
  'replicas',
  'readyReplicas',
  'currentReplicas',
  'updatedReplicas',
  'availableReplicas',
  'currentRevision',
  'updateRevision',
  'collisionCount',
] as const;

export function statusChanged(old: StatefulSetStatus | undefined, next: StatefulSetStatus): boolean {
  return STATUS_FIELDS.some((f) => (old?.[f] ?? undefined) !== next[f]);
}

function controllerOf(pod: Pod): OwnerReference | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller === true);
}

class StatefulSetController {
  private readonly queue: WorkQueue<string>;
  private readonly events: EventRecorder;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly sets: Informer<StatefulSet>,
    private readonly pods: Informer<Pod>,
  ) {
    this.queue = new WorkQueue<string>({ clock: ctx.clock, name: 'statefulset' });
    this.events = new EventRecorder({ client: ctx.client, component: 'statefulset-controller', clock: ctx.clock, log: ctx.log });
  }

  register(): void {
    const enqueue = (s: StatefulSet): void => this.queue.add(objectKey(s));
    this.sets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    this.pods.addEventHandler({
      onAdd: (pod) => this.enqueueForPod(pod),
      onUpdate: (oldPod, pod) => {
        const oldRef = controllerOf(oldPod);
        const ref = controllerOf(pod);
        if (oldRef && oldRef.uid !== ref?.uid) this.enqueueOwner(oldPod, oldRef);
        if (oldPod.metadata.resourceVersion === pod.metadata.resourceVersion) return; // resync/relist echo
        this.enqueueForPod(pod);
      },
      onDelete: (pod) => {
        const ref = controllerOf(pod);
        if (ref) this.enqueueOwner(pod, ref);
      },
    });
  }

  private enqueueOwner(pod: Pod, ref: OwnerReference): void {
    if (ref.kind !== 'StatefulSet' || !ref.apiVersion.startsWith('apps/')) return;
    const set = this.sets.get(pod.metadata.namespace ?? '', ref.name);
    if (set && set.metadata.uid === ref.uid) this.queue.add(objectKey(set));
  }

  /** Owner of a controlled pod; for an orphan, every set that could adopt it. */
  private enqueueForPod(pod: Pod): void {
    const ref = controllerOf(pod);
    if (ref) {
      this.enqueueOwner(pod, ref);
      return;
    }
    if (pod.metadata.deletionTimestamp) return;
    for (const set of this.sets.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '')) {
      try {
        if (selectorFromLabelSelectorObject(set.spec?.selector).matches(pod.metadata.labels)) this.queue.add(objectKey(set));
      } catch {
        // An invalid selector adopts nothing.
      }
    }
  }

  async run(): Promise<void> {
    await runController({
      name: 'statefulset',
      workers: this.ctx.config.workers,
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      signal: this.ctx.signal,
      log: this.ctx.log,
      waitFor: [this.sets, this.pods],
    });
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const set = this.sets.get(namespace, name);
    if (!set) return;
    let selector;
    try {
      selector = selectorFromLabelSelectorObject(set.spec?.selector);
    } catch (err) {
      this.ctx.log.warn(`statefulset ${key}: invalid selector: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const claim = claimPods(set, selector, this.pods.byIndex(NAMESPACE_INDEX, namespace));
    await this.adoptAndRelease(set, claim.adopt, claim.release);
    const plan = planStatefulSet({ set, pods: claim.owned, nowMs: this.ctx.clock.now() });
    let failure: unknown;
    for (const action of plan.actions) {
      try {
        const proceed = await this.apply(set, action);
        if (!proceed) break;
      } catch (err) {
        failure = err;
        break;
      }
    }
    // Status is written even when a write failed, as upstream does.
    if (statusChanged(set.status, plan.status)) {
      try {
        await this.ctx.client.patch(STATEFULSETS, namespace, name, { status: plan.status }, 'merge', {
          subresource: 'status',
          fieldManager: FIELD_MANAGER,
          signal: this.ctx.signal,
        });
      } catch (err) {
        if (!isNotFound(err)) failure ??= err;
      }
    }
    if (failure) throw failure;
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  private async adoptAndRelease(set: StatefulSet, adopt: readonly Pod[], release: readonly Pod[]): Promise<void> {
    const { client, signal } = this.ctx;
    for (const pod of adopt) {
      const refs = [...(pod.metadata.ownerReferences ?? []), controllerRef(set)];
      await client.patch(PODS, pod.metadata.namespace, pod.metadata.name ?? '', { metadata: { ownerReferences: refs, uid: pod.metadata.uid } }, 'merge', {
        fieldManager: FIELD_MANAGER,
        signal,
      });
    }
    for (const pod of release) {
      const refs = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid);
      try {
        await client.patch(
          PODS,
          pod.metadata.namespace,
          pod.metadata.name ?? '',
          { metadata: { ownerReferences: refs.length ? refs : null, uid: pod.metadata.uid } },
          'merge',
          { fieldManager: FIELD_MANAGER, signal },
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** One write; false when the next writes must wait for the cache to catch up. */
  private async apply(set: StatefulSet, action: StatefulSetAction): Promise<boolean> {
    const { client, signal } = this.ctx;
    const ref = involvedObjectOf(set, 'apps/v1', 'StatefulSet');
    const setName = set.metadata.name ?? '';
    const podName = action.pod.metadata.name ?? '';
    const ns = set.metadata.namespace;
    switch (action.kind) {
      case 'create':
        try {
          await client.create(PODS, ns, action.pod, { fieldManager: FIELD_MANAGER, signal });
        } catch (err) {
          // The cache has not seen our own earlier create yet: the pod event will bring us back.
          if (isAlreadyExists(err)) return false;
          this.events.event(ref, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${setName} failed error: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        }
        this.events.event(ref, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${setName} successful`);
        return true;
      case 'delete':
        try {
          await client.delete(PODS, ns, podName, { preconditions: action.pod.metadata.uid ? { uid: action.pod.metadata.uid } : undefined, signal });
        } catch (err) {
          if (isNotFound(err)) return true;
          this.events.event(ref, 'Warning', 'FailedDelete', `delete Pod ${podName} in StatefulSet ${setName} failed error: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        }
        this.events.event(ref, 'Normal', 'SuccessfulDelete', `delete Pod ${podName} in StatefulSet ${setName} successful`);
        return true;
      case 'fixIdentity':
        try {
          await client.patch(PODS, ns, podName, { metadata: { labels: action.labels } }, 'merge', { fieldManager: FIELD_MANAGER, signal });
        } catch (err) {
          if (isNotFound(err)) return true;
          throw err;
        }
        return true;
    }
  }
}

export const statefulSetController: ControllerDescriptor = {
  name: 'statefulset',
  async run(ctx: ControllerContext): Promise<void> {
    const sets = ctx.informers.informer<StatefulSet>(STATEFULSETS);
    const pods = ctx.informers.informer<Pod>(PODS);
    const byNamespace = (o: { metadata: { namespace?: string } }): string[] => [o.metadata.namespace ?? ''];
    sets.addIndexer(NAMESPACE_INDEX, byNamespace);
    pods.addIndexer(NAMESPACE_INDEX, byNamespace);
    const controller = new StatefulSetController(ctx, sets, pods);
    controller.register();
    await controller.run();
  },
};
