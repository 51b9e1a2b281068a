/**
 * Pod events as kubelet records them (core/v1 Events with `source: {component: kubelet,
 * host: <node>}`, `reportingComponent: kubelet`, `reportingInstance: <node>`, and the
 * container in `involvedObject.fieldPath` as `spec.containers{name}`). A repeat of the same
 * event (object, field, type, reason, message) bumps `count` and `lastTimestamp` with a merge
 * patch, as client-go's correlator does. Writes are queued in order and never throw.
 */
import type { KubeClient } from '../client/kube-client.js';
import { isNotFound } from '../client/kube-client.js';
import type { KubeObject } from '../api/object.js';
import type { Logger } from '../log/logger.js';
import { rfc3339 } from './pod-types.js';
import { EVENTS } from './resources.js';

export type EventType = 'Normal' | 'Warning';

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion?: string;
}

/** `spec.containers{name}` / `spec.initContainers{name}`, the fieldPath kubelet uses for a container. */
export function containerFieldPath(name: string, init: boolean): string {
  return `${init ? 'spec.initContainers' : 'spec.containers'}{${name}}`;
}

export interface EventSink {
  event(pod: PodRef, fieldPath: string | undefined, type: EventType, reason: string, message: string): void;
}

export class KubeletEventRecorder implements EventSink {
  private readonly seen = new Map<string, { name: string; count: number }>();
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly nodeName: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  event(pod: PodRef, fieldPath: string | undefined, type: EventType, reason: string, message: string): void {
    this.chain = this.chain
      .then(() => this.write(pod, fieldPath, type, reason, message))
      .catch((err: unknown) => this.log.debug(`event ${reason} for pod ${pod.namespace}/${pod.name} not written: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Resolves once every event recorded so far is written. */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(pod: PodRef, fieldPath: string | undefined, type: EventType, reason: string, message: string): Promise<void> {
    const ts = rfc3339(this.now());
    const key = JSON.stringify([pod.namespace, pod.name, pod.uid, fieldPath ?? '', type, reason, message]);
    const prior = this.seen.get(key);
    if (prior) {
      try {
        await this.client.patch(EVENTS, pod.namespace, prior.name, { count: prior.count + 1, lastTimestamp: ts }, 'merge', { fieldManager: 'kubelet' });
        prior.count++;
        this.seen.delete(key);
        this.seen.set(key, prior);
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.seen.delete(key);
      }
    }
    this.seq = (this.seq + 1) % 1_000_000;
    const name = `${pod.name}.${(BigInt(this.now()) * 1_000_000n + BigInt(this.seq)).toString(16)}`;
    const involvedObject: Record<string, string> = { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid, apiVersion: 'v1' };
    if (pod.resourceVersion) involvedObject.resourceVersion = pod.resourceVersion;
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: pod.namespace },
      involvedObject,
      reason,
      message,
      type,
      source: { component: 'kubelet', host: this.nodeName },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: 'kubelet',
      reportingInstance: this.nodeName,
    };
    await this.client.create(EVENTS, pod.namespace, ev, { fieldManager: 'kubelet' });
    this.seen.set(key, { name, count: 1 });
    while (this.seen.size > 4096) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
  }
}
