/**
 * Loose JSON shapes of the core/v1 objects the Endpoints and EndpointSlice mirroring controllers
 * read and write (Service, Pod, Endpoints). Field names and optionality follow the Kubernetes API;
 * only the fields these controllers use are spelled out.
 */
import type { KubeObject } from '../../api/object.js';

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServiceSpec {
  selector?: Record<string, string> | null;
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ports?: ServicePort[];
  publishNotReadyAddresses?: boolean;
}

export interface Service extends KubeObject {
  spec?: ServiceSpec;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Container {
  name?: string;
  image?: string;
  ports?: ContainerPort[];
  restartPolicy?: string;
}

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string | null;
}

export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    hostname?: string;
    subdomain?: string;
    containers?: Container[];
    initContainers?: Container[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    conditions?: PodCondition[];
  };
}

/** Label on Endpoints of services without a cluster IP (upstream v1.IsHeadlessService). */
export const LABEL_HEADLESS_SERVICE = 'service.kubernetes.io/headless';
/** Annotation: when the change that produced these endpoints happened (upstream v1.EndpointsLastChangeTriggerTime). */
export const ANNOTATION_LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Annotation set when addresses were dropped to stay within MAX_ENDPOINTS_CAPACITY (upstream v1.EndpointsOverCapacity). */
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
/** Annotation client-go's leader election once put on Endpoints locks; such objects are left alone. */
export const ANNOTATION_LEADER_ELECTION = 'control-plane.alpha.kubernetes.io/leader';
/** kubectl's last-applied annotation (never mirrored onto EndpointSlices). */
export const ANNOTATION_LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A Service's selector when it has one; a missing or empty selector selects nothing (upstream nil map). */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return undefined;
  return sel;
}

/** Equality-based selector match (labels.Set(selector).AsSelector()). */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(selector)) {
    if (labels?.[k] !== v) return false;
  }
  return true;
}
