/**
 * The EndpointSlice mirroring controller (kube-controller-manager `endpointslicemirroring`,
 * upstream pkg/controller/endpointslicemirroring): Endpoints objects written by hand for Services
 * without a selector are mirrored into EndpointSlices, so that slice consumers (proxies, DNS) see
 * them. Informers on Endpoints, Services and EndpointSlices feed a queue of `ns/name` keys; each
 * key is reconciled by the pure `reconcileMirroring` and the plan is written in one step.
 */
import type { KubeObject } from '../../api/object.js';
import { runController } from '../../client/controller.js';
import { objectKey, splitKey } from '../../client/informer.js';
import { isNotFound } from '../../client/kube-client.js';
import { WorkQueue, ItemExponentialRateLimiter, BucketRateLimiter, MaxOfRateLimiter } from '../../client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from '../controller-context.js';
import { ENDPOINTS, ENDPOINTSLICES, SERVICES } from '../resources.js';
import { type Endpoints, type Service, serviceSelector } from '../endpoints/endpoints-types.js';
import { isNamespaceTerminating } from '../endpoints/namespace-terminating.js';
import { type EndpointSlice, LABEL_SERVICE_NAME, managedByMirroring } from './endpointslice-types.js';
import { DEFAULT_MAX_ENDPOINTS_PER_SUBSET, reconcileMirroring, shouldMirror } from './reconcile-mirroring.js';
import { SliceTracker } from './slice-tracker.js';

/** Field manager of every write. */
export const MIRRORING_FIELD_MANAGER = 'endpointslicemirroring-controller';

/** Index of the slices informer: `ns/service` of slices this controller manages. */
const MIRRORED_BY_SERVICE = 'endpointslicemirroring:service';

/** `ns/<service-name label>` of a slice, or undefined without the label. */
function sliceServiceKey(slice: EndpointSlice): string | undefined {
  const svc = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  return svc ? `${slice.metadata.namespace ?? ''}/${svc}` : undefined;
}

