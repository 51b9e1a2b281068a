/**
 * The OpenAPI v3 documents served at `/openapi/v3` (index) and `/openapi/v3/<gv>` (one per
 * group-version), shaped like the upstream API server's so that kubectl can:
 *  - validate with `fieldValidation=Strict` (it looks for a PATCH operation carrying the kind's
 *    `x-kubernetes-group-version-kind` and a `fieldValidation` query parameter),
 *  - compute client-side apply patches from the schemas' patch extensions,
 *  - run `kubectl explain` (paths ending in the resource plus GVK-tagged component schemas).
 */

import { createHash } from 'node:crypto';
import { RESOURCE_TYPES, groupVersions } from '../resources.js';
import type { ResourceType } from '../resources.js';
import { META, REF_PREFIX } from './schema-dsl.js';
import type { GroupVersionKind, OpenApiSchema } from './schema-dsl.js';
import { ALL_SCHEMAS, closure, schemaNameForKind } from './schema-registry.js';
import { SCALE_GVK } from './schemas/autoscaling.js';

interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: 'string' | 'boolean' | 'integer'; uniqueItems?: boolean };
}

interface Operation {
  description: string;
  operationId: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }>; required?: boolean };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref: string } }> }>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': GroupVersionKind;
}

type PathItem = { parameters?: Parameter[] } & Partial<Record<'get' | 'put' | 'post' | 'patch' | 'delete', Operation>>;

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, OpenApiSchema>; securitySchemes: Record<string, unknown> };
  security: Record<string, string[]>[];
}

const K8S_VERSION = 'v1.32.0';

// ---- parameters (inline: kubectl inspects `parameters[].name` without resolving refs) ----

function q(name: string, description: string, type: Parameter['schema']['type'] = 'string'): Parameter {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const P = {
  pretty: q('pretty', "If 'true', the output is pretty printed."),
  dryRun: q('dryRun', 'When present, the request is validated and processed but not persisted. The only valid value is "All".'),
  fieldManager: q(
    'fieldManager',
    'Name of the actor making the change, recorded in managedFields. Required for apply patches; at most 128 printable characters.',
  ),
  fieldValidation: q(
    'fieldValidation',
    'What to do with unknown or duplicate fields in the body: "Ignore" drops them, "Warn" (the default) returns a warning for each, "Strict" fails the request.',
  ),
  force: q(
    'force',
    'For apply patches only: take ownership of fields that conflict with other managers instead of failing.',
    'boolean',
  ),
  allowWatchBookmarks: q('allowWatchBookmarks', 'Ask for BOOKMARK events in a watch; the server may ignore the request.', 'boolean'),
  continue: q('continue', 'Continue token from a previous paginated list response.'),
  fieldSelector: q('fieldSelector', 'Restrict results by field values, e.g. "metadata.name=foo". Defaults to everything.'),
  labelSelector: q('labelSelector', 'Restrict results by labels, e.g. "app=web,tier!=cache". Defaults to everything.'),
  limit: q('limit', 'Maximum number of items to return; a continue token is returned when more exist.', 'integer'),
  resourceVersion: q('resourceVersion', 'Constraint on the resource version the result is served from; see resourceVersionMatch.'),
  resourceVersionMatch: q('resourceVersionMatch', 'How resourceVersion applies to a list: "Exact" or "NotOlderThan".'),
  sendInitialEvents: q(
    'sendInitialEvents',
    'With watch=true: start the stream with synthetic ADDED events for the current state, followed by a bookmark.',
    'boolean',
  ),
  timeoutSeconds: q('timeoutSeconds', 'Timeout of a list or watch call, in seconds.', 'integer'),
  watch: q('watch', 'Watch for changes to the described resources instead of listing them.', 'boolean'),
  gracePeriodSeconds: q(
    'gracePeriodSeconds',
    'Seconds before the object is deleted; zero means immediately. Defaults to the kind\'s grace period.',
    'integer',
  ),
  ignoreStoreReadError: q(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'Delete an object that cannot be read from storage, bypassing finalizers. Dangerous.',
    'boolean',
  ),
  orphanDependents: q('orphanDependents', 'Deprecated: use propagationPolicy.', 'boolean'),
  propagationPolicy: q('propagationPolicy', 'Garbage collection of dependents: "Orphan", "Background" or "Foreground".'),
};

function pathParam(name: 'name' | 'namespace', what: string): Parameter {
  return {
    name,
    in: 'path',
    description: name === 'name' ? `name of the ${what}` : 'object name and auth scope, such as for teams and projects',
    required: true,
    schema: { type: 'string', uniqueItems: true },
  };
}

const LIST_PARAMS = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.ignoreStoreReadError, P.orphanDependents, P.propagationPolicy];
const DELETE_COLLECTION_PARAMS = [
  P.continue,
  P.dryRun,
  P.fieldSelector,
  P.gracePeriodSeconds,
  P.ignoreStoreReadError,
  P.labelSelector,
  P.limit,
  P.orphanDependents,
  P.propagationPolicy,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
];

// ---- operations ----

const PATCH_CONTENT_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

