/**
 * Field selectors as in k8s.io/apimachinery/pkg/fields: `?fieldSelector=` terms
 * `field=value`, `field==value`, `field!=value`, comma-separated and ANDed. In values,
 * `\`, `,` and `=` must be escaped with a backslash; field names are taken literally.
 */

import { SelectorParseError } from './selector-error.js';

export { SelectorParseError } from './selector-error.js';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is normalised to `=`. */
  readonly op: '=' | '!=';
  /** The unescaped value. */
  readonly value: string;
}

export interface FieldSelector {
  /** Whether the object's field values satisfy every term; a missing field counts as ''. */
  matches(fields: Record<string, string>): boolean;
  /** Terms in upstream order (the raw terms sorted as strings). */
  readonly requirements: readonly FieldRequirement[];
  /** True when there are no terms (matches everything). */
  readonly empty: boolean;
  /** The value `field` must equal for a match, if a `field=value` term exists (upstream RequiresExactMatch). */
  exactMatch(field: string): string | undefined;
  /** Canonical form, values re-escaped, e.g. `metadata.name=a\,b,status.phase!=Failed`. */
  toString(): string;
}

/** Escapes `\`, `,` and `=` in a value with a backslash (upstream fields.EscapeValue). */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Reverses escapeFieldValue; throws SelectorParseError on bad or missing escapes (upstream fields.UnescapeValue). */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new SelectorParseError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Go prints the offending rune with %v, i.e. as its code point number.
    else if (c === ',' || c === '=') throw new SelectorParseError(`invalid field selector: unescaped character in value: ${c.codePointAt(0) ?? 0}`);
    else out += c;
  }
  if (inSlash) throw new SelectorParseError('invalid field selector: invalid escape sequence: \\');
  return out;
}

// Splits on commas that are not backslash-escaped; the escapes stay in the terms.
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// "!=" and "==" are tried before "=" at each position, so the first operator found splits the term.
const TERM_OPERATORS = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

class AndSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(fields: Record<string, string>): boolean {
    return this.requirements.every((r) => {
      const actual = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
      return r.op === '=' ? actual === r.value : actual !== r.value;
    });
  }
  exactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.op === '=')?.value;
  }
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(',');
  }
}

/**
 * Parses a field selector (upstream fields.ParseSelector). '' gives the empty selector.
 * Throws SelectorParseError, e.g. `invalid selector: 'foo'; can't understand 'foo'`.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const terms = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const parsed = splitTerm(term);
    if (parsed === undefined) throw new SelectorParseError(`invalid selector: '${s}'; can't understand '${term}'`);
    reqs.push({ field: parsed.lhs, op: parsed.op === '!=' ? '!=' : '=', value: unescapeFieldValue(parsed.rhs) });
  }
  return new AndSelector(reqs);
}

/** The selector matching everything. */
export function everythingFieldSelector(): FieldSelector {
  return new AndSelector([]);
}
