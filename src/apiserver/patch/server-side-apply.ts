/**
 * Server-side apply (`application/apply-patch+yaml`), following the
 * structured-merge-diff Updater.Apply plus the kubectl-specific wrappers of the
 * apiserver's fieldmanager:
 *
 * 1. the applied configuration is merged into the live object (maps by key,
 *    list-maps by their keys, sets by value, everything else replaced);
 * 2. fields this manager applied last time but not this time are removed,
 *    unless some manager (this one included) still owns them;
 * 3. every field the result changes that another manager owns is a conflict,
 *    unless `force`, which moves ownership to this manager;
 * 4. the manager's Apply entry becomes exactly the applied field set.
 *
 * For the default kubectl manager (`kubectl`), conflicts with fields recorded in
 * a matching last-applied-configuration annotation are forgiven (CSA → SSA
 * upgrade) and that annotation is kept in sync with the applied configuration.
 */
import type { KubeObject } from '../../api/object.js';
import {
  compareObjects,
  computeFieldSet,
  ensureNamedFieldsAreMembers,
  type FieldPath,
  FieldSet,
  formatFieldPath,
  listItemPathElement,
  removeFields,
} from './field-set.js';
import { cloneValue, isRecord, sortedJson } from './json-value.js';
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  formatTime,
  ignoredFieldsFor,
  managerIdentifier,
  type ManagerEntry,
  stripMetaFields,
  withoutManagedFields,
} from './managed-fields.js';
import { PatchError } from './patch-error.js';
import { DEFAULT_NODE, fieldSchema, patchSchemaFor, type PatchSchema, type SchemaNode } from './schema.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** The field manager kubectl uses for `apply --server-side`; upstream special-cases it. */
const KUBECTL_MANAGER = 'kubectl';

/** One field another manager owns and the apply would change. */
export interface ApplyConflict {
  /** The other manager's name. */
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion?: string;
  readonly subresource?: string;
  /** The field, e.g. `.spec.ports[port=80,protocol="TCP"].targetPort`. */
  readonly field: string;
}

export type ServerSideApplyResult = { ok: true; object: KubeObject } | { ok: false; conflicts: ApplyConflict[] };

export interface ServerSideApplyOptions {
  /** The stored object; undefined when the apply creates it. */
  readonly live: KubeObject | undefined;
  /** The applied configuration (the request body). */
  readonly applied: KubeObject;
  readonly manager: string;
  readonly force: boolean;
  /** apiVersion of the request (recorded on the Apply entry). */
  readonly apiVersion: string;
  readonly now: Date;
  /** Defaults to patchSchemaFor(apiVersion, applied.kind). */
  readonly schema?: PatchSchema;
  readonly subresource?: string;
}

/**
 * Applies `applied` on top of `live` for `manager`. Returns the object to store
 * (before defaulting and validation; its metadata.managedFields already
 * updated), or the conflicts when `force` is false. Throws PatchError for an
 * unusable configuration (managedFields set: 400; list items without their
 * keys or with duplicate keys: 500, as upstream).
 */
