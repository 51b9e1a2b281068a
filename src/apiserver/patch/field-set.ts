/**
 * Field sets as structured-merge-diff (sigs.k8s.io/structured-merge-diff) models
 * them: sets of paths into an object, where a path element is a struct field or
 * map key (`f:name`), an associative-list item (`k:{"port":80,"protocol":"TCP"}`),
 * a set member (`v:"foo"`) or a list index (`i:0`). These strings are exactly
 * the keys of the FieldsV1 encoding stored in `metadata.managedFields`.
 *
 * A path in the set is a "member" (owned); its ancestors need not be.
 */
import { cloneValue, compareJson, isRecord, jsonEqual, sortedJson } from './json-value.js';
import { DEFAULT_NODE, fieldSchema, type SchemaNode } from './schema.js';
import { PatchError } from './patch-error.js';

/** One path element in FieldsV1 key form. */
export type PathElement = string;
export type FieldPath = readonly PathElement[];

/**
 * The map key of a path: its elements joined by U+0001, which no element holds
 * in practice (list keys and set values are JSON, which escapes control
 * characters); an element that does makes the key the JSON of the path, which
 * starts with `[` where a joined key starts with an element kind letter.
 */
function pathKey(p: FieldPath): string {
  for (const pe of p) if (pe.includes(KEY_SEPARATOR)) return JSON.stringify(p);
  return p.join(KEY_SEPARATOR);
}

const KEY_SEPARATOR = '\u0001';

/** An immutable-by-convention set of field paths. */
export class FieldSet {
  private readonly paths = new Map<string, FieldPath>();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const p of paths) this.insert(p);
  }

  /** A set over already-keyed paths (set algebra reuses keys instead of re-encoding paths). */
  private static fromEntries(entries: Iterable<readonly [string, FieldPath]>): FieldSet {
    const s = new FieldSet();
    for (const [k, p] of entries) s.paths.set(k, p);
    return s;
  }

  /** Adds a path; the empty path is ignored, as upstream. */
  insert(p: FieldPath): void {
    if (p.length > 0) this.paths.set(pathKey(p), [...p]);
  }

  has(p: FieldPath): boolean {
    return this.paths.has(pathKey(p));
  }

  get size(): number {
    return this.paths.size;
  }

  isEmpty(): boolean {
    return this.paths.size === 0;
  }

  union(o: FieldSet): FieldSet {
    return FieldSet.fromEntries([...this.paths, ...o.paths]);
  }

  difference(o: FieldSet): FieldSet {
    return FieldSet.fromEntries([...this.paths].filter(([k]) => !o.paths.has(k)));
  }

  intersection(o: FieldSet): FieldSet {
    return FieldSet.fromEntries([...this.paths].filter(([k]) => o.paths.has(k)));
  }

  /** Removes every path equal to or below a path of `o`. */
  recursiveDifference(o: FieldSet): FieldSet {
    if (o.isEmpty()) return FieldSet.fromEntries(this.paths);
    const prefixes = [...o.paths.values()];
    const under = (p: FieldPath, q: FieldPath): boolean => q.length <= p.length && q.every((pe, i) => pe === p[i]);
    return FieldSet.fromEntries([...this.paths].filter(([, p]) => !prefixes.some((q) => under(p, q))));
  }

  /** All paths, in no particular order (cheaper than `list`). */
  unordered(): IterableIterator<FieldPath> {
    return this.paths.values();
  }

  /** All paths, in structured-merge-diff iteration order. */
  list(): FieldPath[] {
    return [...this.paths.values()].sort(comparePaths);
  }
}

function peRank(pe: PathElement): number {
  switch (pe[0]) {
    case 'f':
      return 0;
    case 'k':
      return 1;
    case 'v':
      return 2;
    case 'i':
      return 3;
    default:
      return 4;
  }
}

