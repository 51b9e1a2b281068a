/**
 * REST handlers for resource paths: decodes the request, calls the generic
 * ResourceStore, and renders the answer (object, List, Table or
 * PartialObjectMetadata) the way kube-apiserver's endpoint handlers do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/object.js';
import type { KeyValue } from '../../storage/store.js';
import { cloneJson, isRecord } from '../../api/object.js';
import { decodeObjectBody, decodePatchBody, patchTypeOf, readBody } from '../http/body.js';
import { type OutputForm, outputForm, sendJson, sendJsonItems } from '../http/respond.js';
import { decodeMutable, objectJson } from '../rest/object-codec.js';
import { applyPatch } from '../patch/index.js';
import { PatchError } from '../patch/json-patch.js';
import { applyConflictCauses, formatApplyConflictMessage, serverSideApply } from '../patch/server-side-apply.js';
import { strictDecodingMessage, unknownFields } from '../openapi/strict-validation.js';
import type { FieldValidation, ResourceStore, WriteOptions } from '../rest/resource-store.js';
import { apiVersionOf } from '../resources.js';
import { parseFieldSelector } from '../selectors/field-selector.js';
import { parseLabelSelector, selectorFromLabelSelectorObject } from '../selectors/label-selector.js';
import * as errors from '../status.js';
import { buildTable } from '../table/build-table.js';
import { printerFor } from '../table/printers.js';
import { serveWatch } from './watch-handler.js';
import { planListVersion, waitForRevision } from './list-version.js';

export interface ResourceRoute {
  readonly store: ResourceStore;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

export interface HandlerContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly now: () => Date;
  readonly signal: AbortSignal;
}

function q(ctx: HandlerContext, name: string): string | null {
  return ctx.url.searchParams.get(name);
}

/** Boolean query parameters as Go's strconv.ParseBool reads them (python clients send `watch=True`). */
function queryBool(ctx: HandlerContext, name: string): boolean {
  const v = q(ctx, name);
  return v !== null && ['1', 't', 'true'].includes(v.toLowerCase());
}

function dryRunOf(ctx: HandlerContext): boolean {
  const values = ctx.url.searchParams.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') throw errors.badRequest(`dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
  }
  return values.length > 0;
}

function fieldValidationOf(ctx: HandlerContext): FieldValidation {
  const v = q(ctx, 'fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw errors.badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "Ignore", "Strict", "Warn"`);
}

/** Upstream defaults the manager to the user agent's program name (`kubectl`, `node`, ...). */
function fieldManagerOf(ctx: HandlerContext): string {
  const v = q(ctx, 'fieldManager');
  if (v) {
    if (v.length > 128) throw errors.badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
    return v;
  }
  const ua = ctx.req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0]?.slice(0, 128) || 'unknown';
}

function writeOptions(ctx: HandlerContext, subresource?: 'status' | 'scale'): WriteOptions {
  return { dryRun: dryRunOf(ctx), fieldManager: fieldManagerOf(ctx), ...(subresource ? { subresource } : {}) };
}

/** Strict field validation: 400 for Strict, a Warning header for Warn (upstream 299 warnings). */
function checkUnknownFields(ctx: HandlerContext, obj: KubeObject, mode: FieldValidation): void {
  if (mode === 'Ignore') return;
  const unknown = unknownFields(obj, obj.apiVersion ?? '', obj.kind ?? '');
  if (unknown.length === 0) return;
  const texts = unknown.map((p) => `unknown field "${p}"`);
  if (mode === 'Strict') {
    const kind = obj.kind ?? '';
    const version = (obj.apiVersion ?? '').split('/').pop() ?? '';
    throw errors.badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${strictDecodingMessage(unknown) ?? ''}`);
  }
  const existing = ctx.res.getHeader('Warning');
  const warnings = [...(Array.isArray(existing) ? existing : existing ? [String(existing)] : []), ...texts.map((t) => `299 - ${JSON.stringify(t)}`)];
  ctx.res.setHeader('Warning', warnings);
}

/** Check the body's apiVersion/kind against the resource, filling them in when absent. */
function checkTypeMeta(store: ResourceStore, body: unknown): KubeObject {
  if (!isRecord(body)) throw errors.badRequest('the body of the request must be a JSON object');
  const want = apiVersionOf(store.type);
  const apiVersion = body.apiVersion;
  const kind = body.kind;
  if (apiVersion !== undefined && apiVersion !== want) {
    if (typeof apiVersion !== 'string') throw errors.badRequest('apiVersion must be a string');
    throw errors.badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${want})`);
  }
  if (kind !== undefined && kind !== store.type.kind) {
    throw errors.badRequest(
      `${store.type.kind} in version "${store.type.version}" cannot be handled as a ${typeof kind === 'string' ? kind : 'object'}: the kind in the data (${String(kind)}) does not match the expected kind (${store.type.kind})`,
    );
  }
  if (body.metadata !== undefined && !isRecord(body.metadata)) throw errors.badRequest('metadata must be an object');
  const obj = body as KubeObject;
  obj.apiVersion = want;
  obj.kind = store.type.kind;
  obj.metadata ??= {};
  return obj;
}

