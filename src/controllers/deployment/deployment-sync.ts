/**
 * One sync of a Deployment as a pure plan (upstream deployment_controller.go syncDeployment with
 * sync.go, rolling.go, recreate.go and progress.go). The upstream controller writes as it goes
 * and feeds each write's result into the next step; here every step runs against an in-memory
 * copy of the Deployment and its ReplicaSets, and the writes come out as an ordered list of
 * actions the controller applies one after the other (stopping at the first failure).
 */
import { cloneJson } from '../../api/object.js';
import type { DeploymentJson, DeploymentStatusJson, PodJson, ReplicaSetJson } from '../replicaset/workload-types.js';
import { specReplicas } from '../replicaset/workload-types.js';
import { newControllerRef } from '../replicaset/controller-ref.js';
import {
  REASON,
  deploymentComplete,
  getCondition,
  hasProgressDeadline,
  calculateStatus,
  newCondition,
  rolloutStatus,
  setCondition,
  statusEqual,
  stuckRequeueMs,
} from './deployment-status.js';
import { POD_TEMPLATE_HASH_LABEL, computePodTemplateHash, equalIgnoreHash } from './pod-template-hash.js';
import { planScale } from './proportional-scale.js';
import { byCreationTimestamp } from './replica-set-order.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
  maxRevision,
  replicaSetsToCleanUp,
  replicasAnnotationsNeedUpdate,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './revision.js';
import { isRollingUpdate, maxSurge, newRSNewReplicas, planOldReplicaSetScaleDown } from './rolling-update.js';

export type DeploymentAction =
  /** POST a new ReplicaSet (a name collision with a foreign one bumps status.collisionCount). */
  | { readonly kind: 'createReplicaSet'; readonly rs: ReplicaSetJson }
  /** PUT a ReplicaSet (scale and/or annotations); resourceVersion as read. */
  | { readonly kind: 'updateReplicaSet'; readonly rs: ReplicaSetJson; readonly scaledFrom?: number }
  /** DELETE an old ReplicaSet past revisionHistoryLimit. */
  | { readonly kind: 'deleteReplicaSet'; readonly name: string; readonly uid: string }
  /** PUT the Deployment's status; `revision`, when set, also goes to the revision annotation. */
  | { readonly kind: 'updateStatus'; readonly status: DeploymentStatusJson; readonly revision?: string };

export interface DeploymentSyncInput {
  readonly deployment: DeploymentJson;
  /** ReplicaSets the Deployment owns (after adoption and release). */
  readonly replicaSets: readonly ReplicaSetJson[];
  /** Pods per owning ReplicaSet uid (Recreate waits for old pods to be gone). */
  readonly podsByReplicaSet: ReadonlyMap<string, readonly PodJson[]>;
  readonly nowMs: number;
}

export interface DeploymentSyncPlan {
  readonly actions: DeploymentAction[];
  /** Look again after this long (progress deadline check), if set. */
  readonly requeueAfterMs?: number;
}

/** The ReplicaSet a Deployment creates for its current template (before its size is known). */
export function newReplicaSetFor(d: DeploymentJson): ReplicaSetJson {
  const template = cloneJson(d.spec?.template ?? {});
  const hash = computePodTemplateHash(d.spec?.template, d.status?.collisionCount);
  const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  template.metadata = { ...(template.metadata ?? {}), labels };
  const selector = cloneJson(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const name = d.metadata.name ?? '';
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...labels },
      ownerReferences: [newControllerRef({ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: d.metadata.uid ?? '' })],
    },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
}

