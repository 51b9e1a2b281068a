/**
 * `metadata.managedFields` bookkeeping for non-apply writes (create, update,
 * patch), following the apiserver's fieldmanager chain
 * (k8s.io/apimachinery/pkg/util/managedfields/internal): the writer takes
 * ownership of every field its write added or changed, other managers lose
 * those fields and any field the write removed, empty entries disappear, and
 * at most ten Update entries are kept (older ones fold into "ancient-changes").
 */
import type { KubeObject, ManagedFieldsEntry } from '../../api/object.js';
import { changedFieldsTrie, compareObjects, type FieldPath, FieldSet, type FieldTrie, fromFieldsV1, toFieldsV1, trieToFieldsV1 } from './field-set.js';
import { isRecord } from './json-value.js';
import { patchSchemaFor, type PatchSchema } from './schema.js';

/** One decoded managedFields entry. */
export interface ManagerEntry {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly subresource?: string;
  readonly time?: string;
  readonly set: FieldSet;
}

/** Upstream's cap on Update entries before the oldest are merged into one bucket. */
export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';

/** Paths no manager ever owns (upstream stripMetaManager). */
const STRIPPED = new FieldSet(
  [
    ['f:apiVersion'],
    ['f:kind'],
    ['f:metadata'],
    ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
      (f) => ['f:metadata', `f:${f}`],
    ),
  ],
);

export function stripMetaFields(set: FieldSet): FieldSet {
  return set.difference(STRIPPED);
}

/**
 * Fields a write through this endpoint never owns (upstream "reset fields"):
 * `status` for the main resource of kinds with a status subresource, `spec`
 * for the status subresource.
 */
export function ignoredFieldsFor(schema: PatchSchema, subresource: string | undefined): FieldSet {
  if (!schema.statusSubresource) return new FieldSet();
  return new FieldSet([[subresource === 'status' ? 'f:spec' : 'f:status']]);
}

/** RFC 3339 with whole seconds, as metav1.Time serializes. */
export function formatTime(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/** Identity of an entry: apply entries are per manager and subresource, update entries also per apiVersion. */
export function managerIdentifier(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  // Same field order as Go's ManagedFieldsEntry JSON, so sorting identifiers sorts like upstream.
  const id: Record<string, string> = { manager: e.manager, operation: e.operation };
  if (e.operation === 'Update' && e.apiVersion) id['apiVersion'] = e.apiVersion;
  if (e.subresource) id['subresource'] = e.subresource;
  return JSON.stringify(id);
}

/**
 * Decodes stored or client-supplied managedFields. Returns undefined when any
 * entry is malformed (the caller then falls back to the live object's entries).
 */
export function decodeManagedFields(entries: unknown): ManagerEntry[] | undefined {
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) return undefined;
  const out: ManagerEntry[] = [];
  for (const e of entries) {
    if (!isRecord(e)) return undefined;
    const operation = e['operation'];
    if (operation !== 'Apply' && operation !== 'Update') return undefined;
    if (e['fieldsType'] !== undefined && e['fieldsType'] !== 'FieldsV1') return undefined;
    let set: FieldSet;
    try {
      set = fromFieldsV1(e['fieldsV1'] ?? {});
    } catch {
      return undefined;
    }
    const str = (k: string): string | undefined => (typeof e[k] === 'string' ? (e[k] as string) : undefined);
    const subresource = str('subresource');
    const time = str('time');
    out.push({
      manager: str('manager') ?? '',
      operation,
      apiVersion: str('apiVersion') ?? '',
      ...(subresource ? { subresource } : {}),
      ...(time ? { time } : {}),
      set,
    });
  }
  return out;
}

/** Encodes entries, sorted as upstream: Apply before Update, then by time, manager, apiVersion, subresource. */
export function encodeManagedFields(entries: readonly ManagerEntry[]): ManagedFieldsEntry[] {
  const seconds = (t: string | undefined) => (t ? Date.parse(t) / 1000 : 0);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...entries]
    .sort(
      (p, q) =>
        cmp(p.operation, q.operation) ||
        seconds(p.time) - seconds(q.time) ||
        cmp(p.manager, q.manager) ||
        cmp(p.apiVersion, q.apiVersion) ||
        cmp(p.subresource ?? '', q.subresource ?? ''),
    )
    .map((e) => {
      const out: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
      if (e.time) out.time = e.time;
      out.fieldsType = 'FieldsV1';
      out.fieldsV1 = toFieldsV1(e.set);
      if (e.subresource) out.subresource = e.subresource;
      return out;
    });
}

/** Folds the oldest Update entries into per-version "ancient-changes" entries until at most `max` remain. */
export function capUpdateManagers(entries: readonly ManagerEntry[], max = MAX_UPDATE_MANAGERS): ManagerEntry[] {
  const updaters = entries.filter((e) => e.operation === 'Update');
  if (updaters.length <= max) return [...entries];
  const seconds = (t: string | undefined) => (t ? Date.parse(t) / 1000 : 0);
  const oldestFirst = [...updaters].sort(
    (a, b) => seconds(a.time) - seconds(b.time) || (managerIdentifier(a) < managerIdentifier(b) ? -1 : 1),
  );
  let result = [...entries];
  let count = updaters.length;
  for (const e of oldestFirst) {
    if (count <= max) break;
    if (e.manager === ANCIENT_CHANGES_MANAGER) continue;
    result = result.filter((x) => x !== e);
    const bucketId = managerIdentifier({ manager: ANCIENT_CHANGES_MANAGER, operation: 'Update', apiVersion: e.apiVersion });
    const bucket = result.find((x) => managerIdentifier(x) === bucketId);
    const merged: ManagerEntry = {
      manager: ANCIENT_CHANGES_MANAGER,
      operation: 'Update',
      apiVersion: e.apiVersion,
      ...(e.time ? { time: e.time } : {}),
      set: bucket ? bucket.set.union(e.set) : e.set,
    };
    if (bucket) {
      result = result.map((x) => (x === bucket ? merged : x));
      count--;
    } else {
      result.push(merged);
    }
  }
  return result;
}

