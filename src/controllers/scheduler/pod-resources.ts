/**
 * Resource requests of a pod as the scheduler's NodeResourcesFit plugin counts them:
 * the sum over containers, raised to the largest init container where that is more,
 * plus the pod overhead. Quantities that do not parse count as zero.
 */
import { parseQuantity } from '../../apiserver/registry/quantity.js';
import type { ContainerShape, PodInfo, PodSpecShape, Pod, Resources } from './scheduling-types.js';

/** CPU quantity in millicores, rounded up as resource.Quantity.MilliValue does. */
export function milliCPU(v: unknown): number {
  const q = parseQuantity(v);
  return q === undefined ? 0 : Math.ceil(q * 1000 - 1e-9);
}

/** Memory (or any byte) quantity as an integer, rounded up. */
export function bytes(v: unknown): number {
  const q = parseQuantity(v);
  return q === undefined ? 0 : Math.ceil(q - 1e-9);
}

function containerRequests(c: ContainerShape): Resources {
  const r = c.resources?.requests ?? {};
  return { milliCPU: milliCPU(r['cpu']), memory: bytes(r['memory']) };
}

/** What the pod asks for (requests only; limits are defaulted into requests by the API server). */
export function podRequests(spec: PodSpecShape | undefined): Resources {
  let cpu = 0;
  let mem = 0;
  for (const c of spec?.containers ?? []) {
    const r = containerRequests(c);
    cpu += r.milliCPU;
    mem += r.memory;
  }
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c);
    cpu = Math.max(cpu, r.milliCPU);
    mem = Math.max(mem, r.memory);
  }
  const overhead = spec?.overhead ?? {};
  cpu += milliCPU(overhead['cpu']);
  mem += bytes(overhead['memory']);
  return { milliCPU: cpu, memory: mem };
}

/** The accounting view of a pod. */
export function podInfo(pod: Pod): PodInfo {
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller === true);
  return {
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name ?? '',
    ownerUid: owner?.uid,
    labels: pod.metadata.labels ?? {},
    requests: podRequests(pod.spec),
  };
}

/** Whether the pod has finished (its resources are free again). */
export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
