/**
 * discovery.k8s.io/v1 EndpointSlice as the mirroring controller reads and writes it, and the
 * label/annotation names of the mirroring contract.
 */
import type { KubeObject } from '../../api/object.js';
import type { ObjectReference } from '../endpoints/endpoints-types.js';

export type AddressType = 'IPv4' | 'IPv6' | 'FQDN';

export interface SliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  targetRef?: ObjectReference;
  nodeName?: string;
  zone?: string;
}

export interface SlicePort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

export interface EndpointSlice extends KubeObject {
  addressType?: AddressType;
  endpoints?: SliceEndpoint[];
  ports?: SlicePort[] | null;
}

/** Label naming the Service a slice belongs to (discovery.LabelServiceName). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** Label naming the controller that manages a slice (discovery.LabelManagedBy). */
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
/** Value of LABEL_MANAGED_BY on slices this controller writes. */
export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
/** Endpoints labelled with this set to "true" are not mirrored (discovery.LabelSkipMirror). */
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';

/** Whether the slice carries this controller's managed-by label. */
export function managedByMirroring(slice: EndpointSlice): boolean {
  return slice.metadata.labels?.[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER_NAME;
}
