/**
 * Patch metadata per kind: what the Go struct tags (`patchStrategy`,
 * `patchMergeKey`) say for strategic merge patch, and what the OpenAPI
 * extensions (`x-kubernetes-list-type`, `-list-map-keys`, `-map-type`) say for
 * server-side apply. Only the fields that are not "map merges, list is atomic"
 * are described; everything else falls back to those defaults.
 */
import { findByKind } from '../resources.js';

export type PatchStrategy = 'merge' | 'retainKeys' | 'replace';

/** Describes one value in an object (a struct, a free-form map, a list or a scalar). */
export interface SchemaNode {
  /** Per-field schema of a struct. Undescribed fields use the defaults. */
  readonly fields?: Readonly<Record<string, SchemaNode>>;
  /**
   * Set on free-form maps (labels, annotations, data): the schema of every value.
   * Their keys are map entries, not struct fields, which matters to field ownership.
   */
  readonly values?: SchemaNode;
  /** SSA: the map is owned as one unit (`x-kubernetes-map-type: atomic`). */
  readonly atomicMap?: boolean;
  /** Schema of the elements of a list. */
  readonly items?: SchemaNode;
  /** SMP `patchStrategy` tag of this field. Lists without 'merge' are replaced. */
  readonly patchStrategy?: readonly PatchStrategy[];
  /** SMP `patchMergeKey` of a list of objects. */
  readonly patchMergeKey?: string;
  /** SSA `x-kubernetes-list-type`; absent means atomic. */
  readonly listType?: 'atomic' | 'set' | 'map';
  /** SSA `x-kubernetes-list-map-keys`. */
  readonly listMapKeys?: readonly string[];
  /** Defaults of list-map key fields an item may omit (ports: protocol TCP). */
  readonly listMapKeyDefaults?: Readonly<Record<string, unknown>>;
}

/** The schema of one kind: its root node plus what field tracking needs. */
export interface PatchSchema extends SchemaNode {
  readonly apiVersion: string;
  readonly kind: string;
  /**
   * The object as the Go API types serialize an empty value of the kind: the
   * "before" side when tracking which fields a create set, so that always-present
   * structs such as `spec` are not reported as newly created.
   */
  readonly emptyObject: Readonly<Record<string, unknown>>;
  /** The kind has a status subresource, so main-resource writes do not own `status` and vice versa. */
  readonly statusSubresource: boolean;
}

/** Schema used for anything undescribed: maps merge, lists are atomic. */
export const DEFAULT_NODE: SchemaNode = {};

const freeMap: SchemaNode = { values: DEFAULT_NODE };
const atomicFreeMap: SchemaNode = { values: DEFAULT_NODE, atomicMap: true };

function struct(fields: Record<string, SchemaNode>): SchemaNode {
  return { fields };
}

/** A list merged by key in both SMP and SSA. */
function keyedList(
  mergeKey: string,
  item: SchemaNode,
  ssaKeys: readonly string[] | undefined = [mergeKey],
  opts: { defaults?: Record<string, unknown>; retainKeys?: boolean } = {},
): SchemaNode {
  return {
    items: item,
    patchStrategy: opts.retainKeys ? ['merge', 'retainKeys'] : ['merge'],
    patchMergeKey: mergeKey,
    ...(ssaKeys ? { listType: 'map' as const, listMapKeys: ssaKeys } : { listType: 'atomic' as const }),
    ...(opts.defaults ? { listMapKeyDefaults: opts.defaults } : {}),
  };
}

const conditions = keyedList('type', DEFAULT_NODE);

export const OBJECT_META: SchemaNode = struct({
  labels: freeMap,
  annotations: freeMap,
  finalizers: { patchStrategy: ['merge'], listType: 'set' },
  ownerReferences: keyedList('uid', DEFAULT_NODE),
});

const labelSelector = struct({ matchLabels: freeMap });

const resources = struct({ limits: freeMap, requests: freeMap });

const container: SchemaNode = struct({
  ports: keyedList('containerPort', DEFAULT_NODE, ['containerPort', 'protocol'], { defaults: { protocol: 'TCP' } }),
  env: keyedList('name', DEFAULT_NODE),
  volumeMounts: keyedList('mountPath', DEFAULT_NODE),
  // SSA treats volumeDevices as atomic in the 1.32 OpenAPI; SMP merges by devicePath.
  volumeDevices: keyedList('devicePath', DEFAULT_NODE, undefined),
  resources,
});

export const POD_SPEC: SchemaNode = struct({
  volumes: keyedList('name', DEFAULT_NODE, ['name'], { retainKeys: true }),
  initContainers: keyedList('name', container),
  containers: keyedList('name', container),
  ephemeralContainers: keyedList('name', container),
  imagePullSecrets: keyedList('name', DEFAULT_NODE, undefined),
  hostAliases: keyedList('ip', DEFAULT_NODE, undefined),
  topologySpreadConstraints: keyedList('topologyKey', DEFAULT_NODE, ['topologyKey', 'whenUnsatisfiable']),
  schedulingGates: keyedList('name', DEFAULT_NODE),
  resourceClaims: keyedList('name', DEFAULT_NODE, ['name'], { retainKeys: true }),
  nodeSelector: atomicFreeMap,
  overhead: freeMap,
});

