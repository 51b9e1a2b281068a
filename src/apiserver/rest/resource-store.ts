/**
 * Generic REST storage for one resource type, after kube-apiserver's
 * `genericregistry.Store`: create / get / list / update / patch / delete /
 * watch over the revisioned Store, with the per-kind strategy supplying
 * defaulting, validation and preparation, and optional write hooks supplying
 * side effects such as ClusterIP allocation.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectMeta } from '../../api/object.js';
import { cloneJson, isRecord } from '../../api/object.js';
import type { KeyValue, Store, WatchEvent } from '../../storage/store.js';
import { RevisionCompactedError } from '../../storage/core/snapshot-list.js';
import type { FieldError } from '../field-errors.js';
import { type ResourceType, apiVersionOf, storageKey, storagePrefix } from '../resources.js';
import * as errors from '../status.js';
import type { ResourceStrategy } from '../strategy.js';
import { decodeMutable, encodeForStorage } from './object-codec.js';
import { updateManagedFields } from '../patch/managed-fields.js';
import { nameValidatorFor } from '../registry/strategies.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/object-meta.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  readonly dryRun: boolean;
  readonly fieldManager: string;
  /** The subresource written, if any (`status`, `scale`, pods' `binding`). */
  readonly subresource?: 'status' | 'scale' | 'binding' | 'finalize';
}

/** A reservation made while writing (e.g. an allocated ClusterIP). */
export interface Reservation {
  commit(): void;
  rollback(): void;
}

/** Side effects around writes, for kinds that own cluster-wide resources (Service IPs and ports). */
export interface WriteHooks {
  /** Runs after validation, before the store write; throw an ApiError to refuse. */
  beforeCreate?(obj: KubeObject, dryRun: boolean): Reservation;
  beforeUpdate?(obj: KubeObject, old: KubeObject, dryRun: boolean): Reservation;
  /** After the object is gone from the store. */
  afterDelete?(obj: KubeObject): void;
}

export interface ListQuery {
  readonly namespace: string | undefined;
  readonly labelMatch?: (labels: Record<string, string> | undefined) => boolean;
  readonly fieldMatch?: (fields: Record<string, string>) => boolean;
  readonly limit?: number;
  readonly continueToken?: string;
  /** Read the snapshot at this revision (resourceVersionMatch=Exact); 410 once compacted. */
  readonly atRevision?: number;
}

export interface ListResult {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  readonly continueToken?: string;
  readonly remainingItemCount?: number;
}

export interface DeleteOptions {
  readonly dryRun: boolean;
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  /** The object as deleted, or as it now stands when deletion is pending (finalizers, grace period). */
  readonly object: KubeObject;
  /** False when the object is still present (deletionTimestamp set). */
  readonly deleted: boolean;
}

export interface ResourceStoreDeps {
  readonly store: Store;
  readonly now: () => Date;
  /** Checks that a namespace exists and accepts new content; throws ApiError otherwise. */
  readonly checkNamespace?: (namespace: string) => Promise<void>;
  /** True when the garbage collector runs, so Foreground/Orphan deletion may use its finalizers. */
  readonly garbageCollectorEnabled?: () => boolean;
}

const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** upstream names.SimpleNameGenerator: 5 random characters from a vowel-free alphabet. */
export function generateNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_NAME_ALPHABET[Math.floor(Math.random() * GENERATE_NAME_ALPHABET.length)];
  return s;
}

/** RFC 3339 with seconds precision, the form Kubernetes uses for metav1.Time. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface ContinueToken {
  /** Last key returned. */
  readonly k: string;
  readonly rv: number;
}

/** kube-apiserver's message when a continue token's snapshot has been compacted. */
const INCONSISTENT_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
  'or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
  'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', ...t })).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (isRecord(t) && typeof t.k === 'string' && typeof t.rv === 'number') return { k: t.k, rv: t.rv };
  } catch {
    // fall through
  }
  throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** Everything of an object except metadata and status: the part whose change bumps generation. */