function labelMatcher(ctx: HandlerContext): ((labels: Record<string, string> | undefined) => boolean) | undefined {
  return labelMatcherFor(q(ctx, 'labelSelector') ?? undefined);
}

/** A `labelSelector` query value as a predicate (undefined when it selects everything); 400 when malformed. */
export function labelMatcherFor(s: string | undefined): ((labels: Record<string, string> | undefined) => boolean) | undefined {
  if (!s) return undefined;
  try {
    const sel = parseLabelSelector(s);
    return sel.empty ? undefined : (labels) => sel.matches(labels);
  } catch (e) {
    throw errors.badRequest(`unable to parse requirement: ${(e as Error).message}`);
  }
}

function fieldMatcher(ctx: HandlerContext, store: ResourceStore): ((fields: Record<string, string>) => boolean) | undefined {
  return fieldMatcherFor(q(ctx, 'fieldSelector') ?? undefined, store);
}

/** A `fieldSelector` query value as a predicate over the kind's field labels; 400 when malformed or unsupported. */
export function fieldMatcherFor(s: string | undefined, store: ResourceStore): ((fields: Record<string, string>) => boolean) | undefined {
  if (!s) return undefined;
  let sel;
  try {
    sel = parseFieldSelector(s);
  } catch (e) {
    throw errors.badRequest((e as Error).message);
  }
  // Only the kind's own field labels can be selected on (upstream field label conversion).
  const supported = store.supportedFieldLabels();
  for (const r of sel.requirements) {
    if (!supported.has(r.field)) throw errors.badRequest(`field label not supported: ${r.field}`);
  }
  return sel.empty ? undefined : (fields) => sel.matches(fields);
}

