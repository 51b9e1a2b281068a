/**
 * API discovery documents: the aggregated form (apidiscovery.k8s.io/v2, what
 * kubectl 1.30+ asks for first) and the legacy APIVersions / APIGroupList /
 * APIResourceList forms, both derived from the resource table.
 */
import { ALL_VERBS, RESOURCE_TYPES, type ResourceType, groupVersions } from './resources.js';

export const AGGREGATED_DISCOVERY_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Did the client ask for aggregated discovery (v2 or v2beta1)? */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (p.includes('as=APIGroupDiscoveryList') && p.includes('g=apidiscovery.k8s.io')) {
      if (p.includes('v=v2beta1')) return 'v2beta1';
      if (p.includes('v=v2')) return 'v2';
    }
  }
  return undefined;
}

function subresourceDiscovery(t: ResourceType) {
  return t.subresources.map((sub) =>
    sub === 'scale'
      ? { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] }
      : sub === 'binding'
        ? { subresource: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] }
        : { subresource: sub, responseKind: { group: t.group, version: t.version, kind: t.kind }, verbs: ['get', 'patch', 'update'] },
  );
}

function resourceDiscovery(t: ResourceType) {
  const r: Record<string, unknown> = {
    resource: t.plural,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: [...ALL_VERBS],
  };
  if (t.shortNames.length) r.shortNames = [...t.shortNames];
  if (t.categories.length) r.categories = [...t.categories];
  const subs = subresourceDiscovery(t);
  if (subs.length) r.subresources = subs;
  return r;
}

function groupDiscovery(group: string) {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({
      version: gv.version,
      freshness: 'Current',
      resources: RESOURCE_TYPES.filter((t) => t.group === group && t.version === gv.version).map(resourceDiscovery),
    }));
  const metadata: Record<string, unknown> = { creationTimestamp: null };
  if (group) metadata.name = group;
  return { metadata, versions };
}

function groupsInOrder(): string[] {
  const out: string[] = [];
  for (const gv of groupVersions()) if (gv.group && !out.includes(gv.group)) out.push(gv.group);
  return out;
}

/** Body of `/api` (core=true) or `/apis` in aggregated form. */
export function aggregatedDiscovery(core: boolean, version: 'v2' | 'v2beta1'): object {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: core ? [groupDiscovery('')] : groupsInOrder().map(groupDiscovery),
  };
}

export function legacyApiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string) {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function legacyApiGroupList(): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupsInOrder().map(apiGroup) };
}

export function legacyApiGroup(group: string): object | undefined {
  if (!groupsInOrder().includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}

export function legacyApiResourceList(group: string, version: string): object | undefined {
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of types) {
    const r: Record<string, unknown> = {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: [...ALL_VERBS],
    };
    if (t.shortNames.length) r.shortNames = [...t.shortNames];
    if (t.categories.length) r.categories = [...t.categories];
    resources.push(r);
    for (const sub of t.subresources) {
      resources.push(
        sub === 'binding'
          ? { name: `${t.plural}/binding`, singularName: '', namespaced: t.namespaced, kind: 'Binding', verbs: ['create'] }
          : sub === 'scale'
          ? { name: `${t.plural}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }
          : { name: `${t.plural}/${sub}`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] },
      );
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