const podTemplate = struct({ metadata: OBJECT_META, spec: POD_SPEC });

function withMeta(fields: Record<string, SchemaNode>): Record<string, SchemaNode> {
  return { metadata: OBJECT_META, ...fields };
}

const emptyPodTemplate = { metadata: {}, spec: { containers: null } };

interface KindEntry {
  readonly fields: Record<string, SchemaNode>;
  readonly emptyObject: Record<string, unknown>;
}

const KINDS: Record<string, KindEntry> = {
  'v1/Pod': {
    fields: withMeta({
      spec: POD_SPEC,
      status: struct({ conditions, podIPs: keyedList('ip', DEFAULT_NODE), hostIPs: keyedList('ip', DEFAULT_NODE) }),
    }),
    emptyObject: { metadata: {}, spec: { containers: null }, status: {} },
  },
  'v1/Service': {
    fields: withMeta({
      spec: struct({
        ports: keyedList('port', DEFAULT_NODE, ['port', 'protocol'], { defaults: { protocol: 'TCP' } }),
        selector: atomicFreeMap,
      }),
      status: struct({ conditions }),
    }),
    emptyObject: { metadata: {}, spec: {}, status: { loadBalancer: {} } },
  },
  'v1/Endpoints': { fields: withMeta({}), emptyObject: { metadata: {} } },
  'v1/Namespace': {
    fields: withMeta({ status: struct({ conditions }) }),
    emptyObject: { metadata: {}, spec: {}, status: {} },
  },
  'v1/Node': {
    fields: withMeta({
      spec: struct({ podCIDRs: { patchStrategy: ['merge'], listType: 'set' } }),
      status: struct({
        conditions,
        // SMP merges addresses by type; the SSA schema keeps the list atomic.
        addresses: keyedList('type', DEFAULT_NODE, undefined),
        capacity: freeMap,
        allocatable: freeMap,
      }),
    }),
    emptyObject: { metadata: {}, spec: {}, status: {} },
  },
  'v1/Secret': { fields: withMeta({ data: freeMap, stringData: freeMap }), emptyObject: { metadata: {} } },
  'v1/ConfigMap': { fields: withMeta({ data: freeMap, binaryData: freeMap }), emptyObject: { metadata: {} } },
  'v1/Event': { fields: withMeta({}), emptyObject: { metadata: {}, involvedObject: {}, source: {} } },
  'v1/ServiceAccount': {
    fields: withMeta({ secrets: keyedList('name', DEFAULT_NODE, undefined) }),
    emptyObject: { metadata: {} },
  },
  'apps/v1/Deployment': {
    fields: withMeta({
      spec: struct({ selector: labelSelector, template: podTemplate, strategy: { patchStrategy: ['retainKeys'] } }),
      status: struct({ conditions }),
    }),
    emptyObject: { metadata: {}, spec: { selector: null, template: emptyPodTemplate, strategy: {} }, status: {} },
  },
  'apps/v1/ReplicaSet': {
    fields: withMeta({
      spec: struct({ selector: labelSelector, template: podTemplate }),
      status: struct({ conditions }),
    }),
    emptyObject: { metadata: {}, spec: { selector: null, template: emptyPodTemplate }, status: {} },
  },
  'apps/v1/StatefulSet': {
    fields: withMeta({
      spec: struct({ selector: labelSelector, template: podTemplate }),
      status: struct({ conditions }),
    }),
    emptyObject: {
      metadata: {},
      spec: { selector: null, template: emptyPodTemplate, updateStrategy: {} },
      status: {},
    },
  },
  'discovery.k8s.io/v1/EndpointSlice': { fields: withMeta({}), emptyObject: { metadata: {}, endpoints: null } },
  'networking.k8s.io/v1/Ingress': {
    fields: withMeta({}),
    emptyObject: { metadata: {}, spec: {}, status: { loadBalancer: {} } },
  },
  'networking.k8s.io/v1/IngressClass': { fields: withMeta({}), emptyObject: { metadata: {}, spec: {} } },
  'coordination.k8s.io/v1/Lease': { fields: withMeta({}), emptyObject: { metadata: {}, spec: {} } },
  'events.k8s.io/v1/Event': { fields: withMeta({}), emptyObject: { metadata: {} } },
};

/**
 * The patch schema of a kind served by this API server. Unknown kinds get a
 * schema with only the ObjectMeta rules (maps merge, lists atomic elsewhere).
 */
export function patchSchemaFor(apiVersion: string, kind: string): PatchSchema {
  const entry = KINDS[`${apiVersion}/${kind}`];
  const statusSubresource = findByKind(apiVersion, kind)?.subresources.includes('status') ?? false;
  return {
    apiVersion,
    kind,
    fields: entry?.fields ?? withMeta({}),
    emptyObject: entry?.emptyObject ?? { metadata: {} },
    statusSubresource,
  };
}

/** Schema of the value of field `name` of a struct or free-form map. */
export function fieldSchema(node: SchemaNode | undefined, name: string): SchemaNode {
  if (!node) return DEFAULT_NODE;
  return node.fields?.[name] ?? node.values ?? DEFAULT_NODE;
}

