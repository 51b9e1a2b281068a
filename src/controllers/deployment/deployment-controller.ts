/**
 * The Deployment controller (upstream pkg/controller/deployment): rolls a Deployment's pod
 * template out through ReplicaSets named `<deployment>-<pod-template-hash>`, with RollingUpdate or
 * Recreate, proportional scaling, revision history and the status `kubectl rollout status` reads.
 *
 * Thin shell: informers, queue, ReplicaSet adoption and the application of the plan computed by
 * planDeploymentSync (deployment-sync.ts), which holds every decision.
 */
import { cloneJson } from '../../api/object.js';
import { type LabelSelector, selectorFromLabelSelectorObject } from '../../apiserver/selectors/label-selector.js';
import { runController } from '../../client/controller.js';
import { type Informer, namespaceIndex, objectKey } from '../../client/informer.js';
import { isAlreadyExists, isNotFound } from '../../client/kube-client.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from '../controller-context.js';
import { type ClaimOwner, adoptPatch, classifyClaims, releasePatch } from '../replicaset/controller-ref.js';
import { controllerRef } from '../replicaset/pod-util.js';
import { NAMESPACE_INDEX } from '../replicaset/replicaset-controller.js';
import type { DeploymentJson, DeploymentStatusJson, PodJson, ReplicaSetJson } from '../replicaset/workload-types.js';
import { DEPLOYMENTS, PODS, REPLICASETS } from '../resources.js';
import { EventRecorder, involvedObjectOf } from '../events/event-recorder.js';
import { type DeploymentAction, planDeploymentSync } from './deployment-sync.js';
import { REASON, hasProgressDeadline, newCondition, setCondition } from './deployment-status.js';
import { equalIgnoreHash } from './pod-template-hash.js';
import { REVISION_ANNOTATION } from './revision.js';

export const DEPLOYMENT_FIELD_MANAGER = 'deployment-controller';

export const deploymentController: ControllerDescriptor = {
  name: 'deployment',
  run: (ctx) => new DeploymentController(ctx).run(),
};

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Thrown to end applying a plan early without counting as a failure (the next sync continues). */
class StopApplying extends Error {}

