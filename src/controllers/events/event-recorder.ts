/**
 * Writes core/v1 Events the way client-go's record.EventRecorder does: one Event per
 * distinct (object, type, reason, message), named `<object>.<hex nanoseconds>`, and a
 * repeat of the same event bumps `count` and `lastTimestamp` instead of creating another
 * (the correlator's aggregation, kept in memory). Recording never throws: events are
 * best-effort and written in the background, in order.
 *
 * Generic over the reporting component; the scheduler and the StatefulSet controller use it.
 */
import { hostname } from 'node:os';
import type { Clock } from '../../client/clock.js';
import type { KubeClient } from '../../client/kube-client.js';
import { isNotFound } from '../../client/kube-client.js';
import type { KubeObject } from '../../api/object.js';
import type { Logger } from '../../log/logger.js';
import { EVENTS } from '../resources.js';

export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  readonly client: KubeClient;
  /** `source.component` and `reportingComponent`, e.g. `default-scheduler`. */
  readonly component: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Distinct events remembered for aggregation (oldest forgotten first). Default 4096. */
  readonly cacheSize?: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

/** The object reference an Event carries for `obj`. */
export function involvedObjectOf(obj: KubeObject, apiVersion: string, kind: string): InvolvedObject {
  return {
    apiVersion,
    kind,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid,
    resourceVersion: obj.metadata.resourceVersion,
  };
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private chain: Promise<void> = Promise.resolve();
  private seq = 0n;
  private readonly instance: string;

  constructor(private readonly opts: EventRecorderOptions) {
    this.instance = `${opts.component}-${hostname()}`;
  }

  /** Records an event about `ref`; returns at once (the write is queued). */
  event(ref: InvolvedObject, type: EventType, reason: string, message: string, action?: string): void {
    this.chain = this.chain.then(() => this.write(ref, type, reason, message, action)).catch((err: unknown) => {
      this.opts.log.debug(`event ${reason} on ${ref.kind} ${ref.namespace ?? ''}/${ref.name} not written: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** Resolves when every event recorded so far has been written (or failed). For tests and shutdown. */
  flush(): Promise<void> {
    return this.chain;
  }

  private uniqueSuffix(nowMs: number): string {
    // Nanoseconds, made unique within this process like distinct UnixNano values.
    this.seq = (this.seq + 1n) % 1_000_000n;
    return (BigInt(nowMs) * 1_000_000n + this.seq).toString(16);
  }

  private async write(ref: InvolvedObject, type: EventType, reason: string, message: string, action: string | undefined): Promise<void> {
    const { client, component, clock } = this.opts;
    const now = clock.now();
    const ts = rfc3339(now);
    const namespace = ref.namespace || 'default';
    const key = JSON.stringify([namespace, ref.kind, ref.name, ref.uid ?? '', type, reason, message]);
    const prior = this.seen.get(key);
    if (prior) {
      try {
        await client.patch(EVENTS, prior.namespace, prior.name, { count: prior.count + 1, lastTimestamp: ts }, 'merge', { fieldManager: component });
        prior.count++;
        this.seen.delete(key); // re-insert: most recently used last
        this.seen.set(key, prior);
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.seen.delete(key);
      }
    }
    const name = `${ref.name}.${this.uniqueSuffix(now)}`;
    const involvedObject: Record<string, string> = { kind: ref.kind, name: ref.name, apiVersion: ref.apiVersion };
    if (ref.namespace) involvedObject['namespace'] = ref.namespace;
    if (ref.uid) involvedObject['uid'] = ref.uid;
    if (ref.resourceVersion) involvedObject['resourceVersion'] = ref.resourceVersion;
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      type,
      source: { component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: component,
      reportingInstance: this.instance,
      ...(action ? { action } : {}),
    };
    await client.create(EVENTS, namespace, ev, { fieldManager: component });
    this.seen.set(key, { name, namespace, count: 1 });
    const max = this.opts.cacheSize ?? 4096;
    while (this.seen.size > max) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
  }
}
