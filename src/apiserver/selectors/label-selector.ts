/**
 * Label selectors as in k8s.io/apimachinery/pkg/labels: the string syntax used by
 * `?labelSelector=` (`app=web,env in (a,b),!canary,tier`) and the structured
 * metav1.LabelSelector (`{matchLabels, matchExpressions}`) used in object specs.
 */

import { fieldErrorString, invalid, notSupported } from '../field-errors.js';
import type { FieldError } from '../field-errors.js';
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';
import { SelectorParseError } from './selector-error.js';

export { SelectorParseError } from './selector-error.js';

/** Upstream selection.Operator values. */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** Whether a set of labels satisfies every requirement (undefined labels = no labels). */
  matches(labels: Record<string, string> | undefined): boolean;
  /** True when there are no requirements (the selector matches everything). */
  readonly empty: boolean;
  /** Requirements sorted by key. */
  readonly requirements: readonly LabelRequirement[];
  /** Canonical form, e.g. `app=web,env in (a,b)`; '' for the empty and the match-nothing selector. */
  toString(): string;
}

// ---------------------------------------------------------------------------------------------
// Requirements

const hasOwn = (o: Record<string, string>, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits, int64 range.
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = hasOwn(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(labels[r.key] as string);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(labels[r.key] as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(labels[r.key] as string);
      const bound = parseInt64(r.values[0] as string);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

const OPERATOR_TEXT: Record<LabelOperator, string> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

function requirementString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = r.values.length === 1 ? (r.values[0] as string) : [...r.values].sort().join(',');
  const body = r.operator === 'in' || r.operator === 'notin' ? `(${values})` : values;
  return `${r.key}${OPERATOR_TEXT[r.operator]}${body}`;
}

const VALID_OPERATORS: readonly LabelOperator[] = ['!', '=', '==', 'in', '!=', 'notin', 'exists', 'gt', 'lt'];

// Go's aggregate error text: one message alone, several as "[a, b]" (duplicates dropped).
function aggregate(errs: FieldError[]): string {
  const msgs = [...new Set(errs.map(fieldErrorString))];
  return msgs.length === 1 ? (msgs[0] as string) : `[${msgs.join(', ')}]`;
}

/**
 * Builds one requirement with upstream NewRequirement's validation (qualified-name key,
 * value count per operator, integer values for gt/lt, label-value syntax).
 * Throws SelectorParseError with the aggregated field errors.
 */
export function newLabelRequirement(key: string, operator: LabelOperator, values: readonly string[]): LabelRequirement {
  const errs: FieldError[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errs.push(invalid('key', key, keyErrs.join('; ')));
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalid('values', [...values], "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalid('values', [...values], 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalid('values', [...values], 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalid('values', [...values], "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(notSupported('operator', operator, VALID_OPERATORS));
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) errs.push(invalid(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  if (errs.length > 0) throw new SelectorParseError(aggregate(errs));
  return { key, operator, values: [...values] };
}

// ---------------------------------------------------------------------------------------------
// Selectors

class RequirementsSelector implements LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  constructor(reqs: LabelRequirement[]) {
    // Array.prototype.sort is stable, so equal keys keep their written order.
    this.requirements = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(labels: Record<string, string> | undefined): boolean {
    const l = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, l));
  }
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

const NOTHING: LabelSelector = {
  empty: false,
  requirements: [],
  matches: () => false,
  toString: () => '',
};

/** The selector that matches every object. */
export function everythingSelector(): LabelSelector {
  return new RequirementsSelector([]);
}

/** The selector that matches no object (a null metav1.LabelSelector). */
export function nothingSelector(): LabelSelector {
  return NOTHING;
}

// ---------------------------------------------------------------------------------------------
// String syntax: lexer

type Token = 'error' | 'eos' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'in' | 'notin' | 'id';

interface Scanned {
  tok: Token;
  lit: string;
}

const KEYWORDS: ReadonlyMap<string, Token> = new Map<string, Token>([
  [')', ')'],
  [',', ','],
  ['!', '!'],
  ['==', '=='],
  ['=', '='],
  ['>', '>'],
  ['in', 'in'],
  ['<', '<'],
  ['!=', '!='],
  ['notin', 'notin'],
  ['(', '('],
]);

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<';

function lex(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos] as string)) pos++;
    if (pos >= s.length) {
      out.push({ tok: 'eos', lit: '' });
      return out;
    }
    const c = s[pos] as string;
    if (isSpecial(c)) {
      // Longest run of symbols that still forms a known operator ("!=" rather than "!" "=").
      let buf = '';
      let last: Scanned | undefined;
      while (pos < s.length && isSpecial(s[pos] as string)) {
        const next = buf + (s[pos] as string);
        const tok = KEYWORDS.get(next);
        if (tok !== undefined) {
          buf = next;
          last = { tok, lit: next };
          pos++;
        } else if (last !== undefined) {
          break;
        } else {
          buf = next;
          pos++;
        }
      }
      out.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    let buf = '';
    while (pos < s.length && !isSpecial(s[pos] as string) && !isWhitespace(s[pos] as string)) buf += s[pos++];
    out.push({ tok: KEYWORDS.get(buf) ?? 'id', lit: buf });
  }
}

// ---------------------------------------------------------------------------------------------
// String syntax: parser (same grammar, decisions and messages as upstream's Parser)

type Context = 'keyAndOperator' | 'values';

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private pos = 0;
  constructor(private readonly items: Scanned[]) {}

  // In value context the keywords `in`/`notin` are plain identifiers.
  lookahead(ctx: Context): Scanned {
    const it = this.items[this.pos] ?? { tok: 'eos', lit: '' };
    if (ctx === 'values' && (it.tok === 'in' || it.tok === 'notin')) return { tok: 'id', lit: it.lit };
    return it;
  }

  consume(ctx: Context): Scanned {
    const it = this.lookahead(ctx);
    if (this.pos < this.items.length - 1) this.pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead('values');
      if (tok === 'id' || tok === '!') {
        let r: LabelRequirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          throw new SelectorParseError(`unable to parse requirement: ${(e as Error).message}`);
        }
        reqs.push(r);
        const t = this.consume('values');
        if (t.tok === 'eos') return reqs;
        if (t.tok === ',') {
          const t2 = this.lookahead('values');
          if (t2.tok !== 'id' && t2.tok !== '!') throw new SelectorParseError(`found '${t2.lit}', expected: identifier after ','`);
          continue;
        }
        throw new SelectorParseError(`found '${t.lit}', expected: ',' or 'end of string'`);
      }
      if (tok === 'eos') return reqs;
      throw new SelectorParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return newLabelRequirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newLabelRequirement(key, op, [...values].sort());
  }

  private parseKeyAndInferOperator(): { key: string; operator: LabelOperator | undefined } {
    let operator: LabelOperator | undefined;
    let t = this.consume('values');
    if (t.tok === '!') {
      operator = '!';
      t = this.consume('values');
    }
    if (t.tok !== 'id') throw new Error(`found '${t.lit}', expected: identifier`);
    const keyErrs = isQualifiedName(t.lit);
    // The parser validates with a nil field path, which upstream prints as "<nil>".
    if (keyErrs.length > 0) throw new Error(fieldErrorString(invalid('<nil>', t.lit, keyErrs.join('; '))));
    const next = this.lookahead('values').tok;
    if ((next === 'eos' || next === ',') && operator !== '!') operator = 'exists';
    return { key: t.lit, operator };
  }

  private parseOperator(): LabelOperator {
    const t = this.consume('keyAndOperator');
    switch (t.tok) {
      case 'in':
        return 'in';
      case '=':
        return '=';
      case '==':
        return '==';
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      case 'notin':
        return 'notin';
      case '!=':
        return '!=';
      default:
        throw new Error(`found '${t.lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume('values');
    if (open.tok !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead('values');
    if (tok === 'id' || tok === ',') {
      const s = this.parseIdentifiersList();
      if (this.consume('values').tok !== ')') throw new Error(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === ')') {
      this.consume('values');
      return new Set(['']);
    }
    throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
  }

  // Empty entries are allowed and stand for the empty value: "(,a)", "(a,,b)", "(a,)".
  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const t = this.consume('values');
      if (t.tok === 'id') {
        s.add(t.lit);
        const t2 = this.lookahead('values');
        if (t2.tok === ',') continue;
        if (t2.tok === ')') return s;
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      }
      if (t.tok === ',') {
        if (s.size === 0) s.add('');
        const t2 = this.lookahead('values');
        if (t2.tok === ')') {
          s.add('');
          return s;
        }
        if (t2.tok === ',') {
          this.consume('values');
          s.add('');
        }
        continue;
      }
      throw new Error(`found '${t.lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): Set<string> {
    const ahead = this.lookahead('values');
    if (ahead.tok === 'eos' || ahead.tok === ',') return new Set(['']);
    const t = this.consume('values');
    if (t.tok === 'id') return new Set([t.lit]);
    throw new Error(`found '${t.lit}', expected: identifier`);
  }
}

/**
 * Parses the string form of a label selector (upstream labels.Parse). '' and whitespace give
 * the empty selector, which matches everything. Throws SelectorParseError with upstream's
 * message, e.g. `unable to parse requirement: found '', expected: in, notin, =, ==, !=, gt, lt`.
 */
export function parseLabelSelector(s: string): LabelSelector {
  return new RequirementsSelector(new Parser(lex(s)).parse());
}

// ---------------------------------------------------------------------------------------------
// metav1.LabelSelector objects

const EXPRESSION_OPERATORS: Readonly<Record<string, LabelOperator>> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Converts a metav1.LabelSelector (`{matchLabels, matchExpressions}`) to a selector, as upstream
 * LabelSelectorAsSelector: null/undefined matches nothing, `{}` matches everything.
 * Throws SelectorParseError for unknown operators (`"Foo" is not a valid label selector operator`),
 * invalid keys/values, or a value of the wrong shape.
 */
export function selectorFromLabelSelectorObject(sel: unknown): LabelSelector {
  if (sel === null || sel === undefined) return NOTHING;
  if (!isPlainObject(sel)) throw new SelectorParseError('invalid label selector: expected an object');
  const { matchLabels, matchExpressions } = sel;
  const reqs: LabelRequirement[] = [];
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isPlainObject(matchLabels)) throw new SelectorParseError('invalid label selector: matchLabels must be an object');
    for (const [k, v] of Object.entries(matchLabels)) {
      if (typeof v !== 'string') throw new SelectorParseError(`invalid label selector: matchLabels[${k}] must be a string`);
      reqs.push(newLabelRequirement(k, '=', [v]));
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) throw new SelectorParseError('invalid label selector: matchExpressions must be a list');
    for (const expr of matchExpressions) {
      if (!isPlainObject(expr)) throw new SelectorParseError('invalid label selector: matchExpressions entries must be objects');
      const op = typeof expr['operator'] === 'string' ? EXPRESSION_OPERATORS[expr['operator']] : undefined;
      if (op === undefined) throw new SelectorParseError(`${JSON.stringify(expr['operator'] ?? '')} is not a valid label selector operator`);
      const key = typeof expr['key'] === 'string' ? expr['key'] : '';
      const rawValues = expr['values'] ?? [];
      if (!Array.isArray(rawValues) || rawValues.some((v) => typeof v !== 'string')) {
        throw new SelectorParseError('invalid label selector: values must be a list of strings');
      }
      reqs.push(newLabelRequirement(key, op, rawValues as string[]));
    }
  }
  return new RequirementsSelector(reqs);
}

/**
 * Upstream metav1.FormatLabelSelector, as `kubectl describe` and `get -o wide` show selectors:
 * `app=web,env in (a,b)`; `<none>` when empty or null; `<error>` when invalid.
 */
export function formatLabelSelectorObject(sel: unknown): string {
  let s: string;
  try {
    s = selectorFromLabelSelectorObject(sel).toString();
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}