function schemaRef(name: string): { $ref: string } {
  return { $ref: REF_PREFIX + name };
}

function body(schemaName: string, list = false): Record<string, { schema: { $ref: string } }> {
  const types = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
  if (list) types.push('application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch');
  return Object.fromEntries(types.map((t) => [t, { schema: schemaRef(schemaName) }]));
}

function responses(schemaName: string, codes: string[], list = false): Operation['responses'] {
  const text: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
  const out: Operation['responses'] = {};
  for (const c of codes) out[c] = { description: text[c] ?? c, content: body(schemaName, list) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

/** `CoreV1`, `AppsV1`, `NetworkingV1`, … as in upstream operation ids. */
function opPrefix(t: { group: string; version: string }): string {
  const g = t.group === '' ? 'core' : (t.group.split('.')[0] ?? t.group);
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  return cap(g) + cap(t.version);
}

function tag(t: { group: string; version: string }): string {
  const g = t.group === '' ? 'core' : (t.group.split('.')[0] ?? t.group);
  return `${g}_${t.version}`;
}

interface OpSpec {
  verb: string;
  action: string;
  params?: Parameter[];
  requestBody?: Operation['requestBody'];
  codes: string[];
  list?: boolean;
  responseSchema: string;
  summary: string;
}

function operation(t: ResourceType, gvk: GroupVersionKind, opIdSuffix: string, spec: OpSpec): Operation {
  const op: Operation = {
    description: spec.summary,
    operationId: `${spec.verb}${opPrefix(t)}${opIdSuffix}`,
    tags: [tag(t)],
    responses: responses(spec.responseSchema, spec.codes, spec.list),
    'x-kubernetes-action': spec.action,
    'x-kubernetes-group-version-kind': { ...gvk },
  };
  if (spec.params !== undefined && spec.params.length > 0) op.parameters = spec.params;
  if (spec.requestBody !== undefined) op.requestBody = spec.requestBody;
  return op;
}

function writeBody(schemaName: string): Operation['requestBody'] {
  return { content: { '*/*': { schema: schemaRef(schemaName) } }, required: true };
}

function patchBody(): Operation['requestBody'] {
  return {
    content: Object.fromEntries(PATCH_CONTENT_TYPES.map((ct) => [ct, { schema: schemaRef(META + 'Patch') }])),
    required: true,
  };
}

function deleteBody(): Operation['requestBody'] {
  return { content: { '*/*': { schema: schemaRef(META + 'DeleteOptions') } } };
}

/** get / put / patch on an object or one of its subresources. */
function objectOps(
  t: ResourceType,
  gvk: GroupVersionKind,
  schemaName: string,
  idSuffix: string,
  what: string,
): Pick<PathItem, 'get' | 'put' | 'patch'> {
  return {
    get: operation(t, gvk, idSuffix, {
      verb: 'read',
      action: 'get',
      codes: ['200'],
      responseSchema: schemaName,
      summary: `read ${what}`,
    }),
    put: operation(t, gvk, idSuffix, {
      verb: 'replace',
      action: 'put',
      params: WRITE_PARAMS,
      requestBody: writeBody(schemaName),
      codes: ['200', '201'],
      responseSchema: schemaName,
      summary: `replace ${what}`,
    }),
    patch: operation(t, gvk, idSuffix, {
      verb: 'patch',
      action: 'patch',
      params: PATCH_PARAMS,
      requestBody: patchBody(),
      codes: ['200', '201'],
      responseSchema: schemaName,
      summary: `partially update ${what}`,
    }),
  };
}

function resourcePaths(t: ResourceType): Record<string, PathItem> {
  const schemaName = schemaNameForKind(t.group ? `${t.group}/${t.version}` : t.version, t.kind);
  const listName = schemaNameForKind(t.group ? `${t.group}/${t.version}` : t.version, t.listKind);
  if (schemaName === undefined || listName === undefined) throw new Error(`openapi: no schema for ${t.kind}`);
  const gvk: GroupVersionKind = { group: t.group, version: t.version, kind: t.kind };
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  const scope = t.namespaced ? 'Namespaced' : '';
  const collection = t.namespaced ? `${base}/namespaces/{namespace}/${t.plural}` : `${base}/${t.plural}`;
  const item = `${collection}/{name}`;
  const what = t.kind;
  const nsParams = t.namespaced ? [pathParam('namespace', what)] : [];
  const out: Record<string, PathItem> = {};

  out[collection] = {
    parameters: [...nsParams, P.pretty],
    get: operation(t, gvk, `${scope}${t.kind}`, {
      verb: 'list',
      action: 'list',
      params: LIST_PARAMS,
      codes: ['200'],
      list: true,
      responseSchema: listName,
      summary: `list or watch objects of kind ${what}`,
    }),
    post: operation(t, gvk, `${scope}${t.kind}`, {
      verb: 'create',
      action: 'post',
      params: WRITE_PARAMS,
      requestBody: writeBody(schemaName),
      codes: ['200', '201', '202'],
      responseSchema: schemaName,
      summary: `create a ${what}`,
    }),
    delete: operation(t, gvk, `Collection${scope}${t.kind}`, {
      verb: 'delete',
      action: 'deletecollection',
      params: DELETE_COLLECTION_PARAMS,
      requestBody: deleteBody(),
      codes: ['200'],
      responseSchema: META + 'Status',
      summary: `delete collection of ${what}`,
    }),
  };

  out[item] = {
    parameters: [pathParam('name', what), ...nsParams, P.pretty],
    ...objectOps(t, gvk, schemaName, `${scope}${t.kind}`, `the specified ${what}`),
    delete: operation(t, gvk, `${scope}${t.kind}`, {
      verb: 'delete',
      action: 'delete',
      params: DELETE_PARAMS,
      requestBody: deleteBody(),
      codes: ['200', '202'],
      responseSchema: META + 'Status',
      summary: `delete a ${what}`,
    }),
  };

  for (const sub of t.subresources) {
    const subGvk = sub === 'scale' ? SCALE_GVK : gvk;
    const subSchema = sub === 'scale' ? 'io.k8s.api.autoscaling.v1.Scale' : schemaName;
    const suffix = sub === 'scale' ? 'Scale' : 'Status';
    out[`${item}/${sub}`] = {
      parameters: [pathParam('name', what), ...nsParams, P.pretty],
      ...objectOps(t, subGvk, subSchema, `${scope}${t.kind}${suffix}`, `${sub} of the specified ${what}`),
    };
  }

  if (t.namespaced) {
    out[`${base}/${t.plural}`] = {
      parameters: [...LIST_PARAMS, P.pretty],
      get: operation(t, gvk, `${t.kind}ForAllNamespaces`, {
        verb: 'list',
        action: 'list',
        codes: ['200'],
        list: true,
        responseSchema: listName,
        summary: `list or watch objects of kind ${what} in all namespaces`,
      }),
    };
  }
  return out;
}

/** `api/v1` or `apis/<group>/<version>`. */
function gvPath(gv: { group: string; version: string }): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
}

function buildDocument(gv: { group: string; version: string }): OpenApiDocument {
  const types = RESOURCE_TYPES.filter((t) => t.group === gv.group && t.version === gv.version);
  const paths: Record<string, PathItem> = {};
  const roots = [META + 'Status', META + 'DeleteOptions', META + 'Patch', META + 'WatchEvent'];
  for (const t of types) {
    Object.assign(paths, resourcePaths(t));
    const av = gv.group ? `${gv.group}/${gv.version}` : gv.version;
    for (const k of [t.kind, t.listKind]) {
      const name = schemaNameForKind(av, k);
      if (name !== undefined) roots.push(name);
    }
    if (t.subresources.includes('scale')) roots.push('io.k8s.api.autoscaling.v1.Scale');
  }
  const schemas: Record<string, OpenApiSchema> = {};
  for (const name of closure(roots)) {
    const s = ALL_SCHEMAS[name];
    if (s !== undefined) schemas[name] = s;
  }
  const sortedPaths: Record<string, PathItem> = {};
  for (const p of Object.keys(paths).sort()) {
    const item = paths[p];
    if (item !== undefined) sortedPaths[p] = item;
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: K8S_VERSION },
    paths: sortedPaths,
    components: {
      schemas,
      securitySchemes: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
    },
    security: [{ BearerToken: [] }],
  };
}

