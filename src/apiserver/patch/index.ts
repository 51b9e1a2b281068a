/**
 * PATCH bodies by Content-Type. `application/apply-patch+yaml` is not handled
 * here: the caller runs serverSideApply, which needs the field manager and force.
 */
import type { KubeObject } from '../../api/object.js';
import { applyJsonPatch } from './json-patch.js';
import { isRecord } from './json-value.js';
import { applyMergePatch } from './merge-patch.js';
import { PatchError } from './patch-error.js';
import { patchSchemaFor } from './schema.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

export { PatchError } from './patch-error.js';
export { applyJsonPatch, parseJsonPointer } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
export { patchSchemaFor, type PatchSchema, type SchemaNode, type PatchStrategy } from './schema.js';
export {
  computeFieldSet,
  compareObjects,
  FieldSet,
  formatFieldPath,
  fromFieldsV1,
  toFieldsV1,
  type Comparison,
  type FieldPath,
  type PathElement,
} from './field-set.js';
export {
  decodeManagedFields,
  encodeManagedFields,
  formatTime,
  updateManagedFields,
  type ManagerEntry,
  type UpdateManagedFieldsOptions,
} from './managed-fields.js';
export {
  applyConflictCauses,
  formatApplyConflictMessage,
  formatConflictManager,
  LAST_APPLIED_ANNOTATION,
  serverSideApply,
  type ApplyConflict,
  type ServerSideApplyOptions,
  type ServerSideApplyResult,
} from './server-side-apply.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** The patch types applyPatch handles (media type without parameters). */
export const PATCH_CONTENT_TYPES: readonly string[] = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH];

/**
 * Applies a JSON, merge or strategic merge patch to `doc` (not modified) and
 * returns the patched object; the strategic merge patch uses the patch schema
 * of `apiVersion`/`kind`. `contentType` may carry parameters (`; charset=utf-8`).
 * Throws PatchError for a bad patch or a result that is not an object. Answering
 * 415 for unsupported media types is the caller's job (check PATCH_CONTENT_TYPES
 * and APPLY_PATCH first); an unknown type reaching here is a PatchError 400.
 */
export function applyPatch(contentType: string, doc: KubeObject, patchBody: unknown, apiVersion: string, kind: string): KubeObject {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  let out: unknown;
  switch (type) {
    case JSON_PATCH:
      out = applyJsonPatch(doc, patchBody);
      break;
    case MERGE_PATCH:
      if (!isRecord(patchBody)) throw new PatchError('Invalid JSON Patch', 400);
      out = applyMergePatch(doc, patchBody);
      break;
    case STRATEGIC_MERGE_PATCH:
      out = applyStrategicMergePatch(doc, patchBody, patchSchemaFor(apiVersion, kind));
      break;
    default:
      throw new PatchError(`unsupported patch type: ${JSON.stringify(contentType)}`, 400);
  }
  if (!isRecord(out)) throw new PatchError('the patched document is not a JSON object', 422);
  if (!isRecord(out['metadata'])) out['metadata'] = {};
  return out as KubeObject;
}
