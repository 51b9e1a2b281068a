/**
 * A small builder DSL for OpenAPI v3 schemas in the shape the Kubernetes API server publishes
 * (`/openapi/v3/<gv>`): references are wrapped as `{"allOf":[{"$ref":…}],"description":…}`,
 * list/map semantics are carried by the `x-kubernetes-*` extensions that kubectl reads to
 * compute strategic-merge patches, and top-level kinds carry `x-kubernetes-group-version-kind`.
 */

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** One OpenAPI v3 schema node (the subset the Kubernetes documents use). */
export interface OpenApiSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema;
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  $ref?: string;
  enum?: (string | number)[];
  default?: unknown;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

/** Named schemas, keyed by upstream definition name (`io.k8s.api.core.v1.Service`). */
export type SchemaMap = Record<string, OpenApiSchema>;

export const REF_PREFIX = '#/components/schemas/';

/** Definition-name prefixes, as upstream names its Go packages. */
export const CORE = 'io.k8s.api.core.v1.';
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const APPS = 'io.k8s.api.apps.v1.';
export const DISCOVERY = 'io.k8s.api.discovery.v1.';
export const NETWORKING = 'io.k8s.api.networking.v1.';
export const COORDINATION = 'io.k8s.api.coordination.v1.';
export const EVENTS = 'io.k8s.api.events.v1.';
export const AUTOSCALING = 'io.k8s.api.autoscaling.v1.';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

interface ScalarOpts {
  enum?: (string | number)[];
  default?: unknown;
  format?: string;
}

function scalar(type: 'string' | 'integer' | 'number' | 'boolean', description: string, opts: ScalarOpts = {}): OpenApiSchema {
  const s: OpenApiSchema = { type, description };
  if (opts.format !== undefined) s.format = opts.format;
  if (opts.default !== undefined) s.default = opts.default;
  if (opts.enum !== undefined) s.enum = [...opts.enum].sort();
  return s;
}

/** A string field; `enum` values are sorted as upstream publishes them. */
export function str(description: string, opts: ScalarOpts = {}): OpenApiSchema {
  return scalar('string', description, opts);
}

export function bool(description: string, opts: ScalarOpts = {}): OpenApiSchema {
  return scalar('boolean', description, opts);
}

export function int32(description: string, opts: ScalarOpts = {}): OpenApiSchema {
  return scalar('integer', description, { ...opts, format: 'int32' });
}

export function int64(description: string, opts: ScalarOpts = {}): OpenApiSchema {
  return scalar('integer', description, { ...opts, format: 'int64' });
}

/** Base64-encoded bytes (`[]byte` in Go). */
export function bytes(description: string): OpenApiSchema {
  return { type: 'string', format: 'byte', description };
}

/** A reference to a named schema, wrapped in allOf so that it can carry its own description. */
export function ref(name: string, description: string, opts: { default?: unknown } = {}): OpenApiSchema {
  const s: OpenApiSchema = { allOf: [{ $ref: REF_PREFIX + name }], description };
  if (opts.default !== undefined) s.default = opts.default;
  return s;
}

/** A reference used as an array item or map value (no description of its own). */
export function refItem(name: string): OpenApiSchema {
  return { allOf: [{ $ref: REF_PREFIX + name }] };
}

/** `metav1.Time`: an RFC 3339 timestamp. */
export function time(description: string): OpenApiSchema {
  return ref(META + 'Time', description);
}

/** `metav1.MicroTime`: an RFC 3339 timestamp with microseconds. */
export function microTime(description: string): OpenApiSchema {
  return ref(META + 'MicroTime', description);
}

export function intOrString(description: string): OpenApiSchema {
  return ref(INT_OR_STRING, description);
}

export function quantity(description: string): OpenApiSchema {
  return ref(QUANTITY, description);
}

/** A map of resource name to Quantity (`v1.ResourceList`). */
export function quantityMap(description: string): OpenApiSchema {
  return { type: 'object', description, additionalProperties: refItem(QUANTITY) };
}

export interface ListOpts {
  /** `x-kubernetes-list-type`; upstream marks most lists, `atomic` when no merge semantics apply. */
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
  mergeKey?: string;
  /** `merge`, `merge,retainKeys` or `replace`. */
  strategy?: string;
}