/** Orders path elements as upstream: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = peRank(a);
  const rb = peRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return a < b ? -1 : a > b ? 1 : 0;
  if (ra === 3) return Number(a.slice(2)) - Number(b.slice(2));
  const va: unknown = JSON.parse(a.slice(2));
  const vb: unknown = JSON.parse(b.slice(2));
  if (ra === 1 && isRecord(va) && isRecord(vb)) {
    // Key field lists compare name by name, then value by value.
    const ka = Object.keys(va).sort();
    const kb = Object.keys(vb).sort();
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const x = ka[i] as string;
      const y = kb[i] as string;
      if (x !== y) return x < y ? -1 : 1;
      const c = compareJson(va[x], vb[y]);
      if (c !== 0) return c;
    }
    return ka.length - kb.length;
  }
  return compareJson(va, vb);
}

export function comparePaths(a: FieldPath, b: FieldPath): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = comparePathElements(a[i] as string, b[i] as string);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** `.spec.ports[port=80,protocol="TCP"].targetPort`, as upstream prints paths in conflicts. */
export function formatFieldPath(p: FieldPath): string {
  return p
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.keys(key)
            .sort()
            .map((k) => `${k}=${JSON.stringify(key[k])}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}

// ---------------------------------------------------------------- FieldsV1

/** A field set as a trie of path elements (the shape of FieldsV1). */
export interface FieldTrie {
  member: boolean;
  readonly children: Map<PathElement, FieldTrie>;
}

const newTrie = (): FieldTrie => ({ member: false, children: new Map() });

/** Encodes a set as a FieldsV1 object (`{"f:spec":{"f:ports":{".":{}, …}}}`). */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root = newTrie();
  // Children are sorted when encoding, so the paths need no ordering here.
  for (const p of set.unordered()) {
    let n = root;
    for (const pe of p) {
      let c = n.children.get(pe);
      if (!c) {
        c = newTrie();
        n.children.set(pe, c);
      }
      n = c;
    }
    n.member = true;
  }
  return trieToFieldsV1(root);
}

/** FieldsV1 of a trie: children in upstream order, `"."` on members that have children. */
export function trieToFieldsV1(n: FieldTrie): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (n.member && n.children.size > 0) out['.'] = {};
  const keys = [...n.children.keys()];
  if (keys.length > 1) keys.sort(comparePathElements);
  for (const pe of keys) out[pe] = trieToFieldsV1(n.children.get(pe) as FieldTrie);
  return out;
}

/**
 * The fields added or changed going from `lhs` to `rhs`, as a trie: the set
 * `added ∪ modified` of `compareObjects(lhs, rhs, schema)`, built in one walk
 * without path keys (the create fast path of managedFields, where `lhs` is the
 * kind's empty object).
 */
export function changedFieldsTrie(lhs: unknown, rhs: unknown, schema: SchemaNode): FieldTrie {
  const walk = (lv: unknown, rv: unknown, node: SchemaNode): FieldTrie | undefined => {
    const r = omitEmpty(rv, node);
    if (r === undefined) return undefined; // only removals below: not ours
    const l = omitEmpty(lv, node);
    const t = newTrie();
    const both = isEmptyish(l) && isEmptyish(r);
    if (isRecord(r) && mapLike(l) && !node.atomicMap && !both) {
      const lm = isRecord(l) ? l : undefined;
      for (const k in r) {
        const c = walk(lm?.[k], r[k], fieldSchema(node, k));
        if (c) t.children.set(`f:${k}`, c);
      }
      t.member = l === undefined;
    } else if (Array.isArray(r) && listLike(l) && listType(node) !== 'atomic' && !both) {
      const li = Array.isArray(l) && l.length > 0 ? indexList(l, node, [], false) : undefined;
      const items = node.items ?? DEFAULT_NODE;
      for (const [pe, item] of indexList(r, node, [], false)) {
        const c = walk(li?.get(pe), item, items);
        if (c) t.children.set(pe, c);
      }
      t.member = l === undefined;
    } else {
      t.member = l === undefined || !jsonEqual(l, r);
    }
    return t.member || t.children.size > 0 ? t : undefined;
  };
  const root = walk(lhs, rhs, schema) ?? newTrie();
  root.member = false; // the empty path is never a member
  return root;
}

function canonicalPathElement(raw: string): PathElement {
  const kind = raw.slice(0, 2);
  const body = raw.slice(2);
  if (kind === 'f:') return raw;
  if (kind === 'i:' && /^(0|[1-9][0-9]*)$/.test(body)) return raw;
  if (kind === 'k:' || kind === 'v:') {
    let v: unknown;
    try {
      v = JSON.parse(body);
    } catch {
      throw new PatchError(`unable to parse path element ${JSON.stringify(raw)}`, 400);
    }
    if (kind === 'k:' && !isRecord(v)) throw new PatchError(`unable to parse path element ${JSON.stringify(raw)}`, 400);
    return `${kind}${sortedJson(v)}`;
  }
  throw new PatchError(`unable to parse path element ${JSON.stringify(raw)}: unknown path element type`, 400);
}

/** Decodes a FieldsV1 object; throws PatchError (400) on a malformed one. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const set = new FieldSet();
  const walk = (node: unknown, path: PathElement[]): void => {
    if (!isRecord(node)) throw new PatchError('FieldsV1 must be a JSON object', 400);
    const keys = Object.keys(node);
    if (keys.length === 0 || keys.includes('.')) set.insert(path);
    for (const k of keys) {
      if (k === '.') continue;
      walk(node[k], [...path, canonicalPathElement(k)]);
    }
  };
  walk(fields ?? {}, []);
  return set;
}

// ---------------------------------------------------------------- values → sets

function listType(node: SchemaNode): 'atomic' | 'set' | 'map' {
  return node.listType ?? 'atomic';
}

/**
 * The path element of a list item: `k:{…}` for list-maps (missing key fields
 * take their schema default), `v:…` for sets. Throws PatchError (500, as
 * upstream's typed-conversion errors) when a key field is missing.
 */
export function listItemPathElement(item: unknown, node: SchemaNode, where: string, index: number): PathElement {
  if (listType(node) === 'set') return `v:${sortedJson(item)}`;
  const keys = node.listMapKeys ?? [];
  if (!isRecord(item)) throw new PatchError(`${where}: element ${index}: expected a map, got ${sortedJson(item)}`, 500);
  const key: Record<string, unknown> = {};
  for (const k of keys) {
    const v = item[k] ?? node.listMapKeyDefaults?.[k];
    if (v === undefined || v === null) {
      throw new PatchError(
        `${where}: element ${index}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`,
        500,
      );
    }
    key[k] = v;
  }
  return `k:${sortedJson(key)}`;
}

function describe(path: FieldPath): string {
  return formatFieldPath(path) || '.';
}

/** Items of an associative list with their path elements; repeats of a key are dropped. */
function indexList(list: readonly unknown[], node: SchemaNode, path: FieldPath, strict: boolean): Map<PathElement, unknown> {
  const out = new Map<PathElement, unknown>();
  list.forEach((item, i) => {
    const pe = listItemPathElement(item, node, describe(path), i);
    if (out.has(pe)) {
      if (strict) throw new PatchError(`${describe(path)}: duplicate entries for key ${formatFieldPath([pe])}`, 500);
      return;
    }
    out.set(pe, item);
  });
  return out;
}

/**
 * The set of fields an object sets (structured-merge-diff ToFieldSet): every
 * leaf, every atomic list or map as a whole, every associative-list item, and
 * every entry of a free-form map. With `strict`, duplicate list keys throw.
 */
export function computeFieldSet(obj: unknown, schema: SchemaNode, strict = false): FieldSet {
  const set = new FieldSet();
  const walk = (v: unknown, node: SchemaNode, path: PathElement[]): void => {
    if (isRecord(v)) {
      if (node.atomicMap) {
        set.insert(path);
        return;
      }
      for (const [k, child] of Object.entries(v)) {
        const p = [...path, `f:${k}`];
        walk(child, fieldSchema(node, k), p);
        if (node.values) set.insert(p);
      }
      return;
    }
    if (Array.isArray(v)) {
      if (listType(node) === 'atomic') {
        set.insert(path);
        return;
      }
      for (const [pe, item] of indexList(v, node, path, strict)) {
        const p = [...path, pe];
        walk(item, node.items ?? DEFAULT_NODE, p);
        set.insert(p);
      }
      return;
    }
    set.insert(path);
  };
  walk(obj, schema, []);
  return set;
}

/** Result of comparing two versions of an object, as structured-merge-diff's Compare. */
export interface Comparison {
  readonly added: FieldSet;
  readonly removed: FieldSet;
  readonly modified: FieldSet;
}

function isEmptyish(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : isRecord(v) && !hasKeys(v));
}

function hasKeys(o: Record<string, unknown>): boolean {
  for (const _ in o) return true;
  return false;
}

/**
 * Go's `omitempty` drops empty maps and slices when the API types serialize, so
 * an empty free-form map or list counts as absent (structs are never omitted).
 */
function omitEmpty(v: unknown, node: SchemaNode): unknown {
  if (Array.isArray(v) && v.length === 0) return undefined;
  if (node.values && isRecord(v) && !hasKeys(v)) return undefined;
  return v;
}

/**
 * Which fields were added, removed or changed going from `lhs` to `rhs`.
 * Leaves (scalars, atomic lists and maps, and maps or lists empty on both sides)
 * are compared by value; a struct, map or list item that appears or disappears
 * is itself reported as added or removed, along with its leaves.
 */
export function compareObjects(lhs: unknown, rhs: unknown, schema: SchemaNode): Comparison {
  const added = new FieldSet();
  const removed = new FieldSet();
  const modified = new FieldSet();
  const walk = (lv: unknown, rv: unknown, node: SchemaNode, path: PathElement[]): void => {
    const l = omitEmpty(lv, node);
    const r = omitEmpty(rv, node);
    if (l === undefined && r === undefined) return;
    const both = isEmptyish(l) && isEmptyish(r);
    if ((isRecord(l) || isRecord(r)) && mapLike(l) && mapLike(r) && !node.atomicMap && !both) {
      const lm = isRecord(l) ? l : undefined;
      const rm = isRecord(r) ? r : undefined;
      if (lm) for (const k in lm) walk(lm[k], rm?.[k], fieldSchema(node, k), [...path, `f:${k}`]);
      // Keys only on the right (all of them on a create).
      if (rm) for (const k in rm) if (!lm || !Object.hasOwn(lm, k)) walk(undefined, rm[k], fieldSchema(node, k), [...path, `f:${k}`]);
    } else if ((Array.isArray(l) || Array.isArray(r)) && listLike(l) && listLike(r) && listType(node) !== 'atomic' && !both) {
      const li = indexList(Array.isArray(l) ? l : [], node, path, false);
      const ri = indexList(Array.isArray(r) ? r : [], node, path, false);
      const items = node.items ?? DEFAULT_NODE;
      for (const [pe, item] of li) walk(item, ri.get(pe), items, [...path, pe]);
      for (const [pe, item] of ri) if (!li.has(pe)) walk(undefined, item, items, [...path, pe]);
    } else {
      if (l === undefined) added.insert(path);
      else if (r === undefined) removed.insert(path);
      else if (!jsonEqual(l, r)) modified.insert(path);
      return;
    }
    // A non-leaf that appeared or vanished is a field in its own right.
    if (l === undefined) added.insert(path);
    else if (r === undefined) removed.insert(path);
  };
  walk(lhs, rhs, schema, []);
  return { added, removed, modified };
}

const mapLike = (x: unknown): boolean => x === undefined || x === null || isRecord(x);
const listLike = (x: unknown): boolean => x === undefined || x === null || Array.isArray(x);

/** The schema node at `path`, following struct fields, map entries and list items. */
export function schemaAt(schema: SchemaNode, path: FieldPath): SchemaNode {
  let node = schema;
  for (const pe of path) node = pe.startsWith('f:') ? fieldSchema(node, pe.slice(2)) : (node.items ?? DEFAULT_NODE);
  return node;
}

/**
 * Adds every struct field on the way to a member (upstream
 * EnsureNamedFieldsAreMembers), so that pruning can tell when a whole struct
 * was owned; entries of free-form maps and list items are not added.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, schema: SchemaNode): FieldSet {
  const out = new FieldSet(set.list());
  for (const p of set.list()) {
    let node = schema;
    for (let i = 0; i < p.length - 1; i++) {
      const pe = p[i] as string;
      if (pe.startsWith('f:') && node.values === undefined) out.insert(p.slice(0, i + 1));
      node = pe.startsWith('f:') ? fieldSchema(node, pe.slice(2)) : (node.items ?? DEFAULT_NODE);
    }
  }
  return out;
}

/**
 * Returns a copy of `obj` without the members of `toRemove` (a path names a
 * field, list item or set value; its whole subtree goes). A map or list that
 * removal leaves empty is dropped too, as the typed round trip upstream does.
 */
export function removeFields(obj: unknown, toRemove: FieldSet, schema: SchemaNode): unknown {
  const root = { v: cloneValue(obj) };
  for (const p of toRemove.list()) {
    // Walk to the parent, remembering how to drop the parent if it empties.
    let parent: unknown = root.v;
    let grand: { container: unknown; pe: PathElement } | undefined;
    let node = schema;
    let ok = true;
    for (let i = 0; i < p.length - 1 && ok; i++) {
      const pe = p[i] as string;
      const next = step(parent, pe, node);
      if (next === undefined) ok = false;
      else {
        grand = { container: parent, pe };
        node = pe.startsWith('f:') ? fieldSchema(node, pe.slice(2)) : (node.items ?? DEFAULT_NODE);
        parent = next;
      }
    }
    if (!ok) continue;
    const last = p[p.length - 1] as string;
    if (!dropChild(parent, last, node)) continue;
    if (grand && isEmptyish(parent)) dropChild(grand.container, grand.pe, schemaAt(schema, p.slice(0, -2)));
  }
  return root.v;
}

function matchItem(list: unknown[], pe: PathElement, node: SchemaNode): number {
  return list.findIndex((item, i) => {
    try {
      return listItemPathElement(item, node, '', i) === pe;
    } catch {
      return false;
    }
  });
}

function step(container: unknown, pe: PathElement, node: SchemaNode): unknown {
  if (pe.startsWith('f:')) return isRecord(container) ? container[pe.slice(2)] : undefined;
  if (!Array.isArray(container)) return undefined;
  const i = matchItem(container, pe, node);
  return i >= 0 ? container[i] : undefined;
}

function dropChild(container: unknown, pe: PathElement, node: SchemaNode): boolean {
  if (pe.startsWith('f:')) {
    const k = pe.slice(2);
    if (!isRecord(container) || !(k in container)) return false;
    delete container[k];
    return true;
  }
  if (!Array.isArray(container)) return false;
  const i = matchItem(container, pe, node);
  if (i < 0) return false;
  container.splice(i, 1);
  return true;
}