export function serverSideApply(opts: ServerSideApplyOptions): ServerSideApplyResult {
  const schema = opts.schema ?? patchSchemaFor(opts.apiVersion, opts.applied.kind ?? '');
  if (!isRecord(opts.applied) || !isRecord(opts.applied.metadata)) {
    throw new PatchError('error decoding YAML: the applied configuration must be an object with metadata', 400);
  }
  const requested = opts.applied.metadata.managedFields;
  if (Array.isArray(requested) ? requested.length > 0 : requested !== undefined && requested !== null) {
    throw new PatchError('metadata.managedFields must be nil', 400);
  }
  const config = withoutManagedFields(cloneValue(opts.applied));

  let configSet: FieldSet;
  try {
    configSet = computeFieldSet(config, schema, true);
  } catch (e) {
    if (e instanceof PatchError) {
      const m = config.metadata;
      throw new PatchError(`failed to create typed patch object (${m.namespace ?? ''}/${m.name ?? ''}; ${gvkString(opts.apiVersion, config.kind)}): ${e.message}`, e.code);
    }
    throw e;
  }

  const live = opts.live ? withoutManagedFields(opts.live) : undefined;
  let managers = decodeManagedFields(opts.live?.metadata?.managedFields) ?? [];
  const ignored = ignoredFieldsFor(schema, opts.subresource);
  const applier = { manager: opts.manager, operation: 'Apply' as const, apiVersion: opts.apiVersion, ...(opts.subresource ? { subresource: opts.subresource } : {}) };
  const applierId = managerIdentifier(applier);
  const lastEntry = managers.find((m) => managerIdentifier(m) === applierId);
  const others = () => managers.filter((m) => managerIdentifier(m) !== applierId);
  const newSet = configSet.recursiveDifference(ignored);

  let merged = mergeValue(live ?? {}, config, schema) as Record<string, unknown>;

  // Prune what this manager applied before, dropped now, and nobody owns.
  if (lastEntry && !lastEntry.set.isEmpty()) {
    const owned = others().reduce((acc, m) => acc.union(m.set), newSet);
    const drop = ensureNamedFieldsAreMembers(lastEntry.set, schema).difference(ensureNamedFieldsAreMembers(owned, schema));
    merged = removeFields(merged, drop, schema) as Record<string, unknown>;
  }

  const cmp = compareObjects(live ?? schema.emptyObject, merged, schema);
  const removed = cmp.removed.recursiveDifference(ignored);
  const changed = cmp.modified.union(cmp.added).recursiveDifference(ignored);
  const conflicts = new Map<string, FieldSet>();
  for (const m of others()) {
    const c = m.set.intersection(changed);
    if (!c.isEmpty()) conflicts.set(managerIdentifier(m), c);
  }

  if (conflicts.size > 0 && !opts.force) {
    let remaining = conflicts;
    if (opts.manager === KUBECTL_MANAGER && opts.live) {
      const allowed = allowedConflictsFromLastApplied(withoutManagedFields(opts.live), schema);
      remaining = new Map([...conflicts].map(([id, s]) => [id, s.difference(allowed)] as const).filter(([, s]) => !s.isEmpty()));
    }
    if (remaining.size > 0) return { ok: false, conflicts: describeConflicts(remaining, managers) };
  }

  const objectChanged = !cmp.added.isEmpty() || !cmp.removed.isEmpty() || !cmp.modified.isEmpty();
  managers = others().map((m) => ({
    ...m,
    set: m.set.difference(conflicts.get(managerIdentifier(m)) ?? new FieldSet()).difference(removed),
  }));
  const time = objectChanged ? formatTime(opts.now) : lastEntry?.time;
  managers.push({ ...applier, ...(time ? { time } : {}), set: newSet });
  managers = managers.map((m) => ({ ...m, set: stripMetaFields(m.set) })).filter((m) => !m.set.isEmpty());

  const metadata = isRecord(merged['metadata']) ? (merged['metadata'] as Record<string, unknown>) : {};
  merged['metadata'] = metadata;
  if (opts.manager === KUBECTL_MANAGER) syncLastApplied(metadata, config);
  const encoded = encodeManagedFields(capUpdateManagers(managers));
  if (encoded.length > 0) metadata['managedFields'] = encoded;
  else delete metadata['managedFields'];
  return { ok: true, object: merged as KubeObject };
}

function gvkString(apiVersion: string, kind: string | undefined): string {
  const gv = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
  return `${gv}, Kind=${kind ?? ''}`;
}

/** Upstream lastAppliedUpdater: keep an existing annotation equal to the applied configuration. */
function syncLastApplied(metadata: Record<string, unknown>, config: KubeObject): void {
  const annotations = metadata['annotations'];
  if (!isRecord(annotations) || typeof annotations[LAST_APPLIED_ANNOTATION] !== 'string') return;
  const copy = cloneValue(config) as Record<string, unknown>;
  const meta = copy['metadata'];
  if (isRecord(meta) && isRecord(meta['annotations'])) delete meta['annotations'][LAST_APPLIED_ANNOTATION];
  annotations[LAST_APPLIED_ANNOTATION] = sortedJson(copy);
}

/**
 * Fields recorded in the live last-applied annotation whose values still match
 * the live object: conflicts on those are a client-side → server-side apply
 * upgrade, not a real conflict (upstream lastAppliedManager).
 */
function allowedConflictsFromLastApplied(live: KubeObject, schema: PatchSchema): FieldSet {
  const text = live.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string' || text === '') return new FieldSet();
  try {
    const last: unknown = JSON.parse(text);
    if (!isRecord(last)) return new FieldSet();
    const set = computeFieldSet(last, schema);
    const cmp = compareObjects(last, live, schema);
    return set.difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
  } catch {
    return new FieldSet();
  }
}

function describeConflicts(byManager: Map<string, FieldSet>, managers: readonly ManagerEntry[]): ApplyConflict[] {
  const out: ApplyConflict[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const m = managers.find((x) => managerIdentifier(x) === id);
    if (!m) continue;
    for (const p of (byManager.get(id) as FieldSet).list()) {
      out.push({
        manager: m.manager,
        operation: m.operation,
        ...(m.apiVersion ? { apiVersion: m.apiVersion } : {}),
        ...(m.subresource ? { subresource: m.subresource } : {}),
        field: formatFieldPath(p as FieldPath),
      });
    }
  }
  return out;
}