function partialMetadata(obj: KubeObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

function renderOne(ctx: HandlerContext, route: ResourceRoute, obj: KubeObject, form: OutputForm): unknown {
  if (form.kind === 'table') {
    return buildTable({
      printer: printerFor(route.store.type.group, route.store.type.kind),
      objects: [obj],
      now: ctx.now(),
      includeObject: form.includeObject,
      resourceVersion: obj.metadata.resourceVersion ?? '',
    });
  }
  if (form.kind === 'partial') return partialMetadata(obj);
  return obj;
}

function formOf(ctx: HandlerContext): OutputForm {
  return outputForm(ctx.req.headers.accept, q(ctx, 'includeObject'));
}

export async function handleResource(ctx: HandlerContext, route: ResourceRoute): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  if (route.subresource === 'scale') return handleScale(ctx, route, method);
  if (route.subresource === 'binding' && route.store.type.kind === 'Pod' && route.store.type.group === '') {
    if (method !== 'POST') throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
    return bindPod(ctx, route);
  }
  if (route.subresource !== undefined && route.subresource !== 'status' && route.subresource !== 'finalize') {
    throw errors.pathNotFound();
  }
  if (route.name === undefined) {
    switch (method) {
      case 'GET':
        return queryBool(ctx, 'watch') ? watchCollection(ctx, route) : listCollection(ctx, route);
      case 'POST':
        return createObject(ctx, route);
      case 'DELETE':
        return deleteCollection(ctx, route);
      default:
        throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
  }
  switch (method) {
    case 'GET':
      return sendJson(ctx.res, 200, renderOne(ctx, route, await route.store.get(route.namespace, route.name), formOf(ctx)));
    case 'PUT':
      return replaceObject(ctx, route);
    case 'PATCH':
      return patchObject(ctx, route);
    case 'DELETE':
      if (route.subresource) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
      return deleteObject(ctx, route);
    default:
      throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
  }
}

async function listCollection(ctx: HandlerContext, route: ResourceRoute): Promise<void> {
  const limitText = q(ctx, 'limit');
  const limit = limitText ? Number(limitText) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw errors.badRequest(`invalid limit: ${limitText ?? ''}`);
  const labelMatch = labelMatcher(ctx);
  const fieldMatch = fieldMatcher(ctx, route.store);
  const cont = q(ctx, 'continue');
  const rv = q(ctx, 'resourceVersion');
  // The continue token carries the version of the list it continues (as upstream).
  if (cont && rv && rv !== '0') throw errors.badRequest('specifying resource version is not allowed when using continue');
  const plan = planListVersion({ resourceVersion: rv ?? undefined, resourceVersionMatch: q(ctx, 'resourceVersionMatch') ?? undefined, continueToken: cont ?? undefined, limit });
  const wanted = plan.kind === 'exact' ? plan.revision : plan.notOlderThan;
  if (wanted !== undefined) await waitForRevision(wanted, () => route.store.currentRevision());
  const list = await route.store.listKV({
    namespace: route.namespace,
    ...(labelMatch ? { labelMatch } : {}),
    ...(fieldMatch ? { fieldMatch } : {}),
    ...(limit ? { limit } : {}),
    ...(cont ? { continueToken: cont } : {}),
    ...(plan.kind === 'exact' ? { atRevision: plan.revision } : {}),
  });
  const form = formOf(ctx);
  const t = route.store.type;
  const objectAt = (kv: KeyValue, i: number): KubeObject => list.decoded?.[i] ?? decodeMutable(kv);
  if (form.kind === 'table') {
    const printer = printerFor(t.group, t.kind);
    const now = ctx.now();
    const { rows: _none, ...head } = buildTable({
      printer,
      objects: [],
      now,
      includeObject: form.includeObject,
      resourceVersion: list.resourceVersion,
      ...(list.continueToken ? { continueToken: list.continueToken } : {}),
      ...(list.remainingItemCount !== undefined ? { remainingItemCount: list.remainingItemCount } : {}),
    });
    // Rows are rendered and streamed one by one: a large Table is never built whole.
    const row = (kv: KeyValue, i: number): string =>
      JSON.stringify(
        buildTable({ printer, objects: [objectAt(kv, i)], now, includeObject: form.includeObject, resourceVersion: '', includeColumnDefinitions: false })
          .rows[0],
      );
    return sendJsonItems(ctx.res, 200, `${JSON.stringify(head).slice(0, -1)},"rows":[`, list.kvs, row, ']}');
  }
  const metadata: Record<string, unknown> = { resourceVersion: list.resourceVersion };
  if (list.continueToken) metadata.continue = list.continueToken;
  if (list.remainingItemCount !== undefined) metadata.remainingItemCount = list.remainingItemCount;
  if (form.kind === 'partial') {
    return sendJson(ctx.res, 200, {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata,
      items: list.kvs.map((kv, i) => partialMetadata(objectAt(kv, i))),
    });
  }
  // Items keep kind/apiVersion (kubectl fills them in when absent, other clients may not).
  // The items are spliced from the stored text (no parse and re-serialisation per
  // object) and streamed, so a large LIST costs neither much CPU nor much memory.
  const head = JSON.stringify({ kind: t.listKind, apiVersion: apiVersionOf(t), metadata }).slice(0, -1);
  await sendJsonItems(ctx.res, 200, `${head},"items":[`, list.kvs, objectJson, ']}');
}

async function watchCollection(ctx: HandlerContext, route: ResourceRoute): Promise<void> {
  const t = route.store.type;
  const timeoutText = q(ctx, 'timeoutSeconds');
  const labelMatch = labelMatcher(ctx);
  const fieldMatch = fieldMatcher(ctx, route.store);
  const printer = printerFor(t.group, t.kind);
  const form = formOf(ctx);
  await serveWatch(ctx.req, ctx.res, {
    store: route.store,
    namespace: route.namespace,
    resourceVersion: q(ctx, 'resourceVersion') ?? '',
    ...(labelMatch ? { labelMatch } : {}),
    ...(fieldMatch ? { fieldMatch } : {}),
    allowBookmarks: queryBool(ctx, 'allowWatchBookmarks'),
    ...(timeoutText ? { timeoutSeconds: Number(timeoutText) } : {}),
    form,
    toTable: (obj, first) =>
      buildTable({
        printer,
        objects: [obj],
        now: ctx.now(),
        includeObject: form.kind === 'table' ? form.includeObject : 'Metadata',
        resourceVersion: obj.metadata.resourceVersion ?? '',
        includeColumnDefinitions: first,
      }),
    toPartial: partialMetadata,
    signal: ctx.signal,
  });
}

async function createObject(ctx: HandlerContext, route: ResourceRoute): Promise<void> {
  if (route.subresource) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
  const body = await readBody(ctx.req);
  const mode = fieldValidationOf(ctx);
  const obj = checkTypeMeta(route.store, decodeObjectBody(body, ctx.req.headers['content-type']));
  checkUnknownFields(ctx, obj, mode);
  const created = await route.store.create(route.namespace, obj, { ...writeOptions(ctx), inputOwned: true });
  sendJson(ctx.res, 201, renderOne(ctx, route, created, formOf(ctx)));
}

function checkNameMatches(obj: KubeObject, name: string): void {
  if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  }
}

