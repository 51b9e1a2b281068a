/**
 * ObjectMeta and label-selector validation after upstream
 * k8s.io/apimachinery/pkg/api/validation (objectmeta.go) and
 * pkg/apis/meta/v1/validation, with the same field paths and messages.
 */
import { type ObjectMeta, isRecord } from '../../api/object.js';
import { type FieldError, FieldPath, forbidden, invalid, required, tooLong } from '../field-errors.js';
import { type NameValidator, isDns1123Label, isQualifiedName, isValidLabelValue } from './names.js';

/** Upstream FieldImmutableErrorMsg. */
export const FIELD_IMMUTABLE_ERROR_MSG = 'field is immutable';
/** Upstream IsNegativeErrorMsg. */
export const IS_NEGATIVE_ERROR_MSG = 'must be greater than or equal to 0';
/** Upper bound for the sum of annotation key and value lengths (bytes). */
export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

const FINALIZER_ORPHAN_DEPENDENTS = 'orphan';
const FINALIZER_DELETE_DEPENDENTS = 'foregroundDeletion';

const byteLength = (v: string): number => Buffer.byteLength(v, 'utf8');

/** Structural equality of JSON values; absent, null and '' count as the same "unset". */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const unset = (v: unknown): boolean => v === undefined || v === null || v === '';
  if (unset(a) && unset(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!jsonEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

/** Upstream ValidateImmutableField: `<path>: Invalid value: <new>: field is immutable`. */
export function validateImmutableField(newVal: unknown, oldVal: unknown, fieldPath: string): FieldError[] {
  return jsonEqual(newVal, oldVal) ? [] : [invalid(fieldPath, newVal ?? '', FIELD_IMMUTABLE_ERROR_MSG)];
}

/** Upstream ValidateNonnegativeField. */
export function validateNonnegativeField(value: number, fieldPath: string): FieldError[] {
  return value < 0 ? [invalid(fieldPath, value, IS_NEGATIVE_ERROR_MSG)] : [];
}

/** A label key (upstream ValidateLabelName). */
export function validateLabelName(key: string, fieldPath: string): FieldError[] {
  return isQualifiedName(key).map((m) => invalid(fieldPath, key, m));
}

/** Upstream ValidateLabels: every key a qualified name, every value a label value. Errors sit on the map's path. */
export function validateLabels(labels: unknown, fieldPath: string): FieldError[] {
  if (!isRecord(labels)) return [];
  const errs: FieldError[] = [];
  for (const [k, raw] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, fieldPath));
    const v = typeof raw === 'string' ? raw : String(raw);
    errs.push(...isValidLabelValue(v).map((m) => invalid(fieldPath, v, m)));
  }
  return errs;
}

