/**
 * Narrowing helpers for the loosely typed JSON the registry works on. Objects
 * arrive as parsed JSON (`unknown` below the top level), so every read goes
 * through one of these instead of a cast.
 */
import { isRecord } from '../../api/object.js';

export type JsonRecord = Record<string, unknown>;

/** The value as a record, or undefined when it is absent or not an object. */
export function rec(v: unknown): JsonRecord | undefined {
  return isRecord(v) ? v : undefined;
}

/** The value as an array, or [] when it is absent or not an array. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The array's elements that are records (others are skipped, as they cannot be walked). */
export function records(v: unknown): JsonRecord[] {
  return arr(v).filter(isRecord);
}

/** The value as a string; '' for absent, null or non-string values (Go's zero value). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The value as a number, or undefined when absent or not a number. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The record under `key` of `parent`, created (as `{}`) when absent or not a record. */
export function ensureRecord(parent: JsonRecord, key: string): JsonRecord {
  const cur = parent[key];
  if (isRecord(cur)) return cur;
  const fresh: JsonRecord = {};
  parent[key] = fresh;
  return fresh;
}

/** Set `parent[key] = value` unless a value (anything but undefined/null/'') is already there. */
export function setDefault(parent: JsonRecord, key: string, value: unknown): void {
  const cur = parent[key];
  if (cur === undefined || cur === null || cur === '') parent[key] = value;
}

/** A string-to-string map read from JSON (non-string values are stringified, as labels arrive that way from YAML). */
export function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) out[k] = typeof val === 'string' ? val : String(val);
  return out;
}