async function replaceObject(ctx: HandlerContext, route: ResourceRoute): Promise<void> {
  const name = route.name ?? '';
  const body = await readBody(ctx.req);
  const mode = fieldValidationOf(ctx);
  const obj = checkTypeMeta(route.store, decodeObjectBody(body, ctx.req.headers['content-type']));
  checkNameMatches(obj, name);
  if (route.namespace !== undefined && obj.metadata.namespace !== undefined && obj.metadata.namespace !== route.namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  checkUnknownFields(ctx, obj, mode);
  const sub = route.subresource === 'status' ? 'status' : undefined;
  if (route.subresource === 'finalize') {
    // Namespace finalize: only spec.finalizers changes.
    const r = await route.store.update(
      route.namespace,
      name,
      (cur) => ({ ...cur, metadata: { ...cur.metadata, ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}) }, spec: { ...(isRecord(cur.spec) ? cur.spec : {}), finalizers: (isRecord(obj.spec) ? obj.spec.finalizers : undefined) ?? [] } }),
      { ...writeOptions(ctx), subresource: 'finalize' },
    );
    return sendJson(ctx.res, 200, r.object);
  }
  const r = await route.store.update(
    route.namespace,
    name,
    () => {
      obj.metadata.name = name;
      if (route.namespace !== undefined) obj.metadata.namespace = route.namespace;
      return cloneJson(obj);
    },
    writeOptions(ctx, sub),
  );
  sendJson(ctx.res, 200, renderOne(ctx, route, r.object, formOf(ctx)));
}

function patchFailure(e: unknown): never {
  if (e instanceof PatchError) {
    if (e.code === 422) {
      throw new errors.ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: 'Invalid', code: 422 });
    }
    if (e.code === 500) throw errors.internalError(e.message);
    throw errors.badRequest(e.message);
  }
  if (e instanceof errors.ApiError) throw e;
  throw errors.badRequest(e instanceof Error ? e.message : String(e));
}

