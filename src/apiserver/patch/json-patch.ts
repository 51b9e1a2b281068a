/**
 * RFC 6902 JSON Patch (`application/json-patch+json`).
 *
 * Error texts follow the library the apiserver uses (evanphx/json-patch v4), e.g.
 * `add operation does not apply: doc is missing path: "/spec/foo": missing value`,
 * because kubectl prints them verbatim. A patch that is not a list of operations
 * is a 400; an operation that does not apply is a 422 (both as upstream).
 */
import { PatchError } from './patch-error.js';
import { cloneValue, isRecord, jsonEqual } from './json-value.js';

export { PatchError };

const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';
const TEST_FAILED = 'test failed';

type Container = Record<string, unknown> | unknown[];

/** Splits a JSON pointer into unescaped tokens (`~1` → `/`, then `~0` → `~`). */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`JSON pointer must be empty or start with a "/": ${pointer}`, 422);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Located {
  readonly container: Container;
  readonly key: string;
}

/** The parent container of the pointer's target and the last token, or undefined when a parent is missing. */
function locate(doc: { root: unknown }, tokens: readonly string[]): Located | undefined {
  if (tokens.length === 0) return undefined;
  let cur: unknown = doc.root;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t);
      if (i === undefined || i >= cur.length) return undefined;
      cur = cur[i];
    } else if (isRecord(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return undefined;
      cur = cur[t];
    } else {
      return undefined;
    }
  }
  if (!Array.isArray(cur) && !isRecord(cur)) return undefined;
  return { container: cur, key: tokens[tokens.length - 1] as string };
}

function arrayIndex(token: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined;
}

function getAt(loc: Located): { found: true; value: unknown } | { found: false; error: string } {
  const { container, key } = loc;
  if (Array.isArray(container)) {
    const i = arrayIndex(key);
    if (i === undefined) return { found: false, error: `value was not a proper array index: '${key}'` };
    if (i >= container.length) return { found: false, error: `Unable to access invalid index: ${i}: ${INVALID_INDEX}` };
    return { found: true, value: container[i] };
  }
  if (!Object.prototype.hasOwnProperty.call(container, key)) {
    return { found: false, error: `unable to get nonexistent key: ${key}: ${MISSING}` };
  }
  return { found: true, value: container[key] };
}

/** Inserts (arrays) or sets (objects); returns an error text on a bad index. */
function addAt(loc: Located, value: unknown): string | undefined {
  const { container, key } = loc;
  if (Array.isArray(container)) {
    if (key === '-') {
      container.push(value);
      return undefined;
    }
    const i = arrayIndex(key);
    if (i === undefined) return `value was not a proper array index: '${key}'`;
    if (i > container.length) return `Unable to access invalid index: ${i}: ${INVALID_INDEX}`;
    container.splice(i, 0, value);
    return undefined;
  }
  container[key] = value;
  return undefined;
}

function removeAt(loc: Located): string | undefined {
  const { container, key } = loc;
  if (Array.isArray(container)) {
    const i = arrayIndex(key);
    if (i === undefined) return `value was not a proper array index: '${key}'`;
    if (i >= container.length) return `Unable to access invalid index: ${i}: ${INVALID_INDEX}`;
    container.splice(i, 1);
    return undefined;
  }
  if (!Object.prototype.hasOwnProperty.call(container, key)) return `Unable to remove nonexistent key: ${key}: ${MISSING}`;
  delete container[key];
  return undefined;
}

function stringField(op: Record<string, unknown>, name: 'path' | 'from', opName: string): string {
  const v = op[name];
  if (typeof v !== 'string') {
    const what = name === 'from' ? 'from' : 'path';
    throw new PatchError(`${opName} operation failed to decode ${what}: ${MISSING}`, 422);
  }
  return v;
}

function valueField(op: Record<string, unknown>, opName: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(op, 'value')) {
    throw new PatchError(`${opName} operation failed: value is missing: ${MISSING}`, 422);
  }
  return op['value'];
}

