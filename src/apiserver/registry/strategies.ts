/**
 * The strategy and the metadata.name rule of every kind in resources.ts, by
 * (group, kind). Kinds without kind-specific behaviour get an empty strategy.
 */
import { RESOURCE_TYPES } from '../resources.js';
import type { ResourceStrategy } from '../strategy.js';
import {
  type NameValidator,
  nameIsDns1035Label,
  nameIsDns1123Label,
  nameIsDns1123Subdomain,
} from '../validation/names.js';
import { configMapStrategy } from './configmap-strategy.js';
import { deploymentStrategy } from './deployment-strategy.js';
import { endpointsStrategy } from './endpoints-strategy.js';
import { endpointSliceStrategy } from './endpointslice-strategy.js';
import { coreEventStrategy, eventsV1EventStrategy } from './event-strategy.js';
import { ingressClassStrategy } from './ingressclass-strategy.js';
import { ingressStrategy } from './ingress-strategy.js';
import { leaseStrategy } from './lease-strategy.js';
import { namespaceStrategy } from './namespace-strategy.js';
import { nodeStrategy } from './node-strategy.js';
import { podStrategy } from './pod-strategy.js';
import { replicaSetStrategy } from './replicaset-strategy.js';
import { secretStrategy } from './secret-strategy.js';
import { serviceAccountStrategy } from './serviceaccount-strategy.js';
import { serviceStrategy } from './service/service-strategy.js';
import { statefulSetStrategy } from './statefulset-strategy.js';

const key = (group: string, kind: string): string => `${group}/${kind}`;

const STRATEGIES = new Map<string, ResourceStrategy>([
  [key('', 'Pod'), podStrategy],
  [key('', 'Service'), serviceStrategy],
  [key('', 'Endpoints'), endpointsStrategy],
  [key('', 'Namespace'), namespaceStrategy],
  [key('', 'Node'), nodeStrategy],
  [key('', 'Secret'), secretStrategy],
  [key('', 'ConfigMap'), configMapStrategy],
  [key('', 'Event'), coreEventStrategy],
  [key('', 'ServiceAccount'), serviceAccountStrategy],
  [key('apps', 'Deployment'), deploymentStrategy],
  [key('apps', 'ReplicaSet'), replicaSetStrategy],
  [key('apps', 'StatefulSet'), statefulSetStrategy],
  [key('discovery.k8s.io', 'EndpointSlice'), endpointSliceStrategy],
  [key('networking.k8s.io', 'Ingress'), ingressStrategy],
  [key('networking.k8s.io', 'IngressClass'), ingressClassStrategy],
  [key('coordination.k8s.io', 'Lease'), leaseStrategy],
  [key('events.k8s.io', 'Event'), eventsV1EventStrategy],
]);

/** Name rules that differ from the default DNS-1123 subdomain (upstream Validate<Kind>Name). */
const NAME_VALIDATORS = new Map<string, NameValidator>([
  [key('', 'Service'), nameIsDns1035Label],
  [key('', 'Namespace'), nameIsDns1123Label],
  [key('apps', 'StatefulSet'), nameIsDns1123Label],
]);

const EMPTY_STRATEGY: ResourceStrategy = {};

/** The strategy of a kind; an empty one (no defaults, no extra validation) for unknown kinds. */
export function strategyFor(group: string, kind: string): ResourceStrategy {
  return STRATEGIES.get(key(group, kind)) ?? EMPTY_STRATEGY;
}

/** The metadata.name rule of a kind, for the generic validateObjectMeta (`nameFn`). */
export function nameValidatorFor(group: string, kind: string): NameValidator {
  return NAME_VALIDATORS.get(key(group, kind)) ?? nameIsDns1123Subdomain;
}

/** Kinds served (resources.ts) without a registered strategy; empty when the table is complete. */
export function kindsWithoutStrategy(): string[] {
  return RESOURCE_TYPES.filter((t) => !STRATEGIES.has(key(t.group, t.kind))).map((t) => key(t.group, t.kind));
}
