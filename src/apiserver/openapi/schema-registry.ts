/**
 * All named schemas the server publishes, and lookups over them (by GVK, by `$ref`).
 */

import { REF_PREFIX } from './schema-dsl.js';
import type { OpenApiSchema, SchemaMap } from './schema-dsl.js';
import { appsSchemas } from './schemas/apps.js';
import { autoscalingSchemas } from './schemas/autoscaling.js';
import { coordinationSchemas } from './schemas/coordination.js';
import { coreClusterSchemas } from './schemas/core-cluster.js';
import { coreCommonSchemas } from './schemas/core-common.js';
import { coreConfigSchemas } from './schemas/core-config.js';
import { coreContainerSchemas } from './schemas/core-container.js';
import { coreEventSchemas } from './schemas/core-event.js';
import { corePodSchemas } from './schemas/core-pod.js';
import { coreServiceSchemas } from './schemas/core-service.js';
import { coreVolumeSchemas } from './schemas/core-volume.js';
import { discoverySchemas } from './schemas/discovery.js';
import { eventsSchemas } from './schemas/events.js';
import { metaSchemas } from './schemas/meta.js';
import { networkingSchemas } from './schemas/networking.js';

function merge(parts: SchemaMap[]): SchemaMap {
  const out: SchemaMap = {};
  for (const part of parts) {
    for (const [name, schema] of Object.entries(part)) {
      if (name in out) throw new Error(`openapi: schema ${name} defined twice`);
      out[name] = schema;
    }
  }
  return out;
}

/** Every schema, keyed by upstream definition name. Treat as read-only. */
export const ALL_SCHEMAS: Readonly<SchemaMap> = merge([
  metaSchemas,
  coreCommonSchemas,
  coreServiceSchemas,
  corePodSchemas,
  coreContainerSchemas,
  coreVolumeSchemas,
  coreClusterSchemas,
  coreConfigSchemas,
  coreEventSchemas,
  appsSchemas,
  autoscalingSchemas,
  discoverySchemas,
  networkingSchemas,
  coordinationSchemas,
  eventsSchemas,
]);

let byGvk: Map<string, string> | undefined;

function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}|${kind}`;
}

/**
 * Name of the schema of a top-level kind (`v1`/`Service` → `io.k8s.api.core.v1.Service`), or
 * undefined when the kind has no schema. Option kinds registered under many GVKs
 * (DeleteOptions, WatchEvent) are found under each of them.
 */
export function schemaNameForKind(apiVersion: string, kind: string): string | undefined {
  if (byGvk === undefined) {
    byGvk = new Map();
    for (const [name, schema] of Object.entries(ALL_SCHEMAS)) {
      for (const g of schema['x-kubernetes-group-version-kind'] ?? []) {
        const av = g.group ? `${g.group}/${g.version}` : g.version;
        if (!byGvk.has(gvkKey(av, g.kind))) byGvk.set(gvkKey(av, g.kind), name);
      }
    }
  }
  return byGvk.get(gvkKey(apiVersion, kind));
}

/** The schema name a `$ref` points at, or undefined for refs outside `#/components/schemas/`. */
export function refName(ref: string): string | undefined {
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

/**
 * Follows `allOf: [one]` wrappers and `$ref`s to the schema that actually describes a value.
 * Returns undefined when a reference cannot be resolved.
 */
export function resolveSchema(schema: OpenApiSchema, schemas: Readonly<SchemaMap> = ALL_SCHEMAS): OpenApiSchema | undefined {
  let s: OpenApiSchema | undefined = schema;
  for (let depth = 0; s !== undefined && depth < 16; depth++) {
    if (s.$ref !== undefined) {
      const name = refName(s.$ref);
      s = name === undefined ? undefined : schemas[name];
      continue;
    }
    if (s.allOf !== undefined && s.allOf.length === 1 && s.properties === undefined) {
      s = s.allOf[0];
      continue;
    }
    return s;
  }
  return undefined;
}

/** Names of all schemas directly referenced from a schema (through any nesting). */
export function directRefs(schema: OpenApiSchema): string[] {
  const out: string[] = [];
  const visit = (s: OpenApiSchema): void => {
    if (s.$ref !== undefined) {
      const n = refName(s.$ref);
      if (n !== undefined) out.push(n);
    }
    for (const sub of s.allOf ?? []) visit(sub);
    for (const sub of s.oneOf ?? []) visit(sub);
    for (const sub of Object.values(s.properties ?? {})) visit(sub);
    if (s.items !== undefined) visit(s.items);
    if (s.additionalProperties !== undefined) visit(s.additionalProperties);
  };
  visit(schema);
  return out;
}

/** The given schema names plus every schema reachable from them, sorted. */
export function closure(roots: readonly string[], schemas: Readonly<SchemaMap> = ALL_SCHEMAS): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop();
    if (name === undefined || seen.has(name)) continue;
    const schema = schemas[name];
    if (schema === undefined) throw new Error(`openapi: unknown schema ${name}`);
    seen.add(name);
    for (const r of directRefs(schema)) if (!seen.has(r)) stack.push(r);
  }
  return [...seen].sort();
}
