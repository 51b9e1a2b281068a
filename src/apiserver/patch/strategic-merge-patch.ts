/**
 * Kubernetes strategic merge patch (`application/strategic-merge-patch+json`),
 * following k8s.io/apimachinery/pkg/util/strategicpatch as the apiserver runs it
 * (MergeParallelList and IgnoreUnmatchedNulls on):
 *
 * - `null` deletes a key; maps merge recursively;
 * - lists whose field has the `merge` strategy merge: lists of objects by the
 *   merge key (`{"$patch":"delete", key: v}` removes items, `{"$patch":"replace"}`
 *   makes the patch items the whole list), lists of scalars are unioned;
 *   every other list is replaced;
 * - `$setElementOrder/<field>` orders the result, `$deleteFromPrimitiveList/<field>`
 *   removes scalars, `$retainKeys` clears unlisted keys, `$patch: replace|delete`
 *   on a map replaces or empties it.
 *
 * Ordering follows upstream's normalizeElementOrder: patch items are sorted by
 * the patch (or `$setElementOrder`) order, server-only items keep their live
 * order, and a server-only item goes before a patch item only when both were
 * in the live list in that order, so new items come first.
 *
 * Unlike upstream, directives never leak into the result (upstream copies a
 * patch value verbatim when the live object lacks the field).
 */
import { PatchError } from './patch-error.js';
import { cloneValue, goFormat, isRecord } from './json-value.js';
import { DEFAULT_NODE, fieldSchema, type PatchSchema, type SchemaNode } from './schema.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

const ERR_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const ERR_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';

/**
 * Applies a strategic merge patch to `doc` using the patch metadata in `schema`
 * and returns the result; neither input is modified. Throws PatchError with
 * upstream's text and status class for malformed patches.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema: PatchSchema | SchemaNode): unknown {
  if (!isRecord(patch)) throw new PatchError('invalid JSON document', 400);
  return mergeMap(isRecord(doc) ? doc : undefined, patch, schema);
}

function noMergeKey(item: Record<string, unknown>, key: string): PatchError {
  return new PatchError(`map: ${goFormat(item)} does not contain declared merge key: ${key}`, 500);
}

function badPatchType(t: unknown, m: Record<string, unknown>): PatchError {
  return new PatchError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`, 500);
}

function sameKind(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b);
  if (isRecord(a)) return isRecord(b);
  return !Array.isArray(b) && !isRecord(b);
}

/** Merges `patch` into a copy of `original` (a missing original merges into `{}`). */
function mergeMap(
  original: Record<string, unknown> | undefined,
  patch: Record<string, unknown>,
  node: SchemaNode,
): Record<string, unknown> {
  if (Object.prototype.hasOwnProperty.call(patch, DIRECTIVE)) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      const rest = { ...patch };
      delete rest[DIRECTIVE];
      return mergeMap(undefined, rest, node);
    }
    if (d === 'delete') return {};
    throw badPatchType(d, patch);
  }

  const result: Record<string, unknown> = original ? cloneValue(original) : {};

  if (Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) applyRetainKeys(result, patch);

  // $setElementOrder lists are merged (together with their field) before the rest.
  const done = new Set<string>([RETAIN_KEYS]);
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    done.add(key);
    const field = key.slice(SET_ELEMENT_ORDER.length);
    if (!field || !Array.isArray(order)) throw new PatchError(ERR_SET_ELEMENT_ORDER, 400);
    const child = fieldSchema(node, field);
    const mergeKey = child.patchMergeKey;
    const liveList = result[field];
    const patchList = patch[field];
    if (liveList !== undefined && !Array.isArray(liveList)) {
      throw new PatchError(`expected a []interface {}, but received a ${goType(liveList)}`, 500);
    }
    if (patchList !== undefined && patchList !== null && !Array.isArray(patchList)) {
      throw new PatchError(`expected a []interface {}, but received a ${goType(patchList)}`, 500);
    }
    if (patchList === null) continue; // a null deletes the field in the main loop
    if (Array.isArray(patchList)) validateSetOrder(patchList, order, mergeKey);
    done.add(field);
    if (liveList === undefined && patchList === undefined) continue;
    const merged = mergeList(liveList ?? [], patchList ?? [], child);
    const [inOrder, serverOnly] = partition(merged, order, mergeKey);
    result[field] = normalizeElementOrder(inOrder, serverOnly, order, liveList ?? [], mergeKey);
  }

  for (const [rawKey, value] of Object.entries(patch)) {
    if (done.has(rawKey)) continue;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = rawKey.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      if (!field || !Array.isArray(value)) throw new PatchError(ERR_PRIMITIVE_LIST, 400);
      const live = result[field];
      if (Array.isArray(live)) result[field] = live.filter((x) => !value.some((d) => d === x));
      continue;
    }
    if (rawKey.startsWith('$')) {
      throw new PatchError(`unable to find api field in struct for the json field "${rawKey}"`, 400);
    }
    if (value === null) {
      delete result[rawKey];
      continue;
    }
    const child = fieldSchema(node, rawKey);
    const live = result[rawKey];
    if (live === undefined || live === null || !sameKind(live, value)) {
      // A `$patch: delete` of something absent leaves it absent.
      if (isRecord(value) && value[DIRECTIVE] === 'delete') continue;
      result[rawKey] = fresh(value, child);
      continue;
    }
    if (isRecord(live) && isRecord(value)) {
      result[rawKey] = child.patchStrategy?.includes('replace') ? fresh(value, child) : mergeMap(live, value, child);
    } else if (Array.isArray(live) && Array.isArray(value)) {
      result[rawKey] = mergeList(live, value, child);
    } else {
      result[rawKey] = cloneValue(value);
    }
  }
  return result;
}

