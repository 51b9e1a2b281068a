/**
 * Server-side strict field validation (`fieldValidation=Strict|Warn`), driven by the published
 * OpenAPI schemas, mirroring what upstream's strict JSON decoding reports: unknown fields and
 * duplicate fields, with paths like `spec.ports[0].bar`.
 */

import type { OpenApiSchema } from './schema-dsl.js';
import { ALL_SCHEMAS, resolveSchema, schemaNameForKind } from './schema-registry.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function walk(value: unknown, schema: OpenApiSchema, path: string, out: string[]): void {
  const s = resolveSchema(schema);
  if (s === undefined || s['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (isPlainObject(value)) {
    if (s.properties !== undefined) {
      for (const [key, v] of Object.entries(value)) {
        const prop = s.properties[key];
        if (prop === undefined) out.push(child(path, key));
        else walk(v, prop, child(path, key), out);
      }
    } else if (s.additionalProperties !== undefined) {
      for (const [key, v] of Object.entries(value)) walk(v, s.additionalProperties, child(path, key), out);
    }
    // An object schema without properties (FieldsV1, RawExtension, Patch) holds arbitrary JSON.
    return;
  }
  if (Array.isArray(value) && s.items !== undefined) {
    const items = s.items;
    value.forEach((v, i) => walk(v, items, `${path}[${i}]`, out));
  }
}

/**
 * Paths of the fields of `obj` that the schema of (`apiVersion`, `kind`) does not know, in
 * document order, e.g. `["spec.foo", "spec.ports[0].bar", "metadata.labelz"]`. Fields below
 * `x-kubernetes-preserve-unknown-fields` and values of wrong type are not reported (type errors
 * are validation's concern). Kinds without a schema yield `[]`.
 */
export function unknownFields(obj: unknown, apiVersion: string, kind: string): string[] {
  const name = schemaNameForKind(apiVersion, kind);
  const schema = name === undefined ? undefined : ALL_SCHEMAS[name];
  if (schema === undefined) return [];
  const out: string[] = [];
  walk(obj, schema, '', out);
  return out;
}

/**
 * Paths of keys that occur more than once in the same JSON object of `rawJson`, in document
 * order (`["metadata.name"]`). Returns `[]` for input that is not valid JSON (the caller's
 * parser reports that).
 */
export function duplicateFields(rawJson: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = rawJson.length;

  const ws = (): void => {
    while (i < n) {
      const c = rawJson.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };

  // Returns the decoded string; throws on malformed input.
  const str = (): string => {
    if (rawJson[i] !== '"') throw new Error('expected string');
    const start = i;
    i++;
    let escaped = false;
    while (i < n) {
      const c = rawJson[i];
      if (c === '\\') {
        escaped = true;
        i += 2;
        continue;
      }
      if (c === '"') {
        i++;
        const lit = rawJson.slice(start, i);
        return escaped ? (JSON.parse(lit) as string) : lit.slice(1, -1);
      }
      i++;
    }
    throw new Error('unterminated string');
  };

  const value = (path: string): void => {
    ws();
    const c = rawJson[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (rawJson[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        const p = child(path, key);
        if (seen.has(key)) out.push(p);
        seen.add(key);
        ws();
        if (rawJson[i] !== ':') throw new Error('expected colon');
        i++;
        value(p);
        ws();
        if (rawJson[i] === ',') {
          i++;
          continue;
        }
        if (rawJson[i] === '}') {
          i++;
          return;
        }
        throw new Error('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (rawJson[i] === ']') {
        i++;
        return;
      }
      for (let idx = 0; ; idx++) {
        value(`${path}[${idx}]`);
        ws();
        if (rawJson[i] === ',') {
          i++;
          continue;
        }
        if (rawJson[i] === ']') {
          i++;
          return;
        }
        throw new Error('expected , or ]');
      }
    }
    if (c === '"') {
      str();
      return;
    }
    // number, true, false, null
    const start = i;
    while (i < n && !',]} \n\r\t'.includes(rawJson[i] ?? '')) i++;
    if (i === start) throw new Error('unexpected token');
  };

  try {
    value('');
    ws();
    if (i !== n) return [];
  } catch {
    return [];
  }
  return out;
}

/**
 * The upstream strict-decoding message for the given problems, e.g.
 * `strict decoding error: unknown field "spec.foo", duplicate field "metadata.name"`, or
 * undefined when there are none. Upstream wraps it as
 * `<Kind> in version "<version>" cannot be handled as a <Kind>: <message>` (400 BadRequest)
 * for Strict, and returns each item as a warning for Warn.
 */
export function strictDecodingMessage(unknown: readonly string[], duplicates: readonly string[] = []): string | undefined {
  const items = [...unknown.map((p) => `unknown field "${p}"`), ...duplicates.map((p) => `duplicate field "${p}"`)];
  return items.length === 0 ? undefined : `strict decoding error: ${items.join(', ')}`;
}
