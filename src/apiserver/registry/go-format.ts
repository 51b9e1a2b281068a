/**
 * Go `%#v` renderings of the structured bad values that upstream validation
 * puts into field errors (maps, label selectors, int-or-strings). kubectl prints
 * those texts verbatim, e.g.
 * `spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: ...`.
 *
 * field-errors.ts renders objects as JSON, so errors carrying such values are
 * built with `invalidRendered`: the value is marked omitted and its Go text is
 * put in front of the detail, which yields the same message and StatusCause.
 */
import { type FieldError, OMIT_VALUE } from '../field-errors.js';
import { arr, rec, str } from './json-shape.js';

/** Go's %q of a string (strconv.Quote); JSON escaping matches it for printable text. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** `map[string]string{"a":"1", "b":"2"}` (keys sorted, as fmt does), or `map[string]string(nil)`. */
export function goStringMap(m: unknown): string {
  const r = rec(m);
  if (!r) return 'map[string]string(nil)';
  const keys = Object.keys(r).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(String(r[k]))}`).join(', ')}}`;
}

/** `[]string{"a", "b"}`, or `[]string(nil)`. */
export function goStringSlice(v: unknown): string {
  if (!Array.isArray(v)) return '[]string(nil)';
  return `[]string{${v.map((x) => goQuote(String(x))).join(', ')}}`;
}

/** A metav1.LabelSelector as `v1.LabelSelector{MatchLabels:..., MatchExpressions:...}`. */
export function goLabelSelector(sel: unknown): string {
  const s = rec(sel) ?? {};
  const exprs = s['matchExpressions'];
  const exprText = Array.isArray(exprs)
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map((e) => {
          const r = rec(e) ?? {};
          return `v1.LabelSelectorRequirement{Key:${goQuote(str(r['key']))}, Operator:${goQuote(str(r['operator']))}, Values:${goStringSlice(r['values'])}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(s['matchLabels'])}, MatchExpressions:${exprText}}`;
}

/** An intstr.IntOrString (Type 0 = int, 1 = string). */
export function goIntOrString(v: unknown): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`;
  const n = typeof v === 'number' ? v : 0;
  return `intstr.IntOrString{Type:0, IntVal:${n}, StrVal:""}`;
}

/** A Go slice of structs rendered only by emptiness, e.g. `[]networking.IngressRule(nil)`. */
export function goNilOrLen(typeName: string, v: unknown): string {
  return arr(v).length === 0 ? `[]${typeName}(nil)` : `[]${typeName}{...}`;
}

/** An Invalid field error whose value is given as pre-rendered Go text. */
export function invalidRendered(field: string, rendered: string, detail: string): FieldError {
  return { type: 'Invalid', field, badValue: OMIT_VALUE, detail: detail ? `${rendered}: ${detail}` : rendered };
}

/** A NotSupported field error whose value is given as pre-rendered Go text. */
export function notSupportedRendered(field: string, rendered: string, validValues: readonly string[]): FieldError {
  const supported = validValues.length > 0 ? `: supported values: ${validValues.map((v) => goQuote(v)).join(', ')}` : '';
  return { type: 'NotSupported', field, badValue: OMIT_VALUE, detail: `${rendered}${supported}` };
}