/** A patch value for a field the live object lacks, with its directives applied to nothing. */
function fresh(value: unknown, node: SchemaNode): unknown {
  if (isRecord(value)) return mergeMap(undefined, value, node);
  if (Array.isArray(value)) return mergeList([], value, node);
  return cloneValue(value);
}

function goType(v: unknown): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (isRecord(v)) return 'map[string]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  return '<nil>';
}

function applyRetainKeys(result: Record<string, unknown>, patch: Record<string, unknown>): void {
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) throw new PatchError(ERR_RETAIN_KEYS, 400);
  const allowed = new Set(keep.filter((k): k is string => typeof k === 'string'));
  for (const [k, v] of Object.entries(patch)) {
    if (k === RETAIN_KEYS || k === DIRECTIVE || v === null) continue;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!allowed.has(k)) throw new PatchError(ERR_RETAIN_KEYS, 400);
  }
  for (const k of Object.keys(result)) if (!allowed.has(k)) delete result[k];
}

/**
 * The non-delete items of the patch list must appear in the same relative order
 * as in the `$setElementOrder` list (upstream validatePatchWithSetOrderList).
 */
function validateSetOrder(patchList: unknown[], order: unknown[], mergeKey: string | undefined): void {
  const items = patchList.filter((p) => !(isRecord(p) && DIRECTIVE in p));
  let pi = 0;
  let oi = 0;
  while (pi < items.length && oi < order.length) {
    if (sameElement(items[pi], order[oi], mergeKey)) pi++;
    oi++;
  }
  if (pi < items.length) {
    throw new PatchError(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match $setElementOrder list:\n${goFormat(order)}\n`,
      400,
    );
  }
}

/** Identity of list elements: the merge-key value for objects, the value itself for scalars. */
function sameElement(a: unknown, b: unknown, mergeKey: string | undefined): boolean {
  if (mergeKey && isRecord(a) && isRecord(b)) return a[mergeKey] !== undefined && a[mergeKey] === b[mergeKey];
  return a === b;
}

function indexIn(list: readonly unknown[], item: unknown, mergeKey: string | undefined): number {
  return list.findIndex((x) => sameElement(x, item, mergeKey));
}

/** Merges a patch list into a live list according to the field's strategy. */
function mergeList(live: unknown[], patch: unknown[], node: SchemaNode): unknown[] {
  const itemNode = node.items ?? DEFAULT_NODE;
  if (!node.patchStrategy?.includes('merge')) {
    // Replace: the patch list is the result (minus any stray directive elements).
    return patch.filter((p) => !(isRecord(p) && DIRECTIVE in p)).map((p) => fresh(p, itemNode));
  }
  if (live.length === 0 && patch.length === 0) return [];
  const all = [...live, ...patch];
  if (all.some((v) => Array.isArray(v))) throw new PatchError('lists of lists are not supported', 422);
  const maps = all.filter(isRecord).length;
  if (maps !== 0 && maps !== all.length) {
    throw new PatchError(`list element types are not identical: ${goFormat([live, patch])}`, 500);
  }

  if (maps === 0) {
    // Scalars: union without duplicates, patch order first as upstream orders it.
    const merged: unknown[] = [];
    for (const v of all) if (!merged.some((m) => m === v)) merged.push(cloneValue(v));
    const [inPatch, serverOnly] = partition(merged, patch, undefined);
    return normalizeElementOrder(inPatch, serverOnly, patch, live, undefined);
  }

  const mergeKey = node.patchMergeKey;
  if (!mergeKey) throw new PatchError('cannot merge lists without merge key for type map', 500);

  let original = live.map((v) => cloneValue(v));
  const patchItems: Record<string, unknown>[] = [];
  let replace = false;
  for (const raw of patch) {
    const item = raw as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(item, DIRECTIVE)) {
      patchItems.push(item);
      continue;
    }
    const d = item[DIRECTIVE];
    if (d === 'delete') {
      if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw noMergeKey(item, mergeKey);
      original = original.filter((o) => !(isRecord(o) && o[mergeKey] === item[mergeKey]));
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      throw new PatchError('merging lists cannot yet be specified in the patch', 500);
    } else {
      throw badPatchType(d, item);
    }
  }
  if (replace) return patchItems.map((p) => fresh(p, itemNode));

  const serverOrder = [...original];
  const merged = [...original];
  for (const p of patchItems) {
    if (!Object.prototype.hasOwnProperty.call(p, mergeKey)) throw noMergeKey(p, mergeKey);
    const i = merged.findIndex((o) => isRecord(o) && o[mergeKey] === p[mergeKey]);
    if (i >= 0) merged[i] = mergeMap(merged[i] as Record<string, unknown>, p, itemNode);
    else merged.push(fresh(p, itemNode));
  }
  const [inPatch, serverOnly] = partition(merged, patchItems, mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, patchItems, serverOrder, mergeKey);
}

/** Splits `list` into the items present in `by` and the rest, keeping order. */
function partition(list: readonly unknown[], by: readonly unknown[], mergeKey: string | undefined): [unknown[], unknown[]] {
  const yes: unknown[] = [];
  const no: unknown[] = [];
  for (const v of list) {
    if (mergeKey && isRecord(v) && !Object.prototype.hasOwnProperty.call(v, mergeKey)) throw noMergeKey(v, mergeKey);
    (indexIn(by, v, mergeKey) >= 0 ? yes : no).push(v);
  }
  return [yes, no];
}

function sortByOrder(items: unknown[], order: readonly unknown[], mergeKey: string | undefined): unknown[] {
  return items
    .map((v, i) => ({ v, i, o: indexIn(order, v, mergeKey) }))
    .sort((a, b) => (a.o >= 0 && b.o >= 0 && a.o !== b.o ? a.o - b.o : a.i - b.i))
    .map((x) => x.v);
}

/**
 * Sorts patch items by `patchOrder` and server-only items by `serverOrder`, then
 * interleaves them: a server-only item is taken first only when both it and the
 * next patch item are in the live list and it came earlier there.
 */
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