/** Upstream FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's (hash label ignored). */
export function findNewReplicaSet(d: DeploymentJson, rss: readonly ReplicaSetJson[]): ReplicaSetJson | undefined {
  return [...rss].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

function isEmptySelector(d: DeploymentJson): boolean {
  const s = d.spec?.selector;
  return !!s && Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

/** Plans one sync of a Deployment. */
export function planDeploymentSync(input: DeploymentSyncInput): DeploymentSyncPlan {
  return new SyncPlanner(input).run();
}

class SyncPlanner {
  private readonly d: DeploymentJson;
  /** Current (planned) state of the owned ReplicaSets, by name. */
  private readonly rss = new Map<string, ReplicaSetJson>();
  private readonly actions: DeploymentAction[] = [];
  private requeueAfterMs: number | undefined;

  constructor(private readonly input: DeploymentSyncInput) {
    this.d = cloneJson(input.deployment);
    for (const rs of input.replicaSets) this.rss.set(rs.metadata.name ?? '', rs);
  }

  run(): DeploymentSyncPlan {
    const d = this.d;
    if (isEmptySelector(d)) {
      // A Deployment selecting every pod is never acted on (upstream emits a SelectingAll warning).
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        this.pushStatus({ ...(d.status ?? {}), observedGeneration: d.metadata.generation ?? 0 });
      }
      return this.result();
    }
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = this.allReplicaSets(false);
      this.syncDeploymentStatus([...oldRSs, newRS], newRS);
      return this.result();
    }
    this.checkPausedConditions();
    if (d.spec?.paused) {
      this.syncScaling();
      return this.result();
    }
    if (this.isScalingEvent()) {
      this.syncScaling();
      return this.result();
    }
    if (isRollingUpdate(d)) this.rolloutRolling();
    else this.rolloutRecreate();
    return this.result();
  }

  private result(): DeploymentSyncPlan {
    return this.requeueAfterMs === undefined ? { actions: this.actions } : { actions: this.actions, requeueAfterMs: this.requeueAfterMs };
  }

  private get now(): number {
    return this.input.nowMs;
  }

  private pushStatus(status: DeploymentStatusJson, revision?: string): void {
    this.d.status = status;
    this.actions.push(revision === undefined ? { kind: 'updateStatus', status: cloneJson(status) } : { kind: 'updateStatus', status: cloneJson(status), revision });
  }

  // ---- ReplicaSets ----

  /** Upstream getAllReplicaSetsAndSyncRevision. */
  private allReplicaSets(createIfNotExisted: boolean): { newRS: ReplicaSetJson | undefined; oldRSs: ReplicaSetJson[] } {
    const all = [...this.rss.values()];
    const existing = findNewReplicaSet(this.d, all);
    const oldRSs = all.filter((rs) => rs !== existing);
    return { newRS: this.newReplicaSet(existing, oldRSs, createIfNotExisted), oldRSs };
  }

  /** Upstream getNewReplicaSet: sync the existing new ReplicaSet's annotations and the revision, or create it. */
  private newReplicaSet(existing: ReplicaSetJson | undefined, oldRSs: ReplicaSetJson[], create: boolean): ReplicaSetJson | undefined {
    const d = this.d;
    const newRevision = maxRevision(oldRSs) + 1;
    const hasDeadline = hasProgressDeadline(d);
    if (existing) {
      const copy = cloneJson(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
        copy.spec = { ...(copy.spec ?? {}), minReadySeconds: minReady };
        this.putReplicaSet(copy);
        return copy;
      }
      const revision = copy.metadata.annotations?.[REVISION_ANNOTATION];
      const status: DeploymentStatusJson = cloneJson(d.status ?? {});
      let needsUpdate = false;
      let revisionChange: string | undefined;
      if (revision !== undefined && d.metadata.annotations?.[REVISION_ANNOTATION] !== revision) {
        d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision };
        revisionChange = revision;
        needsUpdate = true;
      }
      if (hasDeadline && !getCondition(status, 'Progressing')) {
        setCondition(status, newCondition('Progressing', 'True', REASON.foundNewReplicaSet, `Found new replica set "${copy.metadata.name ?? ''}"`, this.now));
        needsUpdate = true;
      }
      if (needsUpdate) this.pushStatus(status, revisionChange);
      return copy;
    }
    if (!create) return undefined;

    const rs = newReplicaSetFor(d);
    rs.spec = { ...(rs.spec ?? {}), replicas: newRSNewReplicas(d, [...oldRSs, rs], rs) };
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    this.actions.push({ kind: 'createReplicaSet', rs: cloneJson(rs) });
    this.rss.set(rs.metadata.name ?? '', rs);

    const status: DeploymentStatusJson = cloneJson(d.status ?? {});
    let revisionChange: string | undefined;
    if (d.metadata.annotations?.[REVISION_ANNOTATION] !== String(newRevision)) {
      d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(newRevision) };
      revisionChange = String(newRevision);
    }
    if (hasDeadline) setCondition(status, newCondition('Progressing', 'True', REASON.newReplicaSetCreated, `Created new replica set "${rs.metadata.name ?? ''}"`, this.now));
    if (revisionChange !== undefined || hasDeadline) this.pushStatus(status, revisionChange);
    return rs;
  }

  private putReplicaSet(rs: ReplicaSetJson, scaledFrom?: number): void {
    this.rss.set(rs.metadata.name ?? '', rs);
    this.actions.push(scaledFrom === undefined ? { kind: 'updateReplicaSet', rs: cloneJson(rs) } : { kind: 'updateReplicaSet', rs: cloneJson(rs), scaledFrom });
  }

  /**
   * Upstream scaleReplicaSet(AndRecordEvent): set the size and the replicas annotations. Without
   * `evenIfSameSize` an unchanged size is a no-op. Returns whether the size changed.
   */
  private scale(name: string, replicas: number, evenIfSameSize = false): boolean {
    const rs = this.rss.get(name);
    if (!rs) return false;
    const sizeChanged = specReplicas(rs) !== replicas;
    if (!sizeChanged && !evenIfSameSize) return false;
    const desired = specReplicas(this.d);
    const max = desired + maxSurge(this.d);
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
    const copy = cloneJson(rs);
    copy.spec = { ...(copy.spec ?? {}), replicas };
    setReplicasAnnotations(copy, desired, max);
    this.putReplicaSet(copy, sizeChanged ? specReplicas(rs) : undefined);
    return sizeChanged;
  }

  private cleanup(oldRSs: readonly ReplicaSetJson[]): void {
    const current = oldRSs.map((rs) => this.rss.get(rs.metadata.name ?? '') ?? rs);
    for (const rs of replicaSetsToCleanUp(this.d, current)) {
      this.actions.push({ kind: 'deleteReplicaSet', name: rs.metadata.name ?? '', uid: rs.metadata.uid ?? '' });
      this.rss.delete(rs.metadata.name ?? '');
    }
  }

  private latest(rs: ReplicaSetJson | undefined): ReplicaSetJson | undefined {
    return rs ? (this.rss.get(rs.metadata.name ?? '') ?? rs) : undefined;
  }

  // ---- status ----

  private syncDeploymentStatus(allRSs: readonly (ReplicaSetJson | undefined)[], newRS: ReplicaSetJson | undefined): void {
    const status = calculateStatus(allRSs.map((rs) => this.latest(rs)), this.latest(newRS), this.d, this.now);
    if (!statusEqual(this.d.status, status)) this.pushStatus(status);
  }

  private syncRolloutStatus(allRSs: readonly (ReplicaSetJson | undefined)[], newRS: ReplicaSetJson | undefined): void {
    const status = rolloutStatus(allRSs.map((rs) => this.latest(rs)), this.latest(newRS), this.d, this.now);
    if (statusEqual(this.d.status, status)) {
      this.requeueAfterMs = stuckRequeueMs(this.d, status, this.now);
      return;
    }
    this.pushStatus(status);
  }

  /** Upstream checkPausedConditions: an Unknown Progressing condition while paused, so the deadline does not run. */
  private checkPausedConditions(): void {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === REASON.progressDeadlineExceeded) return;
    const pausedCond = cond?.reason === REASON.deploymentPaused;
    const status: DeploymentStatusJson = cloneJson(d.status ?? {});
    if (d.spec?.paused && !pausedCond) {
      setCondition(status, newCondition('Progressing', 'Unknown', REASON.deploymentPaused, 'Deployment is paused', this.now));
    } else if (!d.spec?.paused && pausedCond) {
      setCondition(status, newCondition('Progressing', 'Unknown', REASON.deploymentResumed, 'Deployment is resumed', this.now));
    } else return;
    this.pushStatus(status);
  }

  // ---- strategies ----

  /** Upstream isScalingEvent: an active ReplicaSet was sized for another replica count. */
  private isScalingEvent(): boolean {
    const { newRS, oldRSs } = this.allReplicaSets(false);
    const desired = specReplicas(this.d);
    for (const rs of [...oldRSs, newRS]) {
      const cur = this.latest(rs);
      if (!cur || specReplicas(cur) === 0) continue;
      const raw = cur.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      if (raw === undefined || !/^[+-]?\d+$/.test(raw)) continue;
      if (Number(raw) !== desired) return true;
    }
    return false;
  }

  /** Upstream `sync`: scaling events and paused Deployments. */
  private syncScaling(): void {
    const { newRS, oldRSs } = this.allReplicaSets(false);
    for (const t of planScale(this.d, this.latest(newRS), oldRSs.map((rs) => this.latest(rs) as ReplicaSetJson))) this.scale(t.name, t.replicas, t.evenIfSameSize);
    if (this.d.spec?.paused) this.cleanup(oldRSs);
    this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  private rolloutRolling(): void {
    const { newRS: created, oldRSs } = this.allReplicaSets(true);
    const newRS = created as ReplicaSetJson;
    const allRSs = [...oldRSs, newRS];
    const desired = specReplicas(this.d);

    // Scale up the new ReplicaSet as far as maxSurge allows (or down to the desired size).
    const cur = this.latest(newRS) as ReplicaSetJson;
    if (specReplicas(cur) !== desired) {
      const target = specReplicas(cur) > desired ? desired : newRSNewReplicas(this.d, allRSs.map((rs) => this.latest(rs) as ReplicaSetJson), cur);
      if (this.scale(cur.metadata.name ?? '', target)) {
        this.syncRolloutStatus(allRSs, newRS);
        return;
      }
    }

    // Scale down old ReplicaSets as far as maxUnavailable allows.
    const steps = planOldReplicaSetScaleDown(this.d, oldRSs.map((rs) => this.latest(rs) as ReplicaSetJson), this.latest(newRS) as ReplicaSetJson);
    let scaledDown = false;
    for (const s of steps) scaledDown = this.scale(s.name, s.replicas) || scaledDown;
    if (scaledDown) {
      this.syncRolloutStatus(allRSs, newRS);
      return;
    }
    if (deploymentComplete(this.d, this.d.status ?? {})) this.cleanup(oldRSs);
    this.syncRolloutStatus(allRSs, newRS);
  }

  private rolloutRecreate(): void {
    let { newRS, oldRSs } = this.allReplicaSets(false);
    let allRSs: (ReplicaSetJson | undefined)[] = [...oldRSs, newRS];

    let scaledDown = false;
    for (const rs of oldRSs) {
      const cur = this.latest(rs) as ReplicaSetJson;
      if (specReplicas(cur) > 0) scaledDown = this.scale(cur.metadata.name ?? '', 0) || scaledDown;
    }
    if (scaledDown) {
      this.syncRolloutStatus(allRSs, newRS);
      return;
    }
    if (this.oldPodsRunning(newRS, oldRSs)) {
      this.syncRolloutStatus(allRSs, newRS);
      return;
    }
    if (!newRS) {
      ({ newRS, oldRSs } = this.allReplicaSets(true));
      allRSs = [...oldRSs, newRS];
    }
    if (newRS) this.scale(newRS.metadata.name ?? '', specReplicas(this.d));
    if (deploymentComplete(this.d, this.d.status ?? {})) this.cleanup(oldRSs);
    this.syncRolloutStatus(allRSs, newRS);
  }

  /** Upstream oldPodsRunning: old ReplicaSets still report pods, or own pods not yet terminated. */
  private oldPodsRunning(newRS: ReplicaSetJson | undefined, oldRSs: readonly ReplicaSetJson[]): boolean {
    let actual = 0;
    for (const rs of oldRSs) actual += this.latest(rs)?.status?.replicas ?? 0;
    if (actual > 0) return true;
    for (const [uid, pods] of this.input.podsByReplicaSet) {
      if (newRS?.metadata.uid && uid === newRS.metadata.uid) continue;
      for (const p of pods) {
        const phase = p.status?.phase;
        if (phase === 'Failed' || phase === 'Succeeded') continue;
        return true;
      }
    }
    return false;
  }
}
