/**
 * The resource types this API server serves: one entry per (group, version, resource).
 * Discovery, OpenAPI, routing and storage keys are all derived from this table.
 */

export interface ResourceType {
  /** API group, '' for core. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  /** Lower-case plural used in URLs, e.g. `services`. */
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Subresources served (besides the main resource). */
  readonly subresources: readonly ('status' | 'scale' | 'binding')[];
  /** Storage prefix under /registry, e.g. `services/specs` in upstream; we use `<group>/<plural>`. */
  readonly storagePrefix: string;
  /** Objects of this kind have a spec whose changes bump metadata.generation. */
  readonly hasGeneration: boolean;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

function rt(
  group: string,
  version: string,
  kind: string,
  plural: string,
  opts: {
    namespaced?: boolean;
    shortNames?: string[];
    categories?: string[];
    subresources?: ('status' | 'scale' | 'binding')[];
    hasGeneration?: boolean;
  } = {},
): ResourceType {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: opts.namespaced ?? true,
    shortNames: opts.shortNames ?? [],
    categories: opts.categories ?? [],
    subresources: opts.subresources ?? [],
    storagePrefix: group ? `${group}/${plural}` : plural,
    hasGeneration: opts.hasGeneration ?? false,
  };
}

/**
 * Order matters: it is the discovery order, and `kubectl get all` lists the
 * "all" category in this order (pods, services, then apps kinds, as upstream).
 */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  rt('', 'v1', 'Pod', 'pods', { shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding'] }),
  rt('', 'v1', 'Service', 'services', { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  rt('', 'v1', 'Endpoints', 'endpoints', { shortNames: ['ep'] }),
  rt('', 'v1', 'Namespace', 'namespaces', { namespaced: false, shortNames: ['ns'], subresources: ['status'] }),
  rt('', 'v1', 'Node', 'nodes', { namespaced: false, shortNames: ['no'], subresources: ['status'] }),
  rt('', 'v1', 'Secret', 'secrets'),
  rt('', 'v1', 'ConfigMap', 'configmaps', { shortNames: ['cm'] }),
  rt('', 'v1', 'Event', 'events', { shortNames: ['ev'] }),
  rt('', 'v1', 'ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
  rt('apps', 'v1', 'Deployment', 'deployments', {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
  }),
  rt('apps', 'v1', 'ReplicaSet', 'replicasets', {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
  }),
  rt('apps', 'v1', 'StatefulSet', 'statefulsets', {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
  }),
  rt('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', { hasGeneration: true }),
  rt('networking.k8s.io', 'v1', 'Ingress', 'ingresses', { shortNames: ['ing'], subresources: ['status'], hasGeneration: true }),
  rt('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', { namespaced: false }),
  rt('coordination.k8s.io', 'v1', 'Lease', 'leases'),
  // No short names: kubectl would warn that "ev" also matches core events.
  rt('events.k8s.io', 'v1', 'Event', 'events'),
];

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);
}

export function findByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

/** Group-versions served, in discovery order (core first). */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const t of RESOURCE_TYPES) {
    const k = `${t.group}/${t.version}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push({ group: t.group, version: t.version });
    }
  }
  return out;
}

/** `/registry/<prefix>/<namespace>/<name>` or `/registry/<prefix>/<name>` for cluster-scoped kinds. */
export function storageKey(t: ResourceType, namespace: string | undefined, name: string): string {
  return t.namespaced ? `/registry/${t.storagePrefix}/${namespace ?? ''}/${name}` : `/registry/${t.storagePrefix}/${name}`;
}

/** Prefix for listing: all namespaces when namespace is undefined. Always ends with '/'. */
export function storagePrefix(t: ResourceType, namespace: string | undefined): string {
  return t.namespaced && namespace !== undefined ? `/registry/${t.storagePrefix}/${namespace}/` : `/registry/${t.storagePrefix}/`;
}