async function run(ctx: ControllerContext): Promise<void> {
  const { client, log, signal } = ctx;
  const endpointsInf = ctx.informers.informer<Endpoints>(ENDPOINTS);
  const services = ctx.informers.informer<Service>(SERVICES);
  const slices = ctx.informers.informer<EndpointSlice>(ENDPOINTSLICES);
  slices.addIndexer(MIRRORED_BY_SERVICE, (s) => {
    const key = managedByMirroring(s) ? sliceServiceKey(s) : undefined;
    return key ? [key] : [];
  });

  // Upstream backs off from 1 s (not 5 ms) here: a failing mirror is usually a bad object.
  const queue = new WorkQueue<string>({
    name: 'endpoint_slice_mirroring',
    clock: ctx.clock,
    rateLimiter: new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter<string>(1000, 100_000), new BucketRateLimiter<string>(10, 100, ctx.clock)),
  });
  const tracker = new SliceTracker();
  const enqueue = (o: KubeObject): void => queue.add(objectKey(o));
  const enqueueForSlice = (s: EndpointSlice): void => {
    const key = sliceServiceKey(s);
    if (key) queue.add(key);
  };

  endpointsInf.addEventHandler({
    onAdd: (ep) => {
      if (shouldMirror(ep)) enqueue(ep);
    },
    onUpdate: (old, cur) => {
      if (shouldMirror(old) || shouldMirror(cur)) enqueue(cur);
    },
    onDelete: (ep) => {
      if (shouldMirror(ep)) enqueue(ep);
    },
  });
  services.addEventHandler({
    onAdd: (svc) => {
      if (!serviceSelector(svc)) enqueue(svc);
    },
    onUpdate: (old, cur) => {
      if (!serviceSelector(old) !== !serviceSelector(cur)) enqueue(cur);
    },
    onDelete: (svc) => {
      if (!serviceSelector(svc)) enqueue(svc);
    },
  });
  slices.addEventHandler({
    onAdd: (s) => {
      const key = sliceServiceKey(s);
      if (key && managedByMirroring(s) && tracker.shouldSync(key, s)) queue.add(key);
    },
    onUpdate: (old, cur) => {
      if (sliceServiceKey(old) !== sliceServiceKey(cur)) {
        enqueueForSlice(old);
        enqueueForSlice(cur);
        return;
      }
      const key = sliceServiceKey(cur);
      if (!key) return;
      if (managedByMirroring(old) !== managedByMirroring(cur) || (managedByMirroring(cur) && tracker.shouldSync(key, cur))) queue.add(key);
    },
    onDelete: (s) => {
      const key = sliceServiceKey(s);
      if (key && managedByMirroring(s) && !tracker.handleDeletion(key, s)) queue.add(key);
    },
  });

  const deleteSlice = async (namespace: string, name: string): Promise<void> => {
    try {
      await client.delete(ENDPOINTSLICES, namespace, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };

  const reconcile = async (key: string): Promise<void> => {
    const { namespace, name } = splitKey(key);
    const endpoints = endpointsInf.get(namespace, name);
    const service = services.get(namespace, name);
    const existing = slices.byIndex(MIRRORED_BY_SERVICE, key);
    const plan = reconcileMirroring({ namespace, name, endpoints, service, existingSlices: existing, maxEndpointsPerSubset: DEFAULT_MAX_ENDPOINTS_PER_SUBSET });

    if (plan.cleanupReason !== undefined) {
      tracker.deleteService(key);
      if (plan.toDelete.length) log.debug(`${key}: ${plan.cleanupReason}, deleting ${plan.toDelete.length} mirrored EndpointSlice(s)`);
      const failures: unknown[] = [];
      for (const s of plan.toDelete) {
        await deleteSlice(namespace, s.metadata.name ?? '').catch((e: unknown) => failures.push(e));
      }
      if (failures.length) throw new Error(`error(s) deleting ${failures.length}/${plan.toDelete.length} EndpointSlices for ${key} Endpoints: ${String(failures[0])}`);
      return;
    }

    if (tracker.stale(key, existing)) throw new Error(`EndpointSlice informer cache is out of date for ${key}`);
    if (!plan.toCreate.length && !plan.toUpdate.length && !plan.toDelete.length) return;

    if (plan.invalidAddresses > 0) log.warn(`${key}: skipped ${plan.invalidAddresses} invalid IP addresses when mirroring to EndpointSlices`);
    if (plan.skippedAddresses > 0) {
      log.warn(`${key}: a max of ${DEFAULT_MAX_ENDPOINTS_PER_SUBSET} addresses can be mirrored to EndpointSlices per Endpoints subset. ${plan.skippedAddresses} addresses were skipped`);
    }
    // No new slices for an Endpoints object on its way out.
    if (!endpoints?.metadata.deletionTimestamp) {
      for (const s of plan.toCreate) {
        try {
          tracker.written(key, await client.create(ENDPOINTSLICES, namespace, s, { fieldManager: MIRRORING_FIELD_MANAGER }));
        } catch (err) {
          // Creates keep failing while the namespace is deleted: drop the key.
          if (isNamespaceTerminating(err)) return;
          throw err;
        }
      }
    }
    for (const s of plan.toUpdate) {
      const updated = await client.update(ENDPOINTSLICES, namespace, s, { fieldManager: MIRRORING_FIELD_MANAGER });
      tracker.written(key, updated);
    }
    for (const s of plan.toDelete) {
      await deleteSlice(namespace, s.metadata.name ?? '');
      tracker.deleted(key, s.metadata.name ?? '');
    }
    log.debug(`${key}: mirrored (${plan.toCreate.length} created, ${plan.toUpdate.length} updated, ${plan.toDelete.length} deleted)`);
  };

  await runController({
    name: 'endpointslicemirroring',
    workers: ctx.config.workers,
    queue,
    reconcile,
    signal,
    log,
    waitFor: [endpointsInf, slices, services],
  });
}

export const endpointSliceMirroringController: ControllerDescriptor = {
  name: 'endpointslicemirroring',
  run,
};
