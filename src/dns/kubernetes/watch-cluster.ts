/**
 * Feeds the ClusterIndex from informers on Services, EndpointSlices and Namespaces (all
 * namespaces), plus Pods when autopath needs client namespaces. `synced()` turns true once every
 * informer has delivered its first full list; until then the cluster zone answers SERVFAIL.
 */
import type { KubeObject } from '../../api/object.js';
import { Informer, type ListWatchClient } from '../../client/informer.js';
import type { ResourceRef } from '../../client/kube-client.js';
import type { Logger } from '../../log/logger.js';
import { type ClusterIndex, podIPs, slimEndpointSlice, slimService } from './cluster-index.js';

const SERVICES: ResourceRef = { group: '', version: 'v1', plural: 'services', namespaced: true };
const ENDPOINT_SLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true };
const NAMESPACES: ResourceRef = { group: '', version: 'v1', plural: 'namespaces', namespaced: false };
const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true };

export interface ClusterWatchOptions {
  readonly client: ListWatchClient;
  readonly index: ClusterIndex;
  readonly signal: AbortSignal;
  /** Also watch pods (autopath needs the namespace behind a client IP). */
  readonly pods: boolean;
  readonly log?: Logger;
}

export interface ClusterWatch {
  synced(): boolean;
  /** Resolves true once synced, false if the signal aborts first. */
  waitForSync(): Promise<boolean>;
  /** Settles when every informer has stopped (after the signal aborts). */
  readonly done: Promise<void>;
}

export function watchCluster(opts: ClusterWatchOptions): ClusterWatch {
  const { client, index, log, signal } = opts;
  const informers: { inf: Informer; signal: AbortSignal }[] = [];
  const make = (resource: ResourceRef, set: (o: KubeObject) => void, del: (o: KubeObject) => void): void => {
    const inf = new Informer<KubeObject>({ client, resource, log });
    // One signal per informer: each adds its own abort listeners, and one shared signal would
    // collect more than Node's default warning threshold.
    const own = new AbortController();
    if (signal.aborted) own.abort();
    else signal.addEventListener('abort', () => own.abort(), { once: true });
    inf.addEventHandler({
      onAdd: (o) => set(o),
      onUpdate: (_old, o) => set(o),
      onDelete: (o) => del(o),
    });
    informers.push({ inf, signal: own.signal });
  };
  make(
    SERVICES,
    (o) => index.setService(slimService(o)),
    (o) => index.deleteService(o.metadata.namespace ?? '', o.metadata.name ?? ''),
  );
  make(
    ENDPOINT_SLICES,
    (o) => index.setEndpointSlice(slimEndpointSlice(o)),
    (o) => index.deleteEndpointSlice(o.metadata.namespace ?? '', o.metadata.name ?? ''),
  );
  make(
    NAMESPACES,
    (o) => index.setNamespace(o.metadata.name ?? ''),
    (o) => index.deleteNamespace(o.metadata.name ?? ''),
  );
  if (opts.pods) {
    make(
      PODS,
      (o) => index.setPod(o.metadata.namespace ?? '', o.metadata.name ?? '', podIPs(o)),
      (o) => index.deletePod(o.metadata.namespace ?? '', o.metadata.name ?? ''),
    );
  }
  const done = Promise.all(
    informers.map(({ inf, signal: own }) =>
      inf.run(own).catch((err: unknown) => {
        log?.error(`informer stopped: ${err instanceof Error ? err.message : String(err)}`);
      }),
    ),
  ).then(() => undefined);
  return {
    synced: () => informers.every(({ inf }) => inf.hasSynced()),
    waitForSync: async () => (await Promise.all(informers.map(({ inf, signal: own }) => inf.waitForSync(own)))).every(Boolean),
    done,
  };
}
