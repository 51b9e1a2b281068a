/**
 * Loose JSON shapes of the apps/v1 workload objects and pods, as far as the ReplicaSet and
 * Deployment controllers read them. Everything is optional: objects come from the API as JSON.
 */
import type { KubeObject, ObjectMeta } from '../../api/object.js';

export interface LabelSelectorJson {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface PodTemplateSpecJson {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations' | 'finalizers' | 'name' | 'namespace' | 'generateName'> & Record<string, unknown>;
  spec?: Record<string, unknown>;
}

export interface ConditionJson {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

export interface ContainerStatusJson {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  [field: string]: unknown;
}

export interface PodJson extends KubeObject {
  spec?: { nodeName?: string; [field: string]: unknown };
  status?: {
    phase?: string;
    conditions?: ConditionJson[];
    containerStatuses?: ContainerStatusJson[];
    [field: string]: unknown;
  };
}

export interface ReplicaSetStatusJson {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ConditionJson[];
}

export interface ReplicaSetJson extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelectorJson;
    template?: PodTemplateSpecJson;
  };
  status?: ReplicaSetStatusJson;
}

export interface DeploymentStrategyJson {
  type?: string;
  rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
}

export interface DeploymentStatusJson {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  terminatingReplicas?: number;
  collisionCount?: number;
  conditions?: ConditionJson[];
}

export interface DeploymentJson extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelectorJson;
    template?: PodTemplateSpecJson;
    strategy?: DeploymentStrategyJson;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: DeploymentStatusJson;
}

/** spec.replicas with the API default (1) for an unset value. */
export function specReplicas(obj: { spec?: { replicas?: number } }): number {
  return typeof obj.spec?.replicas === 'number' ? obj.spec.replicas : 1;
}