async function patchObject(ctx: HandlerContext, route: ResourceRoute): Promise<void> {
  const name = route.name ?? '';
  const ct = ctx.req.headers['content-type'];
  const type = patchTypeOf(ct);
  if (!type) throw errors.unsupportedMediaType(ct ?? '');
  const body = await readBody(ctx.req);
  const patch = decodePatchBody(body, type);
  const mode = fieldValidationOf(ctx);
  const sub = route.subresource === 'status' ? 'status' : undefined;
  const t = route.store.type;
  const apiVersion = apiVersionOf(t);

  if (type === 'apply') {
    const manager = q(ctx, 'fieldManager');
    if (!manager) {
      throw errors.invalid({ group: t.group, kind: t.kind }, name, [
        { type: 'Required', field: 'fieldManager', detail: 'is required for apply patch' },
      ]);
    }
    const applied = checkTypeMeta(route.store, patch);
    checkNameMatches(applied, name);
    checkUnknownFields(ctx, applied, mode);
    const force = queryBool(ctx, 'force');
    const opts = { ...writeOptions(ctx, sub), skipManagedFields: true };
    const doApply = (live: KubeObject | undefined): KubeObject => {
      const r = serverSideApply({ live, applied, manager, force, apiVersion, now: ctx.now() });
      if (!r.ok) {
        const message = formatApplyConflictMessage(r.conflicts, apiVersion);
        const status: errors.Status = {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message,
          reason: 'Conflict',
          details: { causes: applyConflictCauses(r.conflicts, apiVersion) },
          code: 409,
        };
        throw new errors.ApiError(status);
      }
      return r.object;
    };
    let exists = true;
    try {
      await route.store.getKV(route.namespace, name);
    } catch (e) {
      if (e instanceof errors.ApiError && e.code === 404) exists = false;
      else throw e;
    }
    if (!exists) {
      if (sub) throw errors.notFound(route.store.groupResource, name);
      const seed: KubeObject = { apiVersion, kind: t.kind, metadata: { name, ...(route.namespace ? { namespace: route.namespace } : {}) } };
      const obj = doApply(undefined);
      obj.metadata = { ...seed.metadata, ...obj.metadata };
      const created = await route.store.create(route.namespace, obj, opts);
      return sendJson(ctx.res, 201, renderOne(ctx, route, created, formOf(ctx)));
    }
    const r = await route.store.update(route.namespace, name, (cur) => doApply(cur), opts);
    return sendJson(ctx.res, 200, renderOne(ctx, route, r.object, formOf(ctx)));
  }

  const r = await route.store.update(
    route.namespace,
    name,
    (cur) => {
      let patched: KubeObject;
      try {
        patched = applyPatch(ct ?? '', cur, patch, apiVersion, t.kind);
      } catch (e) {
        patchFailure(e);
      }
      if (!isRecord(patched) || !isRecord(patched.metadata)) throw errors.badRequest('the patch produced an object without metadata');
      checkUnknownFields(ctx, patched, mode);
      return patched;
    },
    writeOptions(ctx, sub),
  );
  sendJson(ctx.res, 200, renderOne(ctx, route, r.object, formOf(ctx)));
}

interface ParsedDeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

