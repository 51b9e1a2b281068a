/**
 * Shared informers (client-go SharedInformerFactory): one list+watch per
 * resource, however many controllers read it.
 */
import { Informer } from '../client/informer.js';
import type { KubeClient, ResourceRef } from '../client/kube-client.js';
import type { KubeObject } from '../api/object.js';
import type { Logger } from '../log/logger.js';

export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private signal: AbortSignal | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly resyncMs = 0,
  ) {}

  /** The shared informer of a resource (all namespaces); started at once if the factory runs. */
  informer<T extends KubeObject = KubeObject>(resource: ResourceRef): Informer<T> {
    const key = `${resource.group}/${resource.version}/${resource.plural}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer<KubeObject>({ client: this.client, resource, resyncMs: this.resyncMs, log: this.log });
      this.informers.set(key, inf);
      if (this.signal) void inf.run(this.signal);
    }
    return inf as unknown as Informer<T>;
  }

  /** Start every informer created so far and any created later, until `signal` aborts. */
  start(signal: AbortSignal): void {
    this.signal = signal;
    for (const inf of this.informers.values()) void inf.run(signal);
  }
}
