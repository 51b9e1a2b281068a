/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with client-go's semantics:
 * - a candidate takes the lease when it is free (empty holder) or expired; expiry is judged by
 *   the candidate's own clock from when it last saw the lease record change (not the lease's
 *   renewTime), so clock skew between machines does not matter;
 * - the leader renews every `retryPeriod`; if it cannot renew for `renewDeadline` it stops leading;
 * - writes carry the resourceVersion read, so two candidates racing get one 409 and retry later;
 * - on cancellation the leader releases the lease (empty holder) so another can take over at once.
 */
import type { KubeObject } from '../api/object.js';
import { isRecord } from '../api/object.js';
import type { Logger } from '../log/logger.js';
import { type Clock, realClock, sleep } from './clock.js';
import type { KubeClient, ResourceRef } from './kube-client.js';
import { isNotFound } from './kube-client.js';

export const LEASE_RESOURCE: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true };

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime, e.g. `2026-11-22T02:00:00.000000Z`. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export type LeaseClient = Pick<KubeClient, 'get' | 'create' | 'update'>;

export interface LeaderCallbacks {
  /** Called when this candidate becomes leader; `signal` aborts when leadership ends. Not awaited. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called once when leadership ends (lost or released). Not called if it never led. */
  onStoppedLeading?(): void;
  /** Called when the observed holder changes (including to this candidate). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectorOptions {
  readonly client: LeaseClient;
  readonly namespace: string;
  readonly name: string;
  /** Unique per candidate, e.g. `hostname_uuid`. */
  readonly identity: string;
  /** How long non-leaders wait after the last observed change before taking over (default 15 s). */
  readonly leaseDurationMs?: number;
  /** How long the leader keeps retrying a failing renewal before giving up (default 10 s). */
  readonly renewDeadlineMs?: number;
  /** Interval between attempts (default 2 s). */
  readonly retryPeriodMs?: number;
  /** Clear the holder when `run`'s signal aborts while leading (default true). */
  readonly releaseOnCancel?: boolean;
  readonly callbacks: LeaderCallbacks;
  readonly clock?: Clock;
  readonly log?: Logger;
}

interface Observed {
  readonly spec: LeaseSpec;
  readonly raw: string;
  readonly rv: string | undefined;
  /** Local time at which this record was first seen. */
  readonly at: number;
}

export class LeaderElector {
  private readonly o: LeaderElectorOptions;
  private readonly clock: Clock;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observed: Observed | undefined;
  private leading = false;
  private reportedLeader: string | undefined;

  constructor(opts: LeaderElectorOptions) {
    this.o = opts;
    this.clock = opts.clock ?? realClock;
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryPeriodMs * 1.2) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder this candidate last observed ('' when free or unknown). */
  getLeader(): string {
    return this.observed?.spec.holderIdentity ?? '';
  }