async function deleteOptionsOf(ctx: HandlerContext): Promise<ParsedDeleteOptions> {
  const body = await readBody(ctx.req);
  let opts: Record<string, unknown> = {};
  if (body.length > 0) {
    const decoded = decodeObjectBody(body, ctx.req.headers['content-type'] ?? 'application/json');
    if (!isRecord(decoded)) throw errors.badRequest('DeleteOptions must be a JSON object');
    opts = decoded;
  }
  const out: ParsedDeleteOptions = { dryRun: dryRunOf(ctx) || (Array.isArray(opts.dryRun) && opts.dryRun.includes('All')) };
  const grace = q(ctx, 'gracePeriodSeconds') ?? (typeof opts.gracePeriodSeconds === 'number' ? String(opts.gracePeriodSeconds) : null);
  if (grace !== null) {
    const n = Number(grace);
    if (!Number.isInteger(n)) throw errors.badRequest(`invalid gracePeriodSeconds: ${grace}`);
    out.gracePeriodSeconds = Math.max(0, n);
  }
  let policy = q(ctx, 'propagationPolicy') ?? (typeof opts.propagationPolicy === 'string' ? opts.propagationPolicy : undefined);
  if (policy === undefined && typeof opts.orphanDependents === 'boolean') policy = opts.orphanDependents ? 'Orphan' : 'Background';
  if (policy !== undefined) {
    if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
      throw errors.badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`);
    }
    out.propagationPolicy = policy;
  }
  if (isRecord(opts.preconditions)) {
    const p = opts.preconditions;
    out.preconditions = {
      ...(typeof p.uid === 'string' ? { uid: p.uid } : {}),
      ...(typeof p.resourceVersion === 'string' ? { resourceVersion: p.resourceVersion } : {}),
    };
  }
  return out;
}

async function deleteObject(ctx: HandlerContext, route: ResourceRoute): Promise<void> {
  const opts = await deleteOptionsOf(ctx);
  const r = await route.store.delete(route.namespace, route.name ?? '', opts);
  sendJson(ctx.res, 200, r.object);
}

async function deleteCollection(ctx: HandlerContext, route: ResourceRoute): Promise<void> {
  const opts = await deleteOptionsOf(ctx);
  const labelMatch = labelMatcher(ctx);
  const fieldMatch = fieldMatcher(ctx, route.store);
  const list = await route.store.list({
    namespace: route.namespace,
    ...(labelMatch ? { labelMatch } : {}),
    ...(fieldMatch ? { fieldMatch } : {}),
  });
  const items: KubeObject[] = [];
  for (const item of list.items) {
    try {
      items.push((await route.store.delete(item.metadata.namespace, item.metadata.name ?? '', opts)).object);
    } catch (e) {
      if (!(e instanceof errors.ApiError && e.code === 404)) throw e;
    }
  }
  const t = route.store.type;
  sendJson(ctx.res, 200, { kind: t.listKind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: list.resourceVersion }, items });
}

// ---- scale subresource (autoscaling/v1 Scale) ----

function selectorString(sel: unknown): string {
  try {
    return selectorFromLabelSelectorObject(sel).toString();
  } catch {
    return '';
  }
}

function toScale(obj: KubeObject): Record<string, unknown> {
  const spec = (isRecord(obj.spec) ? obj.spec : {}) as { replicas?: number; selector?: unknown };
  const status = (isRecord(obj.status) ? obj.status : {}) as { replicas?: number };
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(spec.selector) },
  };
}

async function handleScale(ctx: HandlerContext, route: ResourceRoute, method: string): Promise<void> {
  const name = route.name ?? '';
  if (method === 'GET') return sendJson(ctx.res, 200, toScale(await route.store.get(route.namespace, name)));
  if (method !== 'PUT' && method !== 'PATCH') throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
  const body = await readBody(ctx.req);
  const ct = ctx.req.headers['content-type'];
  let update: (scale: Record<string, unknown>) => Record<string, unknown>;
  if (method === 'PUT') {
    const scale = decodeObjectBody(body, ct);
    if (!isRecord(scale)) throw errors.badRequest('the body of the request must be a Scale object');
    update = () => scale;
  } else {
    const type = patchTypeOf(ct);
    if (!type || type === 'apply') throw errors.unsupportedMediaType(ct ?? '');
    const patch = decodePatchBody(body, type);
    update = (scale) => {
      try {
        return applyPatch(ct ?? '', scale as KubeObject, patch, 'autoscaling/v1', 'Scale') as Record<string, unknown>;
      } catch (e) {
        patchFailure(e);
      }
    };
  }
  const r = await route.store.update(
    route.namespace,
    name,
    (cur) => {
      const scale = update(toScale(cur));
      const meta = (isRecord(scale.metadata) ? scale.metadata : {}) as { resourceVersion?: string };
      const spec = (isRecord(scale.spec) ? scale.spec : {}) as { replicas?: unknown };
      const replicas = spec.replicas ?? 0;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw errors.invalid({ group: 'autoscaling', kind: 'Scale' }, name, [
          { type: 'Invalid', field: 'spec.replicas', badValue: replicas, detail: 'must be greater than or equal to 0' },
        ]);
      }
      const next = cloneJson(cur);
      next.spec = { ...(isRecord(next.spec) ? next.spec : {}), replicas };
      if (meta.resourceVersion) next.metadata.resourceVersion = meta.resourceVersion;
      return next;
    },
    writeOptions(ctx, 'scale'),
  );
  sendJson(ctx.res, 200, toScale(r.object));
}

// ---- pods/binding (what the scheduler posts) ----

async function bindPod(ctx: HandlerContext, route: ResourceRoute): Promise<void> {
  const name = route.name ?? '';
  const body = decodeObjectBody(await readBody(ctx.req), ctx.req.headers['content-type']);
  if (!isRecord(body) || !isRecord(body.target)) throw errors.badRequest('a Binding with a target is required');
  const target = body.target as { kind?: string; name?: string };
  if (target.kind !== undefined && target.kind !== '' && target.kind !== 'Node') {
    throw errors.invalid({ group: '', kind: 'Binding' }, name, [{ type: 'NotSupported', field: 'target.kind', badValue: target.kind, detail: 'supported values: "Node"' }]);
  }
  const nodeName = target.name ?? '';
  if (!nodeName) throw errors.invalid({ group: '', kind: 'Binding' }, name, [{ type: 'Required', field: 'target.name' }]);
  const now = ctx.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await route.store.update(
    route.namespace,
    name,
    (cur) => {
      const spec = (isRecord(cur.spec) ? cur.spec : {}) as { nodeName?: string };
      if (cur.metadata.deletionTimestamp) {
        throw errors.conflict(route.store.groupResource, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      }
      if (spec.nodeName) {
        throw errors.conflict(route.store.groupResource, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      }
      const status = (isRecord(cur.status) ? cloneJson(cur.status) : {}) as { conditions?: Record<string, unknown>[] };
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
      status.conditions = conditions;
      return { ...cur, spec: { ...spec, nodeName }, status };
    },
    { ...writeOptions(ctx), subresource: 'binding' },
  );
  sendJson(ctx.res, 201, errors.successStatus());
}
