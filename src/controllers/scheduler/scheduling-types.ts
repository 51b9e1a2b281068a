/**
 * The slices of Pod and Node the scheduler reads, as loose JSON shapes (objects come
 * from informers untyped; every field is optional and checked where used).
 */
import type { KubeObject } from '../../api/object.js';

export interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
  readonly tolerationSeconds?: number;
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

export interface NodeSelectorRequirement {
  readonly key?: string;
  readonly operator?: string;
  readonly values?: readonly string[];
}

export interface NodeSelectorTerm {
  readonly matchExpressions?: readonly NodeSelectorRequirement[];
  readonly matchFields?: readonly NodeSelectorRequirement[];
}

export interface ContainerShape {
  readonly name?: string;
  readonly resources?: { readonly requests?: Readonly<Record<string, unknown>>; readonly limits?: Readonly<Record<string, unknown>> };
}

export interface PodSpecShape {
  readonly nodeName?: string;
  readonly schedulerName?: string;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly affinity?: {
    readonly nodeAffinity?: {
      readonly requiredDuringSchedulingIgnoredDuringExecution?: { readonly nodeSelectorTerms?: readonly NodeSelectorTerm[] };
    };
  };
  readonly tolerations?: readonly Toleration[];
  readonly containers?: readonly ContainerShape[];
  readonly initContainers?: readonly ContainerShape[];
  readonly overhead?: Readonly<Record<string, unknown>>;
  readonly preemptionPolicy?: string;
}

export interface PodCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastProbeTime?: string | null;
  readonly lastTransitionTime?: string | null;
}

export interface Pod extends KubeObject {
  spec?: PodSpecShape;
  status?: { readonly phase?: string; readonly conditions?: readonly PodCondition[] };
}

export interface NodeCondition {
  readonly type: string;
  readonly status: string;
}

export interface Node extends KubeObject {
  spec?: { readonly unschedulable?: boolean; readonly taints?: readonly Taint[] };
  status?: {
    readonly allocatable?: Readonly<Record<string, unknown>>;
    readonly capacity?: Readonly<Record<string, unknown>>;
    readonly conditions?: readonly NodeCondition[];
  };
}

/** CPU in millicores and memory in bytes. */
export interface Resources {
  readonly milliCPU: number;
  readonly memory: number;
}

/** A pod as the scheduler accounts for it on a node. */
export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  /** UID of the controlling owner, if any. */
  readonly ownerUid: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: Resources;
}

/** A node with what is already placed on it. */
export interface NodeInfo {
  readonly node: Node;
  readonly name: string;
  readonly pods: readonly PodInfo[];
  /** Sum of the placed pods' requests. */
  readonly requested: Resources;
}
