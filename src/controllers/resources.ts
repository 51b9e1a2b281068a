/** Resource references the controllers work with (group, version, plural, scope). */
import type { ResourceRef } from '../client/kube-client.js';

const ref = (group: string, version: string, plural: string, namespaced = true): ResourceRef => ({ group, version, plural, namespaced });

export const PODS = ref('', 'v1', 'pods');
export const SERVICES = ref('', 'v1', 'services');
export const ENDPOINTS = ref('', 'v1', 'endpoints');
export const NODES = ref('', 'v1', 'nodes', false);
export const NAMESPACES = ref('', 'v1', 'namespaces', false);
export const EVENTS = ref('', 'v1', 'events');
export const SECRETS = ref('', 'v1', 'secrets');
export const CONFIGMAPS = ref('', 'v1', 'configmaps');
export const SERVICEACCOUNTS = ref('', 'v1', 'serviceaccounts');
export const ENDPOINTSLICES = ref('discovery.k8s.io', 'v1', 'endpointslices');
export const DEPLOYMENTS = ref('apps', 'v1', 'deployments');
export const REPLICASETS = ref('apps', 'v1', 'replicasets');
export const STATEFULSETS = ref('apps', 'v1', 'statefulsets');
export const INGRESSES = ref('networking.k8s.io', 'v1', 'ingresses');
export const INGRESSCLASSES = ref('networking.k8s.io', 'v1', 'ingressclasses', false);
export const LEASES = ref('coordination.k8s.io', 'v1', 'leases');
export const EVENTS_V1 = ref('events.k8s.io', 'v1', 'events');