/** Upstream ValidateAnnotations: keys are qualified names (case-insensitive), total size at most 256 KiB. */
export function validateAnnotations(annotations: unknown, fieldPath: string): FieldError[] {
  if (!isRecord(annotations)) return [];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, raw] of Object.entries(annotations)) {
    errs.push(...isQualifiedName(k.toLowerCase()).map((m) => invalid(fieldPath, k, m)));
    total += byteLength(k) + byteLength(typeof raw === 'string' ? raw : String(raw));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) errs.push(tooLong(fieldPath, TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return errs;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Upstream ValidateOwnerReferences. */
export function validateOwnerReferences(refs: unknown, fieldPath: string): FieldError[] {
  if (!Array.isArray(refs)) return [];
  const errs: FieldError[] = [];
  const fp = FieldPath.root(fieldPath);
  let firstController = '';
  for (const ref of refs) {
    const r = isRecord(ref) ? ref : {};
    const apiVersion = str(r['apiVersion']);
    const kind = str(r['kind']);
    const name = str(r['name']);
    // "group/version" or "version"; an empty version part is the error.
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    if (version.length === 0) errs.push(invalid(fp.child('apiVersion').toString(), apiVersion, 'version must not be empty'));
    if (kind.length === 0) errs.push(invalid(fp.child('kind').toString(), kind, 'must not be empty'));
    if (name.length === 0) errs.push(invalid(fp.child('name').toString(), name, 'must not be empty'));
    if (str(r['uid']).length === 0) errs.push(invalid(fp.child('uid').toString(), str(r['uid']), 'must not be empty'));
    if (group === '' && version === 'v1' && kind === 'Event') {
      errs.push(invalid(fieldPath, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (r['controller'] === true) {
      const current = `${kind}/${name}`;
      if (firstController !== '') {
        errs.push(
          invalid(
            fieldPath,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

/** Upstream ValidateFinalizers: qualified names, and not both `orphan` and `foregroundDeletion`. */
export function validateFinalizers(finalizers: unknown, fieldPath: string): FieldError[] {
  if (!Array.isArray(finalizers)) return [];
  const errs: FieldError[] = [];
  const list = finalizers.map((f) => (typeof f === 'string' ? f : String(f)));
  for (const f of list) errs.push(...isQualifiedName(f).map((m) => invalid(fieldPath, f, m)));
  if (list.includes(FINALIZER_ORPHAN_DEPENDENTS) && list.includes(FINALIZER_DELETE_DEPENDENTS)) {
    errs.push(
      invalid(fieldPath, list, `finalizer ${FINALIZER_ORPHAN_DEPENDENTS} and ${FINALIZER_DELETE_DEPENDENTS} cannot be both set`),
    );
  }
  return errs;
}

function validateManagedFields(entries: unknown, fieldPath: string): FieldError[] {
  if (!Array.isArray(entries)) return [];
  const errs: FieldError[] = [];
  entries.forEach((e, i) => {
    const r = isRecord(e) ? e : {};
    const p = FieldPath.root(fieldPath).index(i);
    const op = str(r['operation']);
    if (op !== 'Apply' && op !== 'Update') errs.push(invalid(p.child('operation').toString(), op, 'must be `Apply` or `Update`'));
    const ft = str(r['fieldsType']);
    if (ft.length > 0 && ft !== 'FieldsV1') errs.push(invalid(p.child('fieldsType').toString(), ft, 'must be `FieldsV1`'));
  });
  return errs;
}

/** Checks shared by create and update (upstream validateObjectMetaAccessorWithOptsCommon, minus namespace). */
function validateCommon(meta: ObjectMeta, base: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabels(meta.labels, base.child('labels').toString()));
  errs.push(...validateAnnotations(meta.annotations, base.child('annotations').toString()));
  errs.push(...validateOwnerReferences(meta.ownerReferences, base.child('ownerReferences').toString()));
  errs.push(...validateFinalizers(meta.finalizers, base.child('finalizers').toString()));
  errs.push(...validateManagedFields(meta.managedFields, base.child('managedFields').toString()));
  return errs;
}

export interface ObjectMetaOptions {
  /** Whether the kind is namespaced (namespace required) or cluster-scoped (namespace forbidden). */
  readonly namespaced: boolean;
  /** Name rule of the kind, e.g. nameIsDns1035Label for Services. */
  readonly nameFn: NameValidator;
  /** Path of the metadata, `metadata` by default. */
  readonly path?: string;
}

/**
 * Validation of an object's metadata on create (upstream ValidateObjectMeta).
 * Name generation is expected to have run already; generateName is still checked
 * with the prefix rule.
 */
export function validateObjectMeta(meta: ObjectMeta, opts: ObjectMetaOptions): FieldError[] {
  const base = FieldPath.root(opts.path ?? 'metadata');
  const errs: FieldError[] = [];
  const generateName = str(meta.generateName);
  if (generateName.length > 0) {
    for (const m of opts.nameFn(generateName, true)) errs.push(invalid(base.child('generateName').toString(), generateName, m));
  }
  const name = str(meta.name);
  if (name.length === 0) {
    errs.push(required(base.child('name').toString(), 'name or generateName is required'));
  } else {
    for (const m of opts.nameFn(name, false)) errs.push(invalid(base.child('name').toString(), name, m));
  }
  const namespace = str(meta.namespace);
  if (opts.namespaced) {
    if (namespace.length === 0) errs.push(required(base.child('namespace').toString()));
    else for (const m of isDns1123Label(namespace)) errs.push(invalid(base.child('namespace').toString(), namespace, m));
  } else if (namespace.length > 0) {
    errs.push(forbidden(base.child('namespace').toString(), 'not allowed on this type'));
  }
  if (typeof meta.generation === 'number') errs.push(...validateNonnegativeField(meta.generation, base.child('generation').toString()));
  errs.push(...validateCommon(meta, base));
  return errs;
}

/**
 * Validation of metadata on update (upstream ValidateObjectMetaUpdate): name,
 * namespace, uid, creationTimestamp, deletionTimestamp and
 * deletionGracePeriodSeconds are immutable; resourceVersion must be present (the
 * generic store fills it in for unconditional updates before validating, as
 * upstream does); generation may not go down; no new finalizers while deleting.
 */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, path = 'metadata'): FieldError[] {
  const base = FieldPath.root(path);
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const before = new Set(Array.isArray(old.finalizers) ? old.finalizers : []);
    const extra = [...new Set(Array.isArray(meta.finalizers) ? meta.finalizers : [])].filter((f) => !before.has(f)).sort();
    if (extra.length > 0) {
      errs.push(
        forbidden(
          base.child('finalizers').toString(),
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      );
    }
  }
  const rv = str(meta.resourceVersion);
  if (rv.length === 0) errs.push(invalid(base.child('resourceVersion').toString(), rv, 'must be specified for an update'));
  const gen = typeof meta.generation === 'number' ? meta.generation : 0;
  const oldGen = typeof old.generation === 'number' ? old.generation : 0;
  if (gen < oldGen) errs.push(invalid(base.child('generation').toString(), gen, 'must not be decremented'));
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
    errs.push(...validateImmutableField(meta[f], old[f], base.child(f).toString()));
  }
  errs.push(...validateCommon(meta, base));
  return errs;
}

const SELECTOR_OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * A metav1.LabelSelector (upstream ValidateLabelSelector): matchLabels as labels,
 * matchExpressions with a known operator, values required for In/NotIn and
 * forbidden for Exists/DoesNotExist, keys qualified names, values label values.
 * An absent (null/undefined) selector is valid.
 */
export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  if (sel === undefined || sel === null || !isRecord(sel)) return [];
  const base = FieldPath.root(path);
  const errs: FieldError[] = [];
  errs.push(...validateLabels(sel['matchLabels'], base.child('matchLabels').toString()));
  const exprs = sel['matchExpressions'];
  if (Array.isArray(exprs)) {
    exprs.forEach((e, i) => {
      const r = isRecord(e) ? e : {};
      const p = base.child('matchExpressions').index(i);
      const operator = str(r['operator']);
      const values = Array.isArray(r['values']) ? (r['values'] as unknown[]) : [];
      if (operator === 'In' || operator === 'NotIn') {
        if (values.length === 0) errs.push(required(p.child('values').toString(), "must be specified when `operator` is 'In' or 'NotIn'"));
      } else if (operator === 'Exists' || operator === 'DoesNotExist') {
        if (values.length > 0) {
          errs.push(forbidden(p.child('values').toString(), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
      }
      if (!SELECTOR_OPERATORS.has(operator)) errs.push(invalid(p.child('operator').toString(), operator, 'not a valid selector operator'));
      errs.push(...validateLabelName(str(r['key']), p.child('key').toString()));
      values.forEach((v, j) => {
        const s = typeof v === 'string' ? v : String(v);
        errs.push(...isValidLabelValue(s).map((m) => invalid(p.child('values').index(j).toString(), s, m)));
      });
    });
  }
  return errs;
}
