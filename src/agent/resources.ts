/** API resources the node agent reads and writes. */
import type { ResourceRef } from '../client/kube-client.js';

const ref = (group: string, version: string, plural: string, namespaced = true): ResourceRef => ({ group, version, plural, namespaced });

export const PODS = ref('', 'v1', 'pods');
export const NODES = ref('', 'v1', 'nodes', false);
export const SERVICES = ref('', 'v1', 'services');
export const CONFIGMAPS = ref('', 'v1', 'configmaps');
export const SECRETS = ref('', 'v1', 'secrets');
export const EVENTS = ref('', 'v1', 'events');
export const LEASES = ref('coordination.k8s.io', 'v1', 'leases');