export function withoutManagedFields(obj: KubeObject): KubeObject {
  const { managedFields: _drop, ...metadata } = obj.metadata ?? {};
  return { ...obj, metadata };
}

/** An explicit `managedFields: []` (or `[{}]`) in a write asks to stop tracking. */
function isResetRequest(requested: unknown): boolean {
  if (!Array.isArray(requested)) return false;
  if (requested.length === 0) return true;
  return requested.length === 1 && isRecord(requested[0]) && Object.keys(requested[0]).length === 0;
}

/**
 * The create case (no old object, no managedFields sent) in one walk: the writer
 * owns every field it set except the reset fields and the stripped metadata.
 * Gives what the general path gives; undefined when the object cannot be walked
 * cheaply (a malformed associative list: the general path reports it).
 */
function createManagedFields(opts: UpdateManagedFieldsOptions, schema: PatchSchema): ManagedFieldsEntry[] | undefined {
  let root: FieldTrie;
  try {
    root = changedFieldsTrie(schema.emptyObject, withoutManagedFields(opts.updated), schema);
  } catch {
    return undefined;
  }
  for (const p of ignoredFieldsFor(schema, opts.subresource).unordered()) {
    if (p.length === 1) root.children.delete(p[0] as string);
    else return undefined;
  }
  for (const p of STRIPPED.unordered()) unmark(root, p);
  if (root.children.size === 0) return [];
  const out: ManagedFieldsEntry = { manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion };
  out.time = formatTime(opts.now);
  out.fieldsType = 'FieldsV1';
  out.fieldsV1 = trieToFieldsV1(root);
  if (opts.subresource) out.subresource = opts.subresource;
  return [out];
}

/** Takes `path` out of the trie (its descendants stay), dropping nodes left with nothing. */
function unmark(root: FieldTrie, path: FieldPath): void {
  const trail: FieldTrie[] = [root];
  let n = root;
  for (const pe of path) {
    const c = n.children.get(pe);
    if (!c) return;
    trail.push(c);
    n = c;
  }
  n.member = false;
  for (let i = path.length; i > 0; i--) {
    const node = trail[i] as FieldTrie;
    if (node.member || node.children.size > 0) return;
    (trail[i - 1] as FieldTrie).children.delete(path[i - 1] as string);
  }
}

export interface UpdateManagedFieldsOptions {
  /** The stored object before the write; undefined for a create. */
  readonly old: KubeObject | undefined;
  /** The object about to be stored. Its managedFields, when set and different, are taken as the client's. */
  readonly updated: KubeObject;
  readonly manager: string;
  readonly operation: 'Update';
  /** apiVersion of the request (recorded on the entry). */
  readonly apiVersion: string;
  readonly subresource?: string;
  readonly now: Date;
  /** Defaults to patchSchemaFor(apiVersion, updated.kind). */
  readonly schema?: PatchSchema;
}

/**
 * The managedFields to store after a create, update or non-apply patch by
 * `manager`. Starts from the managedFields the client sent with `updated` when
 * present and valid (this is how kubectl's client-side-apply → server-side-apply
 * migration rewrites them), else from `old`. Returns [] when the client reset
 * them with an empty list.
 */
export function updateManagedFields(opts: UpdateManagedFieldsOptions): ManagedFieldsEntry[] {
  const schema = opts.schema ?? patchSchemaFor(opts.apiVersion, opts.updated.kind ?? '');
  const requested = opts.updated.metadata?.managedFields;
  if (opts.old === undefined && requested === undefined) {
    const fast = createManagedFields(opts, schema);
    if (fast) return fast;
  }
  if (isResetRequest(requested)) return [];
  const fromRequest = Array.isArray(requested) && requested.length > 0 ? decodeManagedFields(requested) : undefined;
  let managers = fromRequest ?? decodeManagedFields(opts.old?.metadata?.managedFields) ?? [];

  const ignored = ignoredFieldsFor(schema, opts.subresource);
  const before = opts.old ? withoutManagedFields(opts.old) : schema.emptyObject;
  const cmp = compareObjects(before, withoutManagedFields(opts.updated), schema);
  const removed = cmp.removed.recursiveDifference(ignored);
  const changed = cmp.modified.union(cmp.added).recursiveDifference(ignored);

  // Updates always win: everyone (this manager's older entry included) loses what changed.
  managers = managers.map((m) => ({ ...m, set: m.set.difference(removed).difference(changed) }));
  const own = stripMetaFields(changed);
  if (!own.isEmpty()) {
    const entry = { manager: opts.manager, operation: 'Update' as const, apiVersion: opts.apiVersion, ...(opts.subresource ? { subresource: opts.subresource } : {}) };
    const id = managerIdentifier(entry);
    const prev = managers.find((m) => managerIdentifier(m) === id);
    const next: ManagerEntry = { ...entry, time: formatTime(opts.now), set: prev ? prev.set.union(own) : own };
    managers = prev ? managers.map((m) => (m === prev ? next : m)) : [...managers, next];
  }
  managers = managers.map((m) => ({ ...m, set: stripMetaFields(m.set) })).filter((m) => !m.set.isEmpty());
  return encodeManagedFields(capUpdateManagers(managers));
}
