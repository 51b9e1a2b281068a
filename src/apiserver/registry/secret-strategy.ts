/**
 * core/v1 Secrets (upstream SetDefaults_Secret, ValidateSecret/Update, and the
 * v1 conversion that folds `stringData` into `data`). Type defaults to Opaque
 * and is immutable; with `immutable: true` data and the flag itself are frozen.
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, FieldPath, forbidden, invalid, required, tooLong } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { jsonEqual, validateImmutableField } from '../validation/object-meta.js';
import { rec, setDefault, str } from './json-shape.js';
import { isConfigMapKey } from './value-formats.js';

/** Upstream MaxSecretSize (1 MiB), also the ConfigMap limit. */
export const MAX_SECRET_SIZE = 1024 * 1024;
const IMMUTABLE_MSG = 'field is immutable when `immutable` is set';
const REDACTED = '<secret contents redacted>';

export function defaultSecret(obj: KubeObject): void {
  setDefault(obj, 'type', 'Opaque');
  const stringData = rec(obj['stringData']);
  if (stringData) {
    // stringData is write-only: its entries overwrite data and it is never stored.
    const data = { ...(rec(obj['data']) ?? {}) };
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    obj['data'] = data;
    delete obj['stringData'];
  }
}

function decodedLength(v: unknown): number {
  return typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
}

function isJson(v: unknown): string | undefined {
  try {
    JSON.parse(Buffer.from(str(v), 'base64').toString('utf8'));
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function validateSecret(obj: KubeObject): FieldError[] {
  const data = rec(obj['data']) ?? {};
  const dp = FieldPath.root('data');
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(dp.key(k).toString(), k, m)));
    total += decodedLength(v);
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(data, k);
  switch (str(obj['type'])) {
    case 'kubernetes.io/service-account-token':
      if (!obj.metadata.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = str(obj['type']) === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) errs.push(required(dp.key(key).toString()));
      else {
        const err = isJson(data[key]);
        if (err) errs.push(invalid(dp.key(key).toString(), REDACTED, err));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required(dp.key('username').toString()), required(dp.key('password').toString()));
      break;
    case 'kubernetes.io/ssh-auth':
      if (decodedLength(data['ssh-privatekey']) === 0) errs.push(required(dp.key('ssh-privatekey').toString()));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required(dp.key('tls.crt').toString()));
      if (!has('tls.key')) errs.push(required(dp.key('tls.key').toString()));
      break;
    default:
      break;
  }
  return errs;
}

export function validateSecretUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateImmutableField(obj['type'], old['type'], 'type');
  if (old['immutable'] === true) {
    if (obj['immutable'] !== true) errs.push(forbidden('immutable', IMMUTABLE_MSG));
    if (!jsonEqual(obj['data'], old['data'])) errs.push(forbidden('data', IMMUTABLE_MSG));
  }
  errs.push(...validateSecret(obj));
  return errs;
}

export const secretStrategy: ResourceStrategy = {
  defaults: defaultSecret,
  validateCreate: validateSecret,
  validateUpdate: validateSecretUpdate,
  fieldLabels(obj) {
    return { type: str(obj['type']) };
  },
};
