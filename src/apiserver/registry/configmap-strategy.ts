/**
 * core/v1 ConfigMaps (upstream ValidateConfigMap/Update): keys are config keys,
 * a key may not be in both data and binaryData, the total is at most 1 MiB,
 * and `immutable: true` freezes data, binaryData and the flag.
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, FieldPath, forbidden, invalid, tooLong } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { jsonEqual } from '../validation/object-meta.js';
import { rec } from './json-shape.js';
import { MAX_SECRET_SIZE } from './secret-strategy.js';
import { isConfigMapKey } from './value-formats.js';

const IMMUTABLE_MSG = 'field is immutable when `immutable` is set';

export function validateConfigMap(obj: KubeObject): FieldError[] {
  const data = rec(obj['data']) ?? {};
  const binary = rec(obj['binaryData']) ?? {};
  const errs: FieldError[] = [];
  let total = 0;
  const dp = FieldPath.root('data');
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(dp.key(k).toString(), k, m)));
    if (Object.prototype.hasOwnProperty.call(binary, k)) errs.push(invalid(dp.key(k).toString(), k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(typeof v === 'string' ? v : String(v));
  }
  const bp = FieldPath.root('binaryData');
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(bp.key(k).toString(), k, m)));
    total += typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
  }
  // Upstream reports the size on the empty path: the whole object.
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('', MAX_SECRET_SIZE));
  return errs;
}

export function validateConfigMapUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (old['immutable'] === true) {
    if (obj['immutable'] !== true) errs.push(forbidden('immutable', IMMUTABLE_MSG));
    if (!jsonEqual(obj['data'], old['data'])) errs.push(forbidden('data', IMMUTABLE_MSG));
    if (!jsonEqual(obj['binaryData'], old['binaryData'])) errs.push(forbidden('binaryData', IMMUTABLE_MSG));
  }
  errs.push(...validateConfigMap(obj));
  return errs;
}

export const configMapStrategy: ResourceStrategy = {
  validateCreate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,
};
