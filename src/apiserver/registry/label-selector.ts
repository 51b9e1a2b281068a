/**
 * Matching of metav1.LabelSelector values against label sets, after upstream
 * LabelSelectorAsSelector: an absent selector matches nothing, an empty one
 * matches everything.
 */
import { arr, rec, str, stringMap } from './json-shape.js';

export type SelectorKind = 'nothing' | 'everything' | 'some';

/** How a selector behaves before looking at labels. */
export function selectorKind(sel: unknown): SelectorKind {
  const s = rec(sel);
  if (!s) return 'nothing';
  const ml = stringMap(s['matchLabels']) ?? {};
  return Object.keys(ml).length + arr(s['matchExpressions']).length === 0 ? 'everything' : 'some';
}

/** Whether `labels` satisfy the selector (matchLabels and every matchExpressions requirement). */
export function selectorMatches(sel: unknown, labels: Record<string, string> | undefined): boolean {
  const kind = selectorKind(sel);
  if (kind === 'nothing') return false;
  if (kind === 'everything') return true;
  const s = rec(sel) ?? {};
  const have = labels ?? {};
  for (const [k, v] of Object.entries(stringMap(s['matchLabels']) ?? {})) {
    if (have[k] !== v) return false;
  }
  for (const e of arr(s['matchExpressions'])) {
    const r = rec(e) ?? {};
    const key = str(r['key']);
    const values = arr(r['values']).map((x) => String(x));
    const present = Object.prototype.hasOwnProperty.call(have, key);
    switch (str(r['operator'])) {
      case 'In':
        if (!present || !values.includes(have[key] ?? '')) return false;
        break;
      case 'NotIn':
        if (present && values.includes(have[key] ?? '')) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