class DeploymentController {
  private readonly dInformer: Informer<DeploymentJson>;
  private readonly rsInformer: Informer<ReplicaSetJson>;
  private readonly podInformer: Informer<PodJson>;
  private readonly queue: WorkQueue<string>;
  private readonly events: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.events = new EventRecorder({ client: ctx.client, component: DEPLOYMENT_FIELD_MANAGER, clock: ctx.clock, log: ctx.log });
    this.dInformer = ctx.informers.informer<DeploymentJson>(DEPLOYMENTS);
    this.rsInformer = ctx.informers.informer<ReplicaSetJson>(REPLICASETS);
    this.podInformer = ctx.informers.informer<PodJson>(PODS);
    this.dInformer.addIndexer(NAMESPACE_INDEX, namespaceIndex);
    this.rsInformer.addIndexer(NAMESPACE_INDEX, namespaceIndex);
    this.podInformer.addIndexer(NAMESPACE_INDEX, namespaceIndex);
    this.queue = new WorkQueue<string>({ name: 'deployment', clock: ctx.clock });
  }

  async run(): Promise<void> {
    const enqueue = (d: DeploymentJson): void => this.queue.add(objectKey(d));
    const unsubscribe = [
      this.dInformer.addEventHandler({ onAdd: enqueue, onUpdate: (_o, d) => enqueue(d), onDelete: enqueue }),
      this.rsInformer.addEventHandler({
        onAdd: (rs) => this.replicaSetChanged(undefined, rs),
        onUpdate: (old, rs) => this.replicaSetChanged(old, rs),
        onDelete: (rs) => {
          const d = this.resolveOwner(rs);
          if (d) enqueue(d);
        },
      }),
      this.podInformer.addEventHandler({ onDelete: (pod) => this.podDeleted(pod) }),
    ];
    try {
      await runController({
        name: 'deployment',
        workers: this.ctx.config.workers,
        queue: this.queue,
        reconcile: (key) => this.sync(key),
        signal: this.ctx.signal,
        log: this.ctx.log,
        waitFor: [this.dInformer, this.rsInformer, this.podInformer],
      });
    } finally {
      for (const u of unsubscribe) u();
    }
  }

  // ---- event handlers ----

  private resolveOwner(rs: ReplicaSetJson): DeploymentJson | undefined {
    const ref = controllerRef(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.dInformer.get(rs.metadata.namespace ?? '', ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private deploymentsMatching(rs: ReplicaSetJson): DeploymentJson[] {
    const labels = rs.metadata.labels;
    if (!labels || Object.keys(labels).length === 0) return [];
    return this.dInformer.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '').filter((d) => {
      try {
        const sel = selectorFromLabelSelectorObject(d.spec?.selector);
        return !sel.empty && sel.matches(labels);
      } catch {
        return false;
      }
    });
  }

  private replicaSetChanged(old: ReplicaSetJson | undefined, rs: ReplicaSetJson): void {
    if (old && old.metadata.resourceVersion === rs.metadata.resourceVersion) return; // resync
    const oldRef = old ? controllerRef(old) : undefined;
    const curRef = controllerRef(rs);
    if (old && oldRef && oldRef.uid !== curRef?.uid) {
      const prev = this.resolveOwner(old);
      if (prev) this.queue.add(objectKey(prev));
    }
    if (curRef) {
      const d = this.resolveOwner(rs);
      if (d) this.queue.add(objectKey(d));
      return;
    }
    // An orphan: the Deployments that could adopt it.
    const labelsChanged = !old || JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(rs.metadata.labels ?? {});
    if (labelsChanged || oldRef) for (const d of this.deploymentsMatching(rs)) this.queue.add(objectKey(d));
  }

  /** Recreate waits for the old pods to be gone: their deletions move it on. */
  private podDeleted(pod: PodJson): void {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.get(pod.metadata.namespace ?? '', ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.resolveOwner(rs);
    if (d && d.spec?.strategy?.type === 'Recreate') this.queue.add(objectKey(d));
  }

  // ---- sync ----

  private async sync(key: string): Promise<void> {
    const d = this.dInformer.getByKey(key);
    if (!d) return;
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelectorObject(d.spec?.selector);
    } catch (err) {
      this.ctx.log.warn(`deployment ${key}: invalid selector: ${errorMessage(err)}`);
      return;
    }
    const ns = d.metadata.namespace ?? '';
    const replicaSets = selector.empty ? [] : await this.claimReplicaSets(d, selector);
    const rsUids = new Set(replicaSets.map((rs) => rs.metadata.uid ?? ''));
    const podsByReplicaSet = new Map<string, PodJson[]>();
    for (const uid of rsUids) podsByReplicaSet.set(uid, []);
    for (const pod of this.podInformer.byIndex(NAMESPACE_INDEX, ns)) {
      const ref = controllerRef(pod);
      if (!ref || !rsUids.has(ref.uid) || !selector.matches(pod.metadata.labels)) continue;
      podsByReplicaSet.get(ref.uid)?.push(pod);
    }
    const plan = planDeploymentSync({ deployment: d, replicaSets, podsByReplicaSet, nowMs: this.ctx.clock.now() });
    try {
      await this.apply(d, plan.actions);
    } catch (err) {
      if (err instanceof StopApplying) {
        this.queue.addAfter(key, 100);
        return;
      }
      throw err;
    }
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  /** Upstream getReplicaSetsForDeployment: owned ReplicaSets, adopting matching orphans and releasing the rest. */
  private async claimReplicaSets(d: DeploymentJson, selector: LabelSelector): Promise<ReplicaSetJson[]> {
    const owner: ClaimOwner = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: d.metadata.name ?? '',
      namespace: d.metadata.namespace ?? '',
      uid: d.metadata.uid ?? '',
      deleting: Boolean(d.metadata.deletionTimestamp),
    };
    const claims = classifyClaims(owner, selector, this.rsInformer.byIndex(NAMESPACE_INDEX, owner.namespace));
    const owned = [...claims.owned];
    if (claims.adopt.length) {
      let canAdopt = false;
      try {
        const fresh = await this.ctx.client.get<DeploymentJson>(DEPLOYMENTS, owner.namespace, owner.name);
        canAdopt = fresh.metadata.uid === owner.uid && !fresh.metadata.deletionTimestamp;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (canAdopt) {
        for (const rs of claims.adopt) {
          try {
            owned.push(await this.ctx.client.patch<ReplicaSetJson>(REPLICASETS, owner.namespace, rs.metadata.name ?? '', adoptPatch(owner, rs), 'strategic', { fieldManager: DEPLOYMENT_FIELD_MANAGER }));
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
      }
    }
    for (const rs of claims.release) {
      try {
        await this.ctx.client.patch(REPLICASETS, owner.namespace, rs.metadata.name ?? '', releasePatch(owner.uid, rs), 'strategic', { fieldManager: DEPLOYMENT_FIELD_MANAGER });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return owned;
  }

  /** Applies the plan's writes in order; the first failure ends the sync (and retries it). */
  private async apply(d: DeploymentJson, actions: readonly DeploymentAction[]): Promise<void> {
    const { client } = this.ctx;
    const ns = d.metadata.namespace ?? '';
    let current: DeploymentJson = d;
    const rvByName = new Map<string, string>();
    const opts = { fieldManager: DEPLOYMENT_FIELD_MANAGER };
    const ref = involvedObjectOf(d, 'apps/v1', 'Deployment');
    for (const action of actions) {
      switch (action.kind) {
        case 'createReplicaSet': {
          const name = action.rs.metadata.name ?? '';
          try {
            const created = await client.create<ReplicaSetJson>(REPLICASETS, ns, action.rs, opts);
            rvByName.set(name, created.metadata.resourceVersion ?? '');
            if ((action.rs.spec?.replicas ?? 0) > 0) this.events.event(ref, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${action.rs.spec?.replicas ?? 0}`);
          } catch (err) {
            if (isAlreadyExists(err)) await this.handleExistingReplicaSet(current, name);
            else {
              if (hasProgressDeadline(current)) {
                const status: DeploymentStatusJson = cloneJson(current.status ?? {});
                setCondition(status, newCondition('Progressing', 'False', REASON.replicaSetCreateError, `Failed to create new replica set "${name}": ${errorMessage(err)}`, this.ctx.clock.now()));
                this.events.event(ref, 'Warning', REASON.replicaSetCreateError, `Failed to create new replica set "${name}": ${errorMessage(err)}`);
                await client.updateStatus(DEPLOYMENTS, ns, { ...cloneJson(current), status }, opts).catch(() => undefined);
              }
              throw err;
            }
          }
          break;
        }
        case 'updateReplicaSet': {
          const name = action.rs.metadata.name ?? '';
          const rs = cloneJson(action.rs);
          const rv = rvByName.get(name);
          if (rv) rs.metadata.resourceVersion = rv;
          const updated = await client.update<ReplicaSetJson>(REPLICASETS, ns, rs, opts);
          rvByName.set(name, updated.metadata.resourceVersion ?? '');
          if (action.scaledFrom !== undefined) {
            const dir = action.scaledFrom < (rs.spec?.replicas ?? 0) ? 'up' : 'down';
            this.events.event(ref, 'Normal', 'ScalingReplicaSet', `Scaled ${dir} replica set ${name} from ${action.scaledFrom} to ${rs.spec?.replicas ?? 0}`);
          }
          break;
        }
        case 'deleteReplicaSet':
          try {
            await client.delete(REPLICASETS, ns, action.name, { preconditions: { uid: action.uid } });
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
          break;
        case 'updateStatus': {
          const next = cloneJson(current);
          next.status = cloneJson(action.status);
          if (action.revision !== undefined) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION_ANNOTATION]: action.revision };
          current = await client.updateStatus<DeploymentJson>(DEPLOYMENTS, ns, next, opts);
          if (action.revision !== undefined && current.metadata.annotations?.[REVISION_ANNOTATION] !== action.revision) {
            // Upstream's status subresource keeps annotation changes; where it does not, set the
            // revision on the object itself (this bumps generation, observed on the next sync).
            current = await client.patch<DeploymentJson>(
              DEPLOYMENTS,
              ns,
              current.metadata.name ?? '',
              { metadata: { resourceVersion: current.metadata.resourceVersion, annotations: { [REVISION_ANNOTATION]: action.revision } } },
              'merge',
              opts,
            );
          }
          break;
        }
      }
    }
  }

  /**
   * The new ReplicaSet's name is taken: if it is this Deployment's with the same template, the
   * cache was just behind (look again shortly); otherwise the hash collided with a foreign object,
   * and status.collisionCount moves on so the next name differs (upstream getNewReplicaSet).
   */
  private async handleExistingReplicaSet(d: DeploymentJson, name: string): Promise<void> {
    const ns = d.metadata.namespace ?? '';
    const existing = await this.ctx.client.get<ReplicaSetJson>(REPLICASETS, ns, name);
    const ref = controllerRef(existing);
    if (ref?.uid === d.metadata.uid && equalIgnoreHash(existing.spec?.template, d.spec?.template)) throw new StopApplying();
    const next = cloneJson(d);
    next.status = { ...(next.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
    await this.ctx.client.updateStatus(DEPLOYMENTS, ns, next, { fieldManager: DEPLOYMENT_FIELD_MANAGER });
    throw new Error(`replica set ${ns}/${name} already exists with another template: hash collision, collisionCount now ${next.status.collisionCount ?? 0}`);
  }
}
