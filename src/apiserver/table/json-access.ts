/**
 * Tolerant readers for stored objects, whose fields beyond metadata are
 * `unknown`. Printers must never throw on a half-filled object: a missing
 * field reads as Go's zero value (empty string, 0, empty list).
 */
import { isRecord } from '../../api/object.js';

/** The value at `path` under `v`, or undefined when any step is missing. */
export function at(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const key of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** A string field, or '' (Go's zero value). */
export function str(v: unknown, ...path: string[]): string {
  const x = at(v, ...path);
  return typeof x === 'string' ? x : '';
}

/** A string field, or undefined when absent (a Go `*string`). */
export function optStr(v: unknown, ...path: string[]): string | undefined {
  const x = at(v, ...path);
  return typeof x === 'string' ? x : undefined;
}

/** A numeric field, or 0. */
export function int(v: unknown, ...path: string[]): number {
  const x = at(v, ...path);
  return typeof x === 'number' && Number.isFinite(x) ? x : 0;
}

/** A numeric field, or undefined when absent (a Go `*int32`). */
export function optInt(v: unknown, ...path: string[]): number | undefined {
  const x = at(v, ...path);
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/** A list field, or []. */
export function list(v: unknown, ...path: string[]): unknown[] {
  const x = at(v, ...path);
  return Array.isArray(x) ? x : [];
}

/** A list of strings (non-strings dropped), or []. */
export function strList(v: unknown, ...path: string[]): string[] {
  return list(v, ...path).filter((x): x is string => typeof x === 'string');
}

/** A map field's key count (Go `len(map)`), 0 when absent. */
export function mapSize(v: unknown, ...path: string[]): number {
  const x = at(v, ...path);
  return isRecord(x) ? Object.keys(x).length : 0;
}

/** A `map[string]string` field (non-string values dropped), or {}. */
export function strMap(v: unknown, ...path: string[]): Record<string, string> {
  const x = at(v, ...path);
  const out: Record<string, string> = {};
  if (!isRecord(x)) return out;
  for (const [k, val] of Object.entries(x)) if (typeof val === 'string') out[k] = val;
  return out;
}