function specPart(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** Object equality for no-op detection: ignores resourceVersion and managedFields timestamps. */
function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): unknown => {
    const { resourceVersion: _rv, managedFields, ...meta } = o.metadata;
    const mf = (managedFields ?? []).map(({ time: _t, ...rest }) => rest);
    return { ...o, metadata: { ...meta, managedFields: mf } };
  };
  return isDeepStrictEqual(strip(a), strip(b));
}

const MAX_PATCH_RETRIES = 5;

/**
 * The object just written, as a read of it would return it: what was stored
 * (encodeForStorage is plain JSON of it) plus its new resourceVersion. Saves
 * re-parsing the stored text on every write.
 */
function withResourceVersion(obj: KubeObject, kv: KeyValue): KubeObject {
  obj.metadata.resourceVersion = String(kv.modRevision);
  delete obj.metadata.selfLink;
  return obj;
}

export class ResourceStore {
  readonly type: ResourceType;
  private readonly strategy: ResourceStrategy;
  private readonly hooks: WriteHooks;
  private readonly deps: ResourceStoreDeps;
  private fieldLabelSet: Set<string> | undefined;

  constructor(opts: { type: ResourceType; strategy: ResourceStrategy; hooks?: WriteHooks; deps: ResourceStoreDeps }) {
    this.type = opts.type;
    this.strategy = opts.strategy;
    this.hooks = opts.hooks ?? {};
    this.deps = opts.deps;
  }

  get groupResource(): errors.GroupResource {
    return { group: this.type.group, resource: this.type.plural };
  }

  private get kindRef(): { group: string; kind: string } {
    return { group: this.type.group, kind: this.type.kind };
  }

  key(namespace: string | undefined, name: string): string {
    return storageKey(this.type, namespace, name);
  }

  private get store(): Store {
    return this.deps.store;
  }

  /** Field values for field selectors: metadata.name, metadata.namespace plus the kind's own. */
  fieldsOf(obj: KubeObject): Record<string, string> {
    const f: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
    if (this.type.namespaced) f['metadata.namespace'] = obj.metadata.namespace ?? '';
    return { ...f, ...(this.strategy.fieldLabels?.(obj) ?? {}) };
  }

  /** The field labels field selectors may use on this kind. */
  supportedFieldLabels(): ReadonlySet<string> {
    // Every strategy reports a fixed set of labels whatever the object, so an empty one tells.
    this.fieldLabelSet ??= new Set(Object.keys(this.fieldsOf({ apiVersion: apiVersionOf(this.type), kind: this.type.kind, metadata: {} })));
    return this.fieldLabelSet;
  }

  /** The store's newest revision (the resourceVersion a LIST now would report). */
  currentRevision(): number {
    return this.store.currentRevision();
  }

  async getKV(namespace: string | undefined, name: string): Promise<KeyValue> {
    const kv = await this.store.get(this.key(namespace, name));
    if (!kv) throw errors.notFound(this.groupResource, name);
    return kv;
  }

