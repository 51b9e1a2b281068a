/**
 * RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge
 * recursively, `null` deletes a member, anything else (arrays included) replaces.
 */
import { cloneValue, isRecord } from './json-value.js';

/** Returns `doc` with `patch` merged in; neither argument is modified. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return cloneValue(patch);
  const out: Record<string, unknown> = isRecord(doc) ? { ...doc } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  // Members the patch did not touch are still shared with `doc`; copy them so the
  // result can be mutated freely by the caller.
  for (const k of Object.keys(out)) {
    if (!Object.prototype.hasOwnProperty.call(patch, k)) out[k] = cloneValue(out[k]);
  }
  return out;
}
