/**
 * Computes the endpoints.kubernetes.io/last-change-trigger-time annotation (upstream
 * k8s.io/endpointslice/util TriggerTimeTracker): the earliest of the trigger times that changed
 * since the previous sync of the service — a pod's Ready condition transition, or the service's
 * creation — and for a service seen for the first time its creation time.
 *
 * Stateful per service; callers must not compute for the same service concurrently (the work
 * queue guarantees that).
 */
import type { Pod, Service } from './endpoints-types.js';
import { podReadyTransitionTime } from './pod-endpoints.js';

interface ServiceState {
  serviceTime: number;
  podTimes: Map<string, number>;
}

const parseTime = (s: string | null | undefined): number => {
  if (!s) return NaN;
  return Date.parse(s);
};

/** Go's time.Format(RFC3339Nano) in UTC: fractional seconds only when non-zero, trailing zeros trimmed. */
export function formatRfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  return iso.replace(/\.(\d+)Z$/, (_m, frac: string) => {
    const t = frac.replace(/0+$/, '');
    return t ? `.${t}Z` : 'Z';
  });
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * Updates the remembered state of `service` from its current pods and returns the annotation
   * value to export, or undefined when no trigger time applies (the annotation is then removed).
   */
  compute(service: Service, pods: readonly Pod[]): string | undefined {
    const key = `${service.metadata.namespace ?? ''}/${service.metadata.name ?? ''}`;
    const prev = this.states.get(key);
    let min = NaN;
    const consider = (t: number): void => {
      if (Number.isNaN(min) || t < min) min = t;
    };
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = parseTime(podReadyTransitionTime(pod));
      if (Number.isNaN(t)) continue;
      const name = pod.metadata.name ?? '';
      podTimes.set(name, t);
      const before = prev?.podTimes.get(name);
      if (before === undefined || t > before) consider(t);
    }
    const serviceTime = parseTime(service.metadata.creationTimestamp);
    if (!Number.isNaN(serviceTime) && (prev === undefined || serviceTime > prev.serviceTime)) consider(serviceTime);
    this.states.set(key, { serviceTime: Number.isNaN(serviceTime) ? 0 : serviceTime, podTimes });

    if (!prev) return Number.isNaN(serviceTime) ? undefined : formatRfc3339Nano(serviceTime);
    return Number.isNaN(min) ? undefined : formatRfc3339Nano(min);
  }

  /** Forgets a deleted service. */
  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}
