/**
 * Computes `endpoints.kubernetes.io/last-change-trigger-time` (upstream
 * util/trigger_time_tracker.go): the earliest change since the previous sync of the Service
 * that may have caused this one — a pod's Ready condition transition, or the Service's
 * creation. The first sync of a Service uses its creationTimestamp. Like upstream it may be
 * off when the same object changes several times between two syncs.
 */
import type { Pod, Service } from './slice-types.js';

interface ServiceState {
  serviceTime: number;
  podTimes: Map<string, number>;
}

function parseTime(s: string | null | undefined): number {
  if (!s) return 0;
  const t = Date.parse(s);
  return Number.isNaN(t) ? 0 : t;
}

function podTriggerTime(pod: Pod): number {
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  return parseTime(ready?.lastTransitionTime);
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * Updates the state kept for `key` (ns/name) and returns the trigger time to publish, or null
   * when nothing that counts changed (the annotation is then removed from written slices).
   * Not safe for concurrent calls with the same key (the work queue guarantees that).
   */
  compute(key: string, service: Service, pods: readonly Pod[]): Date | null {
    const prev = this.states.get(key);
    let min = 0;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (t === 0) continue;
      const name = pod.metadata.name ?? '';
      podTimes.set(name, t);
      if (t > (prev?.podTimes.get(name) ?? 0) && (min === 0 || t < min)) min = t;
    }
    const serviceTime = parseTime(service.metadata.creationTimestamp);
    if (serviceTime > (prev?.serviceTime ?? 0) && (min === 0 || serviceTime < min)) min = serviceTime;
    this.states.set(key, { serviceTime, podTimes });
    if (!prev) return serviceTime ? new Date(serviceTime) : null;
    return min ? new Date(min) : null;
  }

  delete(key: string): void {
    this.states.delete(key);
  }
}