/** `"kubectl-edit" using v1`, `"m" with subresource "status" using v1`, or `"kubectl"` for appliers. */
export function formatConflictManager(c: Pick<ApplyConflict, 'manager' | 'operation' | 'apiVersion' | 'subresource'>, apiVersion?: string): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') s += ` using ${c.apiVersion ?? apiVersion ?? ''}`;
  return s;
}

/**
 * The 409 message upstream sends for apply conflicts:
 * `Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .spec.x`, or
 * `Apply failed with 2 conflicts: conflicts with "m" using v1:\n- .a\n- .b`
 * (one `conflicts with …:` block per manager, managers sorted).
 * `apiVersion` is used for conflicts that carry none.
 */
export function formatApplyConflictMessage(conflicts: readonly ApplyConflict[], apiVersion?: string): string {
  if (conflicts.length === 1) {
    const c = conflicts[0] as ApplyConflict;
    return `Apply failed with 1 conflict: conflict with ${formatConflictManager(c, apiVersion)}: ${c.field}`;
  }
  const groups = new Map<string, { label: string; fields: string[] }>();
  for (const c of conflicts) {
    const id = managerIdentifier({ manager: c.manager, operation: c.operation, apiVersion: c.apiVersion ?? apiVersion ?? '', ...(c.subresource ? { subresource: c.subresource } : {}) });
    const g = groups.get(id) ?? { label: formatConflictManager(c, apiVersion), fields: [] };
    g.fields.push(c.field);
    groups.set(id, g);
  }
  const lines: string[] = [];
  for (const id of [...groups.keys()].sort()) {
    const g = groups.get(id) as { label: string; fields: string[] };
    lines.push(`conflicts with ${g.label}:`);
    for (const f of g.fields) lines.push(`- ${f}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** Status causes for the 409: `{reason:"FieldManagerConflict", message:"conflict with …", field}`. */
export function applyConflictCauses(
  conflicts: readonly ApplyConflict[],
  apiVersion?: string,
): { reason: 'FieldManagerConflict'; message: string; field: string }[] {
  return conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${formatConflictManager(c, apiVersion)}`, field: c.field }));
}

// ---------------------------------------------------------------- merge

/** Merges the applied value `r` into the live value `l`; undefined means "field absent". */
function mergeValue(l: unknown, r: unknown, node: SchemaNode): unknown {
  if (r === undefined) return cloneValue(l);
  if (r === null) return undefined;
  if (isRecord(l) && isRecord(r) && !node.atomicMap) {
    const out: Record<string, unknown> = cloneValue(l);
    for (const [k, v] of Object.entries(r)) {
      const m = mergeValue(l[k], v, fieldSchema(node, k));
      if (m === undefined) delete out[k];
      else out[k] = m;
    }
    return out;
  }
  if (Array.isArray(l) && Array.isArray(r) && (node.listType === 'map' || node.listType === 'set')) {
    return mergeAssociativeList(l, r, node);
  }
  return cloneValue(r);
}

function itemKeys(list: readonly unknown[], node: SchemaNode): { order: string[]; items: Map<string, unknown> } {
  const order: string[] = [];
  const items = new Map<string, unknown>();
  list.forEach((item, i) => {
    let pe: string;
    try {
      pe = listItemPathElement(item, node, '', i);
    } catch {
      pe = `#${i}`; // a live item without its keys: keep it, matched by nothing
    }
    if (items.has(pe)) return;
    items.set(pe, item);
    order.push(pe);
  });
  return { order, items };
}

/**
 * Merges associative lists keeping the applied order for applied items and
 * slotting live-only items where they were (structured-merge-diff's order).
 */
function mergeAssociativeList(live: unknown[], applied: unknown[], node: SchemaNode): unknown[] {
  const itemNode = node.items ?? DEFAULT_NODE;
  const L = itemKeys(live, node);
  const R = itemKeys(applied, node);
  const shared = R.order.filter((pe) => L.items.has(pe));
  let nextShared = 0;
  const out: unknown[] = [];
  const emit = (pe: string) => {
    const v = mergeValue(L.items.get(pe), R.items.get(pe), itemNode);
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < L.order.length || ri < R.order.length) {
    const lpe = L.order[li];
    const rpe = R.order[ri];
    if (lpe !== undefined && rpe !== undefined) {
      if (lpe === rpe) {
        emit(lpe);
        li++;
        ri++;
        nextShared++;
        continue;
      }
      if (R.items.has(lpe) && shared[nextShared] !== undefined && shared[nextShared] !== lpe) {
        li++; // a shared item the applied order places later
        continue;
      }
    }
    if (lpe !== undefined && !R.items.has(lpe)) {
      emit(lpe);
      li++;
      continue;
    }
    if (rpe !== undefined) {
      emit(rpe);
      ri++;
      if (shared[nextShared] === rpe) nextShared++;
      continue;
    }
    li++; // only already-emitted shared items remain on the live side
  }
  return out;
}
