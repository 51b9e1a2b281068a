/**
 * Label maps and label selectors rendered as text, the way upstream prints
 * them in tables: `labels.FormatLabels`, `labels.Selector.String()` and
 * `metav1.FormatLabelSelector`.
 */
import { isRecord } from '../../api/object.js';

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `a=1,b=2` with keys sorted; `<none>` for an empty or missing map. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort(byCodeUnit);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels?.[k] ?? ''}`).join(',');
}

export type SelectorText = { readonly ok: true; readonly text: string } | { readonly ok: false };

interface Requirement {
  readonly key: string;
  readonly text: string;
}

/**
 * A `metav1.LabelSelector` as `labels.Selector.String()` renders it after
 * `LabelSelectorAsSelector`: requirements sorted by key, joined by `,`;
 * `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k` (values sorted).
 * A missing or empty selector gives ''. A malformed selector (unknown
 * operator, wrong number of values) gives `{ ok: false }`.
 */
export function labelSelectorString(selector: unknown): SelectorText {
  if (selector === undefined || selector === null) return { ok: true, text: '' };
  if (!isRecord(selector)) return { ok: false };
  const reqs: Requirement[] = [];
  const matchLabels = selector['matchLabels'];
  if (isRecord(matchLabels)) {
    for (const [key, value] of Object.entries(matchLabels)) {
      if (typeof value !== 'string') return { ok: false };
      reqs.push({ key, text: `${key}=${value}` });
    }
  }
  const exprs = selector['matchExpressions'];
  if (Array.isArray(exprs)) {
    for (const e of exprs) {
      const req = expressionRequirement(e);
      if (req === undefined) return { ok: false };
      reqs.push(req);
    }
  }
  // Array.prototype.sort is stable; upstream's sort.Sort is not, which only
  // matters for a key repeated across matchLabels and matchExpressions.
  reqs.sort((a, b) => byCodeUnit(a.key, b.key));
  return { ok: true, text: reqs.map((r) => r.text).join(',') };
}

function expressionRequirement(e: unknown): Requirement | undefined {
  if (!isRecord(e)) return undefined;
  const key = e['key'];
  const op = e['operator'];
  if (typeof key !== 'string') return undefined;
  const rawValues = e['values'] ?? [];
  if (!Array.isArray(rawValues) || !rawValues.every((v) => typeof v === 'string')) return undefined;
  const values = (rawValues as string[]).slice().sort(byCodeUnit);
  switch (op) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) return undefined;
      return { key, text: `${key} ${op === 'In' ? 'in' : 'notin'} (${values.join(',')})` };
    case 'Exists':
      return values.length === 0 ? { key, text: key } : undefined;
    case 'DoesNotExist':
      return values.length === 0 ? { key, text: `!${key}` } : undefined;
    default:
      return undefined;
  }
}

/**
 * `metav1.FormatLabelSelector`: the selector string, `<none>` when it selects
 * without restriction (or is missing), `<error>` when malformed.
 */
export function formatLabelSelector(selector: unknown): string {
  const s = labelSelectorString(selector);
  if (!s.ok) return '<error>';
  return s.text === '' ? '<none>' : s.text;
}
