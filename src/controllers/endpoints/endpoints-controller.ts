/**
 * The Endpoints controller (kube-controller-manager `endpoint`, upstream pkg/controller/endpoint):
 * keeps a core/v1 Endpoints object next to every Service with a selector. Informers on Services,
 * Pods and Endpoints feed a queue of service keys (`ns/name`); each key is reconciled by the pure
 * `reconcileEndpoints` and the resulting plan is written in one step.
 */
import type { KubeObject } from '../../api/object.js';
import { runController } from '../../client/controller.js';
import { namespaceIndex, objectKey, splitKey, waitForCacheSync } from '../../client/informer.js';
import { isNotFound } from '../../client/kube-client.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from '../controller-context.js';
import { ENDPOINTS, PODS, SERVICES } from '../resources.js';
import { ANNOTATION_LEADER_ELECTION, type Endpoints, type Pod, type Service, serviceSelector } from './endpoints-types.js';
import { isNamespaceTerminating } from './namespace-terminating.js';
import { servicesToUpdateForPod } from './pod-service-membership.js';
import { reconcileEndpoints, selectPods } from './reconcile-endpoints.js';
import { StaleEndpointsTracker } from './stale-endpoints-tracker.js';
import { TriggerTimeTracker } from './trigger-time-tracker.js';

/** Field manager of every write (upstream writes as kube-controller-manager's endpoint-controller). */
export const ENDPOINTS_FIELD_MANAGER = 'endpoint-controller';

const NAMESPACE_INDEX = 'namespace';

async function run(ctx: ControllerContext): Promise<void> {
  const { client, log, signal } = ctx;
  const services = ctx.informers.informer<Service>(SERVICES);
  const pods = ctx.informers.informer<Pod>(PODS);
  const endpoints = ctx.informers.informer<Endpoints>(ENDPOINTS);
  pods.addIndexer(NAMESPACE_INDEX, namespaceIndex);
  services.addIndexer(NAMESPACE_INDEX, namespaceIndex);

  const queue = new WorkQueue<string>({ name: 'endpoint', clock: ctx.clock });
  const triggerTimes = new TriggerTimeTracker();
  const staleTracker = new StaleEndpointsTracker();

  const servicesIn = (ns: string): Service[] => services.byIndex(NAMESPACE_INDEX, ns);
  const onPod = (oldPod: Pod | undefined, newPod: Pod | undefined): void => {
    const ns = (newPod ?? oldPod)?.metadata.namespace ?? '';
    for (const key of servicesToUpdateForPod(servicesIn(ns), oldPod, newPod)) queue.add(key);
  };
  const enqueue = (o: KubeObject): void => queue.add(objectKey(o));

  services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
  pods.addEventHandler({
    onAdd: (p) => onPod(undefined, p),
    onUpdate: (o, n) => onPod(o, n),
    onDelete: (p) => onPod(p, undefined),
  });
  // A deleted Endpoints object of a selector service is recreated; of a deleted service, it stays gone.
  endpoints.addEventHandler({ onDelete: enqueue });

  const reconcile = async (key: string): Promise<void> => {
    const { namespace, name } = splitKey(key);
    const service = services.get(namespace, name);
    const current = endpoints.get(namespace, name);
    if (current && staleTracker.isStale(key, current.metadata.resourceVersion)) {
      throw new Error(`endpoints informer cache is out of date, resource version ${current.metadata.resourceVersion ?? ''} already processed for endpoints ${key}`);
    }
    let triggerTime: string | undefined;
    const nsPods = service ? pods.byIndex(NAMESPACE_INDEX, namespace) : [];
    if (service && service.spec?.type !== 'ExternalName' && serviceSelector(service)) {
      // Updated even when the sync turns out to be a no-op, as upstream.
      triggerTime = triggerTimes.compute(service, selectPods(service, nsPods));
    }
    const plan = reconcileEndpoints({ namespace, name, service, pods: nsPods, current, triggerTime });
    switch (plan.action) {
      case 'none':
        return;
      case 'delete':
        triggerTimes.deleteService(namespace, name);
        staleTracker.delete(key);
        try {
          await client.delete(ENDPOINTS, namespace, name);
          log.debug(`deleted endpoints ${key}: service is gone`);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        return;
      case 'create':
        try {
          await client.create(ENDPOINTS, namespace, plan.endpoints, { fieldManager: ENDPOINTS_FIELD_MANAGER });
        } catch (err) {
          // Creates keep failing while the namespace is deleted: drop the key.
          if (isNamespaceTerminating(err)) return;
          throw err;
        }
        log.debug(`created endpoints ${key} (${plan.ready} ready, ${plan.notReady} not ready)`);
        return;
      case 'update': {
        const updated = await client.update(ENDPOINTS, namespace, plan.endpoints, { fieldManager: ENDPOINTS_FIELD_MANAGER });
        if (current && updated.metadata.resourceVersion !== current.metadata.resourceVersion) staleTracker.stale(key, current.metadata.resourceVersion);
        log.debug(`updated endpoints ${key} (${plan.ready} ready, ${plan.notReady} not ready)`);
        return;
      }
    }
  };

  // Once synced, look at every Endpoints object once, so that objects whose service was deleted
  // while the controller was down get removed (upstream checkLeftoverEndpoints).
  const leftovers = (async (): Promise<void> => {
    if (!(await waitForCacheSync([services, pods, endpoints], signal))) return;
    for (const ep of endpoints.list()) {
      if (ep.metadata.annotations?.[ANNOTATION_LEADER_ELECTION] !== undefined) continue;
      queue.add(objectKey(ep));
    }
  })();

  await runController({
    name: 'endpoint',
    workers: ctx.config.workers,
    queue,
    reconcile,
    signal,
    log,
    waitFor: [services, pods, endpoints],
  });
  await leftovers;
}

export const endpointsController: ControllerDescriptor = {
  name: 'endpoint',
  run,
};