  /**
   * Campaigns until it leads, then renews until leadership is lost or `signal` aborts.
   * Resolves when leadership ends (or on abort before leading); call again to campaign again.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    const leadership = new AbortController();
    this.leading = true;
    try {
      Promise.resolve(this.o.callbacks.onStartedLeading(leadership.signal)).catch((err: unknown) =>
        this.o.log?.error(`lease ${this.o.name}: onStartedLeading failed: ${String(err)}`),
      );
    } catch (err) {
      this.o.log?.error(`lease ${this.o.name}: onStartedLeading failed: ${String(err)}`);
    }
    try {
      await this.renewLoop(signal);
    } finally {
      this.leading = false;
      leadership.abort();
      if (signal.aborted && this.o.releaseOnCancel !== false) await this.release();
      try {
        this.o.callbacks.onStoppedLeading?.();
      } catch (err) {
        this.o.log?.error(`lease ${this.o.name}: onStoppedLeading failed: ${String(err)}`);
      }
    }
  }

  /**
   * Gives the lease up if this candidate holds it: empty holder, 1 s duration, transitions kept.
   * Returns whether the lease was released. A conflict (someone else wrote) is not an error.
   */
  async release(): Promise<boolean> {
    const obs = this.observed;
    if (!obs || obs.spec.holderIdentity !== this.o.identity) return false;
    const now = this.clock.now();
    const spec: LeaseSpec = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: obs.spec.leaseTransitions ?? 0,
    };
    try {
      const updated = await this.o.client.update<Lease>(LEASE_RESOURCE, this.o.namespace, this.leaseObject(spec, obs.rv));
      this.observe(updated, now);
      this.leading = false;
      return true;
    } catch (err) {
      this.o.log?.warn(`lease ${this.o.name}: release failed: ${String(err)}`);
      return false;
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.o.log?.debug(`lease ${this.o.namespace}/${this.o.name}: ${this.o.identity} campaigning`);
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal, this.renewDeadlineMs)) {
        this.o.log?.info(`lease ${this.o.namespace}/${this.o.name}: ${this.o.identity} acquired leadership`);
        return true;
      }
      await sleep(this.retryPeriodMs * (1 + 1.2 * Math.random()), signal, this.clock);
    }
    return false;
  }

  private async renewLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.retryPeriodMs, signal, this.clock);
      if (signal.aborted) return;
      const deadline = this.clock.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && this.clock.now() < deadline) {
        if (await this.tryAcquireOrRenew(signal, deadline - this.clock.now())) {
          renewed = true;
          break;
        }
        await sleep(Math.min(this.retryPeriodMs, Math.max(0, deadline - this.clock.now())), signal, this.clock);
      }
      if (!renewed) {
        if (!signal.aborted) this.o.log?.warn(`lease ${this.o.namespace}/${this.o.name}: ${this.o.identity} failed to renew, stopping`);
        return;
      }
    }
  }

  private leaseObject(spec: LeaseSpec, rv: string | undefined): Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.o.name, namespace: this.o.namespace, ...(rv ? { resourceVersion: rv } : {}) },
      spec,
    };
  }

  private observe(lease: Lease, now: number): void {
    const spec: LeaseSpec = isRecord(lease.spec) ? lease.spec : {};
    const raw = JSON.stringify([spec.holderIdentity ?? '', spec.leaseDurationSeconds, spec.acquireTime, spec.renewTime, spec.leaseTransitions]);
    if (!this.observed || this.observed.raw !== raw) {
      this.observed = { spec, raw, rv: lease.metadata.resourceVersion, at: now };
    } else {
      this.observed = { ...this.observed, rv: lease.metadata.resourceVersion };
    }
    const holder = spec.holderIdentity ?? '';
    if (holder !== '' && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      try {
        this.o.callbacks.onNewLeader?.(holder);
      } catch (err) {
        this.o.log?.error(`lease ${this.o.name}: onNewLeader failed: ${String(err)}`);
      }
    }
  }

  /** One attempt; true when this candidate holds the lease afterwards. Never throws. */
  private async tryAcquireOrRenew(outer: AbortSignal, budgetMs: number): Promise<boolean> {
    // Bound each attempt so a hung request cannot outlive the renew deadline.
    const ctl = new AbortController();
    const onAbort = (): void => ctl.abort();
    outer.addEventListener('abort', onAbort, { once: true });
    const timer = this.clock.setTimeout(() => ctl.abort(), Math.max(1, budgetMs));
    const signal = ctl.signal;
    const now = this.clock.now();
    const mine = (prev: LeaseSpec | undefined): LeaseSpec => {
      const held = prev?.holderIdentity === this.o.identity;
      return {
        holderIdentity: this.o.identity,
        leaseDurationSeconds: Math.max(1, Math.round(this.leaseDurationMs / 1000)),
        acquireTime: held && prev?.acquireTime ? prev.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: prev === undefined ? 0 : held ? (prev.leaseTransitions ?? 0) : (prev.leaseTransitions ?? 0) + 1,
      };
    };
    try {
      let current: Lease;
      try {
        current = await this.o.client.get<Lease>(LEASE_RESOURCE, this.o.namespace, this.o.name, { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = await this.o.client.create<Lease>(LEASE_RESOURCE, this.o.namespace, this.leaseObject(mine(undefined), undefined), { signal });
        this.observe(created, now);
        return true;
      }
      this.observe(current, now);
      const obs = this.observed as Observed;
      const holder = obs.spec.holderIdentity ?? '';
      const durationMs = (obs.spec.leaseDurationSeconds ?? 0) * 1000;
      if (holder !== '' && holder !== this.o.identity && obs.at + durationMs > now) return false;
      const updated = await this.o.client.update<Lease>(LEASE_RESOURCE, this.o.namespace, this.leaseObject(mine(obs.spec), current.metadata.resourceVersion), {
        signal,
      });
      this.observe(updated, now);
      return true;
    } catch (err) {
      // 409 means another candidate wrote first; anything else is logged and retried later.
      this.o.log?.debug(`lease ${this.o.namespace}/${this.o.name}: attempt by ${this.o.identity} failed: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    } finally {
      this.clock.clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
    }
  }
}
