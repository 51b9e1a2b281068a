/** The slices of StatefulSet and Pod the StatefulSet controller reads (loose JSON shapes). */
import type { KubeObject } from '../../api/object.js';

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; [extra: string]: unknown };
  spec?: Record<string, unknown>;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface StatefulSet extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: unknown;
    serviceName?: string;
    template?: PodTemplate;
    podManagementPolicy?: string;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
    minReadySeconds?: number;
    ordinals?: { start?: number };
    volumeClaimTemplates?: { metadata?: { name?: string } }[];
  };
  status?: StatefulSetStatus;
}

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string | null;
}

export interface Pod extends KubeObject {
  spec?: Record<string, unknown>;
  status?: { phase?: string; conditions?: PodCondition[] };
}