/**
 * Applies an RFC 6902 patch and returns the new document; `doc` and `ops` are not
 * modified. Throws PatchError (400 when `ops` is not a list of operation objects,
 * 422 when an operation does not apply or a `test` fails).
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', 400);
  }
  const state = { root: cloneValue(doc) };
  for (const raw of ops) {
    if (!isRecord(raw)) throw new PatchError('json: cannot unmarshal non-object into Go value of type jsonpatch.Operation', 400);
    const kind = raw['op'];
    switch (kind) {
      case 'add': {
        const path = stringField(raw, 'path', 'add');
        const value = cloneValue(valueField(raw, 'add'));
        const tokens = parseJsonPointer(path);
        if (tokens.length === 0) {
          state.root = value;
          break;
        }
        const loc = locate(state, tokens);
        if (!loc) throw new PatchError(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
        const err = addAt(loc, value);
        if (err) throw new PatchError(`error in add for path: '${path}': ${err}`);
        break;
      }
      case 'remove': {
        const path = stringField(raw, 'path', 'remove');
        const loc = locate(state, parseJsonPointer(path));
        if (!loc) throw new PatchError(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
        const err = removeAt(loc);
        if (err) throw new PatchError(`error in remove for path: '${path}': ${err}`);
        break;
      }
      case 'replace': {
        const path = stringField(raw, 'path', 'replace');
        const value = cloneValue(valueField(raw, 'replace'));
        const tokens = parseJsonPointer(path);
        if (tokens.length === 0) {
          state.root = value;
          break;
        }
        const loc = locate(state, tokens);
        if (!loc) throw new PatchError(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
        if (!getAt(loc).found || (Array.isArray(loc.container) && loc.key === '-')) {
          throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
        }
        if (Array.isArray(loc.container)) loc.container[Number(loc.key)] = value;
        else loc.container[loc.key] = value;
        break;
      }
      case 'move':
      case 'copy': {
        const from = stringField(raw, 'from', kind);
        const path = stringField(raw, 'path', kind);
        const fromTokens = parseJsonPointer(from);
        const pathTokens = parseJsonPointer(path);
        if (kind === 'move' && pathTokens.length > fromTokens.length && fromTokens.every((t, i) => pathTokens[i] === t)) {
          throw new PatchError(`move operation does not apply: "from" ${from} is a prefix of "path" ${path}`);
        }
        let value: unknown;
        if (fromTokens.length === 0) {
          value = state.root;
        } else {
          const src = locate(state, fromTokens);
          if (!src) throw new PatchError(`${kind} operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
          const got = getAt(src);
          if (!got.found) throw new PatchError(`error in ${kind} for path: '${from}': ${got.error}`);
          value = got.value;
          if (kind === 'move') {
            if (from === path) break;
            const err = removeAt(src);
            if (err) throw new PatchError(`error in move for path: '${from}': ${err}`);
          }
        }
        if (kind === 'copy') value = cloneValue(value);
        if (pathTokens.length === 0) {
          state.root = value;
          break;
        }
        const dst = locate(state, pathTokens);
        if (!dst) throw new PatchError(`${kind} operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
        const err = addAt(dst, value);
        if (err) throw new PatchError(`error in ${kind} for path: '${path}': ${err}`);
        break;
      }
      case 'test': {
        const path = stringField(raw, 'path', 'test');
        const expected = Object.prototype.hasOwnProperty.call(raw, 'value') ? raw['value'] : null;
        const tokens = parseJsonPointer(path);
        let actual: unknown;
        if (tokens.length === 0) {
          actual = state.root;
        } else {
          const loc = locate(state, tokens);
          if (!loc) throw new PatchError(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
          const got = getAt(loc);
          // An absent member only matches an explicit null, as upstream.
          actual = got.found ? got.value : null;
        }
        if (!jsonEqual(actual, expected)) throw new PatchError(`testing value ${path} failed: ${TEST_FAILED}`);
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${typeof kind === 'string' ? kind : String(kind)}`);
    }
  }
  return state.root;
}