  /** Read one object (a fresh copy the caller may change). */
  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    return decodeMutable(await this.getKV(namespace, name));
  }

  async list(q: ListQuery): Promise<ListResult> {
    const r = await this.listKV(q);
    const { kvs: _kvs, decoded, ...rest } = r;
    return { ...rest, items: decoded ?? r.kvs.map(decodeMutable) };
  }

  /**
   * The same answer as `list`, as the stored key/values (render them with
   * `objectJson`): a LIST without selectors never parses. With selectors the
   * objects had to be decoded, and `decoded` holds them (fresh copies), in order.
   * Large lists are decoded without the shared decode cache: filling it with
   * thousands of objects only to evict them is costly garbage.
   */
  async listKV(q: ListQuery): Promise<Omit<ListResult, 'items'> & { readonly kvs: KeyValue[]; readonly decoded?: KubeObject[] }> {
    const prefix = storagePrefix(this.type, q.namespace);
    const limit = q.limit && q.limit > 0 ? q.limit : 0;
    let startAfter: string | undefined;
    let revision: number | undefined;
    if (q.continueToken) {
      const t = decodeContinue(q.continueToken);
      startAfter = t.k;
      revision = t.rv;
    } else if (q.atRevision !== undefined) {
      revision = q.atRevision;
    }
    const filtered = Boolean(q.labelMatch || q.fieldMatch);
    const kvs: KeyValue[] = [];
    const decoded: KubeObject[] = [];
    let lastKey: string | undefined;
    let more = false;
    let remaining = 0;
    // Without selectors one store page is the answer; with selectors keep reading
    // pages until `limit` matches are found (as the etcd3 storage does).
    // A continue token pins the first page's revision: later pages read that snapshot
    // (rv -1, from an "inconsistent" token, reads the latest data).
    const snapshot = revision !== undefined && revision > 0 ? revision : undefined;
    if (revision !== undefined && revision <= 0) revision = undefined;
    for (;;) {
      let page: Awaited<ReturnType<Store['list']>>;
      try {
        page = await this.store.list({
          prefix,
          startAfter,
          limit: limit ? Math.max(limit, filtered ? 500 : limit) : 0,
          ...(snapshot !== undefined ? { revision: snapshot } : {}),
        });
      } catch (e) {
        if (!(e instanceof RevisionCompactedError)) throw e;
        if (!q.continueToken) throw errors.expired('The resourceVersion for the provided list is too old.');
        // As upstream: 410 with a token that finishes the list (from where the client was) against the latest data.
        const err = errors.expired(INCONSISTENT_CONTINUE);
        err.status.metadata = { continue: encodeContinue({ k: decodeContinue(q.continueToken).k, rv: -1 }) };
        throw err;
      }
      revision ??= page.revision;
      let i = 0;
      for (; i < page.items.length; i++) {
        const kv = page.items[i];
        if (!kv) continue;
        lastKey = kv.key;
        if (filtered) {
          const obj = decodeMutable(kv);
          if (q.labelMatch && !q.labelMatch(obj.metadata.labels)) continue;
          if (q.fieldMatch && !q.fieldMatch(this.fieldsOf(obj))) continue;
          decoded.push(obj);
        }
        kvs.push(kv);
        if (limit && kvs.length >= limit) {
          i++;
          break;
        }
      }
      const cutHere = i < page.items.length;
      if (limit && kvs.length >= limit) {
        more = cutHere || page.more;
        remaining = page.remaining + (page.items.length - i);
        break;
      }
      if (!page.more) break;
      startAfter = lastKey;
    }
    const result: { kvs: KeyValue[]; decoded?: KubeObject[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number } = {
      kvs,
      ...(filtered ? { decoded } : {}),
      resourceVersion: String(revision ?? this.store.currentRevision()),
    };
    if (more && lastKey !== undefined) {
      result.continueToken = encodeContinue({ k: lastKey, rv: revision ?? 0 });
      if (!filtered) result.remainingItemCount = remaining;
    }
    return result;
  }

  private runValidation(errs: FieldError[] | undefined, name: string): void {
    if (errs && errs.length > 0) throw errors.invalid(this.kindRef, name, errs);
  }

  private managedFields(old: KubeObject | undefined, updated: KubeObject, opts: WriteOptions): void {
    const entries = updateManagedFields({
      old,
      updated,
      manager: opts.fieldManager,
      operation: 'Update',
      apiVersion: apiVersionOf(this.type),
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
      now: this.deps.now(),
    });
    if (entries.length > 0) updated.metadata.managedFields = entries;
    else delete updated.metadata.managedFields;
  }

  /**
   * Create an object. `obj` must already carry the right apiVersion/kind and has
   * been checked for unknown fields by the caller.
   */
  async create(
    namespace: string | undefined,
    input: KubeObject,
    opts: WriteOptions & {
      skipManagedFields?: boolean;
      /** The caller hands `input` over (e.g. a freshly decoded request body), so it is not copied. */
      inputOwned?: boolean;
    },
  ): Promise<KubeObject> {
    const obj = opts.inputOwned ? input : cloneJson(input);
    const meta: ObjectMeta = (obj.metadata ??= {});
    if (this.type.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (namespace) meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${generateNameSuffix()}`;
    obj.apiVersion = apiVersionOf(this.type);
    obj.kind = this.type.kind;
    const now = this.deps.now();
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(now);
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (this.type.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    this.strategy.prepareForCreate?.(obj);
    this.strategy.defaults?.(obj);
    if (this.type.namespaced && meta.namespace) await this.deps.checkNamespace?.(meta.namespace);
    // Allocation comes before validation, as upstream's BeginCreate hook does, so that
    // validation sees the allocated values (clusterIP, nodePorts, healthCheckNodePort).
    const reservation = this.hooks.beforeCreate?.(obj, opts.dryRun);
    try {
      const metaErrors = this.strategy.validatesObjectMeta
        ? []
        : validateObjectMeta(meta, { namespaced: this.type.namespaced, nameFn: nameValidatorFor(this.type.group, this.type.kind) });
      this.runValidation([...metaErrors, ...(this.strategy.validateCreate?.(obj) ?? [])], meta.name ?? meta.generateName ?? '');
    } catch (e) {
      reservation?.rollback();
      throw e;
    }
    if (!opts.skipManagedFields) this.managedFields(undefined, obj, opts);
    if (opts.dryRun) {
      reservation?.rollback();
      // A dry run must still report an existing object as a conflict.
      const existing = await this.store.get(this.key(meta.namespace, meta.name ?? ''));
      if (existing) throw errors.alreadyExists(this.groupResource, meta.name ?? '');
      return obj;
    }
    let result;
    try {
      result = await this.store.create(this.key(meta.namespace, meta.name ?? ''), encodeForStorage(obj));
    } catch (e) {
      reservation?.rollback();
      throw e;
    }
    if (!result.ok) {
      reservation?.rollback();
      throw errors.alreadyExists(this.groupResource, meta.name ?? '');
    }
    reservation?.commit();
    return withResourceVersion(obj, result.kv);
  }

  /**
   * Read-modify-write. `mutate` gets a fresh copy of the current object and
   * returns the desired object. With `expectedResourceVersion`, a stale read is a
   * 409 Conflict; without it, store conflicts are retried (as patches are upstream).
   */
  async update(
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: WriteOptions & { skipManagedFields?: boolean },
  ): Promise<{ object: KubeObject; changed: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.getKV(namespace, name);
      const old = decodeMutable(kv);
      const desired = await mutate(decodeMutable(kv));
      const rv = desired.metadata?.resourceVersion;
      if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) {
        throw errors.conflictModified(this.groupResource, name);
      }
      const { obj, reservation } = this.prepareUpdate(desired, old, opts);
      if (sameContent(obj, old)) {
        reservation?.rollback();
        return { object: old, changed: false };
      }
      if (opts.dryRun) {
        reservation?.rollback();
        return { object: obj, changed: true };
      }
      // An object marked for deletion whose last finalizer was removed goes away now.
      const finalize = Boolean(obj.metadata.deletionTimestamp) && !this.hasFinalizers(obj);
      if (finalize) {
        const del = await this.store.delete(kv.key, kv.modRevision);
        if (del.ok) {
          reservation?.commit();
          this.hooks.afterDelete?.(old);
          return { object: { ...obj, metadata: { ...obj.metadata, resourceVersion: String(del.kv.modRevision) } }, changed: true };
        }
        reservation?.rollback();
      } else {
        let res;
        try {
          res = await this.store.update(kv.key, encodeForStorage(obj), kv.modRevision);
        } catch (e) {
          reservation?.rollback();
          throw e;
        }
        if (res.ok) {
          reservation?.commit();
          return { object: withResourceVersion(obj, res.kv), changed: true };
        }
        reservation?.rollback();
        if (res.reason === 'not-found') throw errors.notFound(this.groupResource, name);
      }
      // Retry on the newer object; a client's resourceVersion precondition then fails above.
      if (attempt >= MAX_PATCH_RETRIES) throw errors.conflictModified(this.groupResource, name);
    }
  }

  /** Finalizers still pending: metadata.finalizers, and a namespace's spec.finalizers. */
  private hasFinalizers(obj: KubeObject): boolean {
    if ((obj.metadata.finalizers ?? []).length > 0) return true;
    if (this.type.kind === 'Namespace' && this.type.group === '') {
      return ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0;
    }
    return false;
  }

  /** Apply metadata rules, strategy preparation, defaulting and validation to an update. */
  private prepareUpdate(
    desired: KubeObject,
    old: KubeObject,
    opts: WriteOptions & { skipManagedFields?: boolean },
  ): { obj: KubeObject; reservation: Reservation | undefined } {
    let obj: KubeObject;
    if (opts.subresource === 'binding') {
      // pods/binding sets spec.nodeName (otherwise immutable) and the PodScheduled condition.
      obj = cloneJson(old);
      obj.spec = { ...(isRecord(obj.spec) ? obj.spec : {}), nodeName: (desired.spec as { nodeName?: string } | undefined)?.nodeName };
      obj.status = cloneJson(desired.status);
    } else if (opts.subresource === 'status') {
      // The status subresource keeps the stored spec (upstream status strategies reset
      // Spec) but takes the request's metadata that users and controllers may change
      // there: annotations (the Deployment controller records revisions this way),
      // finalizers, ownerReferences, and labels except for apps kinds, whose status
      // strategies reset labels too.
      obj = cloneJson(old);
      if ('status' in desired) obj.status = cloneJson(desired.status);
      else delete obj.status;
      const dm = desired.metadata ?? {};
      const keep = (field: 'annotations' | 'labels' | 'finalizers' | 'ownerReferences'): void => {
        if (dm[field] !== undefined) (obj.metadata as Record<string, unknown>)[field] = cloneJson(dm[field]);
        else delete obj.metadata[field];
      };
      keep('annotations');
      keep('finalizers');
      keep('ownerReferences');
      if (this.type.group !== 'apps') keep('labels');
    } else {
      obj = cloneJson(desired);
      obj.metadata ??= {};
    }
    obj.apiVersion = apiVersionOf(this.type);
    obj.kind = this.type.kind;
    const meta = obj.metadata;
    const oldMeta = old.metadata;
    // Fields only the server sets.
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
    else delete meta.deletionTimestamp;
    if (oldMeta.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
    else delete meta.deletionGracePeriodSeconds;
    if (oldMeta.generation !== undefined) meta.generation = oldMeta.generation;
    else delete meta.generation;
    delete meta.selfLink;
    meta.resourceVersion = oldMeta.resourceVersion;
    // The main resource keeps what the strategy protects (status; a namespace's spec.finalizers);
    // subresources write exactly their part.
    if (opts.subresource === undefined || opts.subresource === 'scale') this.strategy.prepareForUpdate?.(obj, old);
    this.strategy.defaults?.(obj);
    if (this.type.hasGeneration && !isDeepStrictEqual(specPart(obj), specPart(old))) {
      meta.generation = (oldMeta.generation ?? 0) + 1;
    }
    const name = oldMeta.name ?? '';
    if (meta.name !== oldMeta.name || (this.type.namespaced && meta.namespace !== oldMeta.namespace)) {
      this.runValidation(
        [
          ...(meta.name !== oldMeta.name ? [{ type: 'Invalid' as const, field: 'metadata.name', badValue: meta.name, detail: 'field is immutable' }] : []),
          ...(this.type.namespaced && meta.namespace !== oldMeta.namespace
            ? [{ type: 'Invalid' as const, field: 'metadata.namespace', badValue: meta.namespace, detail: 'field is immutable' }]
            : []),
        ],
        name,
      );
    }
    const isSubresource = opts.subresource === 'status' || opts.subresource === 'binding';
    const reservation = isSubresource ? undefined : this.hooks.beforeUpdate?.(obj, old, opts.dryRun);
    try {
      const metaErrors = this.strategy.validatesObjectMeta ? [] : validateObjectMetaUpdate(obj.metadata, old.metadata);
      const errs = [
        ...metaErrors,
        ...(opts.subresource === 'binding'
          ? []
          : opts.subresource === 'status'
          ? (this.strategy.validateStatusUpdate?.(obj, old) ?? [])
          : (this.strategy.validateUpdate?.(obj, old) ?? this.strategy.validateCreate?.(obj) ?? [])),
      ];
      this.runValidation(errs, name);
    } catch (e) {
      reservation?.rollback();
      throw e;
    }
    if (!opts.skipManagedFields) this.managedFields(old, obj, opts);
    return { obj, reservation };
  }

  async delete(namespace: string | undefined, name: string, opts: DeleteOptions): Promise<DeleteResult> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.getKV(namespace, name);
      const obj = decodeMutable(kv);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid) {
        throw errors.conflict(
          this.groupResource,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ''}`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
        throw errors.conflict(
          this.groupResource,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`,
        );
      }
      const pending = this.pendingDeletion(obj, opts);
      if (pending) {
        if (opts.dryRun) return { object: pending, deleted: false };
        if (isDeepStrictEqual(pending, obj)) return { object: obj, deleted: false };
        const res = await this.store.update(kv.key, encodeForStorage(pending), kv.modRevision);
        if (res.ok) return { object: decodeMutable(res.kv), deleted: false };
        if (attempt >= MAX_PATCH_RETRIES) throw errors.conflictModified(this.groupResource, name);
        continue;
      }
      if (opts.dryRun) return { object: obj, deleted: true };
      const res = await this.store.delete(kv.key, kv.modRevision);
      if (res.ok) {
        this.hooks.afterDelete?.(obj);
        return { object: { ...obj, metadata: { ...obj.metadata, resourceVersion: String(res.kv.modRevision) } }, deleted: true };
      }
      if (res.reason === 'not-found') throw errors.notFound(this.groupResource, name);
      if (attempt >= MAX_PATCH_RETRIES) throw errors.conflictModified(this.groupResource, name);
    }
  }

  /**
   * When deletion cannot complete at once, the object with deletionTimestamp set
   * (upstream BeforeDelete + graceful deletion); undefined to delete now.
   */
  private pendingDeletion(obj: KubeObject, opts: DeleteOptions): KubeObject | undefined {
    const meta = obj.metadata;
    const now = this.deps.now();
    const next = cloneJson(obj);
    let finalizers = [...(meta.finalizers ?? [])];
    if (this.deps.garbageCollectorEnabled?.() && !meta.deletionTimestamp) {
      if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
      if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    }
    if (this.type.kind === 'Namespace' && this.type.group === '') {
      // Namespaces always go through the namespace lifecycle: Terminating, contents removed, finalized.
      const specFinalizers = ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length;
      if (specFinalizers > 0 || finalizers.length > 0) {
        next.metadata.deletionTimestamp ??= rfc3339(now);
        next.metadata.deletionGracePeriodSeconds = 0;
        next.metadata.finalizers = finalizers.length ? finalizers : undefined;
        if (!next.metadata.finalizers) delete next.metadata.finalizers;
        next.status = { ...(isRecord(next.status) ? next.status : {}), phase: 'Terminating' };
        return next;
      }
      return undefined;
    }
    const grace = this.gracePeriod(obj, opts);
    if (grace !== undefined && grace > 0) {
      // Graceful deletion (pods on a node): the node agent finishes it.
      if (meta.deletionTimestamp) {
        // Shortening an ongoing grace period is allowed, lengthening is not.
        const current = meta.deletionGracePeriodSeconds ?? grace;
        if (grace >= current) return obj;
      }
      next.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
      next.metadata.deletionGracePeriodSeconds = grace;
      if (finalizers.length) next.metadata.finalizers = finalizers;
      if (this.type.hasGeneration) next.metadata.generation = (meta.generation ?? 0) + 1;
      return next;
    }
    if (finalizers.length > 0) {
      if (!meta.deletionTimestamp) {
        next.metadata.deletionTimestamp = rfc3339(now);
        next.metadata.deletionGracePeriodSeconds = 0;
        if (this.type.hasGeneration) next.metadata.generation = (meta.generation ?? 0) + 1;
      }
      next.metadata.finalizers = finalizers;
      return next;
    }
    return undefined;
  }

  /** Grace period for pods bound to a node that are not finished; undefined for other kinds. */
  private gracePeriod(obj: KubeObject, opts: DeleteOptions): number | undefined {
    if (this.type.kind !== 'Pod' || this.type.group !== '') return undefined;
    const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  }

  /**
   * Watch changes after `afterRevision`. Events are raw store events; the caller
   * filters and converts them.
   */
  watchRaw(namespace: string | undefined, afterRevision: number, onEvents: (events: readonly WatchEvent[]) => void) {
    return this.store.watch({ prefix: storagePrefix(this.type, namespace), afterRevision }, onEvents);
  }
}
