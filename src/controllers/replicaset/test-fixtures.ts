/** Builders of pods, ReplicaSets and Deployments for the workload controllers' unit tests. */
import type { DeploymentJson, PodJson, ReplicaSetJson } from './workload-types.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');

/** RFC 3339 (seconds) of T0 + `s` seconds. */
export function at(s: number): string {
  return new Date(T0 + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface PodOptions {
  readonly node?: string;
  readonly phase?: string;
  /** Ready since `readySince` seconds after T0 (undefined: not ready). */
  readonly readySince?: number;
  readonly restarts?: number;
  readonly createdAt?: number;
  readonly labels?: Record<string, string>;
  readonly owner?: { name: string; uid: string; kind?: string };
  readonly deleting?: boolean;
  readonly annotations?: Record<string, string>;
}

export function pod(name: string, o: PodOptions = {}): PodJson {
  const p: PodJson = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: at(o.createdAt ?? 0), labels: o.labels ?? { app: 'web' } },
    spec: o.node ? { nodeName: o.node } : {},
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readySince !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: at(o.readySince) }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
  if (o.owner) p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: o.owner.kind ?? 'ReplicaSet', name: o.owner.name, uid: o.owner.uid, controller: true }];
  if (o.deleting) p.metadata.deletionTimestamp = at(1);
  if (o.annotations) p.metadata.annotations = o.annotations;
  return p;
}

export interface RSOptions {
  readonly replicas: number;
  /** status.replicas (default = replicas). */
  readonly actual?: number;
  /** status.availableReplicas (default = actual). */
  readonly available?: number;
  readonly ready?: number;
  readonly createdAt?: number;
  readonly revision?: number;
  readonly image?: string;
  readonly annotations?: Record<string, string>;
  readonly generation?: number;
  readonly observedGeneration?: number;
  readonly ownerUid?: string;
}

export function rs(name: string, o: RSOptions): ReplicaSetJson {
  const actual = o.actual ?? o.replicas;
  const annotations: Record<string, string> = { ...(o.annotations ?? {}) };
  if (o.revision !== undefined) annotations['deployment.kubernetes.io/revision'] = String(o.revision);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      generation: o.generation ?? 1,
      creationTimestamp: at(o.createdAt ?? 0),
      labels: { app: 'web', 'pod-template-hash': name },
      annotations,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: o.ownerUid ?? 'uid-web', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': name } },
      template: {
        metadata: { labels: { app: 'web', 'pod-template-hash': name } },
        spec: { containers: [{ name: 'web', image: o.image ?? 'nginx:1' }] },
      },
    },
    status: {
      replicas: actual,
      readyReplicas: o.ready ?? o.available ?? actual,
      availableReplicas: o.available ?? actual,
      observedGeneration: o.observedGeneration ?? o.generation ?? 1,
    },
  };
}

export interface DeploymentOptions {
  readonly replicas: number;
  readonly maxSurge?: number | string;
  readonly maxUnavailable?: number | string;
  readonly strategy?: 'RollingUpdate' | 'Recreate';
  readonly image?: string;
  readonly paused?: boolean;
  readonly revisionHistoryLimit?: number;
  readonly progressDeadlineSeconds?: number;
  readonly generation?: number;
  readonly status?: DeploymentJson['status'];
  readonly annotations?: Record<string, string>;
}

export function deployment(o: DeploymentOptions): DeploymentJson {
  const strategy = o.strategy ?? 'RollingUpdate';
  const d: DeploymentJson = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', resourceVersion: '1', generation: o.generation ?? 1, creationTimestamp: at(0) },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: o.image ?? 'nginx:1' }] } },
      strategy:
        strategy === 'Recreate'
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%' } },
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
    },
    status: o.status ?? {},
  };
  if (o.paused) (d.spec as { paused?: boolean }).paused = true;
  if (o.annotations) d.metadata.annotations = o.annotations;
  return d;
}