interface CachedDocument {
  readonly doc: OpenApiDocument;
  readonly json: string;
  readonly hash: string;
}

let cache: Map<string, CachedDocument> | undefined;

function documents(): Map<string, CachedDocument> {
  if (cache === undefined) {
    const built = new Map<string, CachedDocument>();
    for (const gv of groupVersions()) {
      const doc = buildDocument(gv);
      const json = JSON.stringify(doc);
      // Upstream publishes the SHA-512 of the document as upper-case hex.
      const hash = createHash('sha512').update(json).digest('hex').toUpperCase();
      built.set(gvPath(gv), { doc, json, hash });
    }
    cache = built;
  }
  return cache;
}

/**
 * Body of `GET /openapi/v3`: one entry per served group-version, keyed `api/v1`,
 * `apis/apps/v1`, …, each pointing at its document with a content hash.
 */
export function openapiIndex(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [p, d] of documents()) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
  return { paths };
}

/**
 * The OpenAPI 3.0 document of one group-version (`api/v1`, `apis/apps/v1`, …), or undefined if
 * that group-version is not served. The object is shared and cached: do not mutate it.
 */
export function openapiDocument(groupVersionPath: string): OpenApiDocument | undefined {
  return documents().get(stripSlashes(groupVersionPath))?.doc;
}

/** The serialised document and its hash (what `openapiIndex` links to), cached; undefined if not served. */
export function openapiDocumentJson(groupVersionPath: string): { json: string; hash: string } | undefined {
  const d = documents().get(stripSlashes(groupVersionPath));
  return d === undefined ? undefined : { json: d.json, hash: d.hash };
}

function stripSlashes(p: string): string {
  return p.replace(/^\/+|\/+$/g, '');
}