/** An array field with the list extensions kubectl and server-side apply use. */
export function arr(items: OpenApiSchema, description: string, opts: ListOpts = {}): OpenApiSchema {
  const s: OpenApiSchema = { type: 'array', description, items };
  if (opts.mapKeys !== undefined) s['x-kubernetes-list-map-keys'] = opts.mapKeys;
  if (opts.listType !== undefined) s['x-kubernetes-list-type'] = opts.listType;
  if (opts.mergeKey !== undefined) s['x-kubernetes-patch-merge-key'] = opts.mergeKey;
  if (opts.strategy !== undefined) s['x-kubernetes-patch-strategy'] = opts.strategy;
  return s;
}

/** An array of references to a named schema. */
export function refArr(name: string, description: string, opts: ListOpts = {}): OpenApiSchema {
  return arr(refItem(name), description, opts);
}

/** An array of strings (atomic unless told otherwise). */
export function strArr(description: string, opts: ListOpts = { listType: 'atomic' }): OpenApiSchema {
  return arr({ type: 'string' }, description, opts);
}

/** A `map[string]string` field. */
export function strMap(description: string, opts: { mapType?: 'atomic' | 'granular' } = {}): OpenApiSchema {
  const s: OpenApiSchema = { type: 'object', description, additionalProperties: { type: 'string' } };
  if (opts.mapType !== undefined) s['x-kubernetes-map-type'] = opts.mapType;
  return s;
}

/** A `map[string][]byte` field. */
export function bytesMap(description: string): OpenApiSchema {
  return { type: 'object', description, additionalProperties: { type: 'string', format: 'byte' } };
}

/**
 * A free-form object whose content is not described (and therefore not checked by strict
 * validation). Used only where upstream itself publishes an open object.
 */
export function openObj(description: string): OpenApiSchema {
  return { type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true };
}

export interface ObjSpec {
  description: string;
  properties: Record<string, OpenApiSchema>;
  required?: string[];
  /** `x-kubernetes-map-type: atomic` for structs that are replaced as a whole. */
  mapType?: 'atomic' | 'granular';
  gvk?: GroupVersionKind[];
}

/** A named struct schema. Properties are emitted in sorted order, as upstream does. */
export function obj(spec: ObjSpec): OpenApiSchema {
  const s: OpenApiSchema = { type: 'object', description: spec.description };
  const props: Record<string, OpenApiSchema> = {};
  for (const k of Object.keys(spec.properties).sort()) {
    const p = spec.properties[k];
    if (p !== undefined) props[k] = p;
  }
  s.properties = props;
  if (spec.required !== undefined && spec.required.length > 0) s.required = [...spec.required];
  if (spec.mapType !== undefined) s['x-kubernetes-map-type'] = spec.mapType;
  if (spec.gvk !== undefined) s['x-kubernetes-group-version-kind'] = spec.gvk.map((g) => ({ ...g }));
  return s;
}

export function gvk(group: string, version: string, kind: string): GroupVersionKind {
  return { group, version, kind };
}

/** The standard `apiVersion` / `kind` / `metadata` properties of a top-level kind. */
export function typeMetaProps(kindDescription: string): Record<string, OpenApiSchema> {
  return {
    apiVersion: str(
      'Versioned schema of this object, e.g. "v1" or "apps/v1". The server converts recognised older versions to the one it stores.',
    ),
    kind: str(`The REST type of this object (${kindDescription}), in CamelCase. Informational; it cannot be updated.`),
  };
}

/** Properties of a top-level kind: apiVersion, kind and standard object metadata. */
export function objectProps(kind: string): Record<string, OpenApiSchema> {
  return {
    ...typeMetaProps(kind),
    metadata: ref(
      META + 'ObjectMeta',
      'Standard object metadata: name, namespace, labels, annotations, owner references and system-populated fields.',
      { default: {} },
    ),
  };
}

/** The `<Kind>List` schema for a kind, as upstream defines every list type. */
export function listOf(itemName: string, kind: string, g: GroupVersionKind, what: string): OpenApiSchema {
  return obj({
    description: `${kind}List is a collection of ${what}.`,
    properties: {
      ...typeMetaProps(`${kind}List`),
      items: refArr(itemName, `The ${what} in this list.`),
      metadata: ref(META + 'ListMeta', 'List metadata: resourceVersion to watch from and the continue token for paging.', {
        default: {},
      }),
    },
    required: ['items'],
    gvk: [{ group: g.group, version: g.version, kind: `${kind}List` }],
  });
}
