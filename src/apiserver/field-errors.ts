/**
 * Field-level validation errors, mirroring k8s.io/apimachinery/pkg/util/validation/field.
 * The text forms must match upstream exactly: kubectl prints them verbatim, e.g.
 * `spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`.
 */

export type FieldErrorType =
  | 'NotFound'
  | 'Required'
  | 'Duplicate'
  | 'Invalid'
  | 'NotSupported'
  | 'Forbidden'
  | 'TooLong'
  | 'TooMany'
  | 'Internal'
  | 'TypeInvalid';

const TYPE_TEXT: Record<FieldErrorType, string> = {
  NotFound: 'Not found',
  Required: 'Required value',
  Duplicate: 'Duplicate value',
  Invalid: 'Invalid value',
  NotSupported: 'Unsupported value',
  Forbidden: 'Forbidden',
  TooLong: 'Too long',
  TooMany: 'Too many',
  Internal: 'Internal error',
  TypeInvalid: 'Invalid value',
};

/** The `reason` of a StatusCause for each error type (metav1.CauseType). */
const CAUSE_REASON: Record<FieldErrorType, string> = {
  NotFound: 'FieldValueNotFound',
  Required: 'FieldValueRequired',
  Duplicate: 'FieldValueDuplicate',
  Invalid: 'FieldValueInvalid',
  NotSupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  TooLong: 'FieldValueTooLong',
  TooMany: 'FieldValueTooMany',
  Internal: 'InternalError',
  TypeInvalid: 'FieldValueTypeInvalid',
};

/** Marker for "do not print the value" (upstream field.OmitValueType). */
export const OMIT_VALUE: unique symbol = Symbol('omit-value');

export interface FieldError {
  readonly type: FieldErrorType;
  /** Dotted path with indices, e.g. `spec.ports[0].port`. */
  readonly field: string;
  readonly badValue?: unknown;
  readonly detail?: string;
}

/** Go's %q / %v rendering of a bad value, as upstream's ErrorBody does. */
export function formatBadValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  // Go's %#v of a []string, which is what upstream prints for list values.
  if (Array.isArray(value)) return `[]string{${value.map(formatBadValue).join(', ')}}`;
  return JSON.stringify(value);
}

/** The message without the field path (used as StatusCause.message). */
export function fieldErrorBody(e: FieldError): string {
  let s: string;
  if (
    e.type === 'Required' ||
    e.type === 'Forbidden' ||
    e.type === 'TooLong' ||
    e.type === 'Internal' ||
    e.badValue === OMIT_VALUE ||
    (e.type === 'TooMany' && e.badValue === undefined)
  ) {
    s = TYPE_TEXT[e.type];
  } else {
    s = `${TYPE_TEXT[e.type]}: ${formatBadValue(e.badValue)}`;
  }
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

export function causeReason(e: FieldError): string {
  return CAUSE_REASON[e.type];
}

// Constructors, named like upstream's field.Invalid / field.Required / ...
export const invalid = (field: string, badValue: unknown, detail: string): FieldError => ({ type: 'Invalid', field, badValue, detail });
export const required = (field: string, detail = ''): FieldError => ({ type: 'Required', field, detail });
export const duplicate = (field: string, badValue: unknown): FieldError => ({ type: 'Duplicate', field, badValue });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'Forbidden', field, detail });
export const notFound = (field: string, badValue: unknown): FieldError => ({ type: 'NotFound', field, badValue });
export const tooLong = (field: string, maxLength: number): FieldError => ({
  type: 'TooLong',
  field,
  detail: `may not be more than ${maxLength} bytes`,
});
export const tooMany = (field: string, actual: number | undefined, max: number): FieldError => ({
  type: 'TooMany',
  field,
  badValue: actual ?? OMIT_VALUE,
  detail: `must have at most ${max} items`,
});
export function notSupported(field: string, badValue: unknown, validValues: readonly string[]): FieldError {
  const detail = validValues.length > 0 ? `supported values: ${validValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { type: 'NotSupported', field, badValue, detail };
}

/** Path helper: `path('spec').child('ports').index(0).child('port').toString()` = `spec.ports[0].port`. */
export class FieldPath {
  private constructor(private readonly text: string) {}
  static root(name: string): FieldPath {
    return new FieldPath(name);
  }
  child(name: string): FieldPath {
    return new FieldPath(this.text === '' ? name : `${this.text}.${name}`);
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }
  toString(): string {
    return this.text;
  }
}
export const path = (root: string): FieldPath => FieldPath.root(root);
