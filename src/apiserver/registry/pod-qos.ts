/**
 * The QoS class of a pod (upstream qos.ComputePodQOS), set in status.qosClass
 * on create: BestEffort without cpu/memory requests or limits, Guaranteed when
 * every container limits both cpu and memory and requests equal limits,
 * Burstable otherwise. Ephemeral containers do not count.
 */
import { type JsonRecord, rec, records } from './json-shape.js';
import { parseQuantity } from './quantity.js';

export type PodQosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = new Set(['cpu', 'memory']);

function addPositive(into: Map<string, number>, list: unknown): Set<string> {
  const found = new Set<string>();
  for (const [name, raw] of Object.entries(rec(list) ?? {})) {
    if (!QOS_RESOURCES.has(name)) continue;
    const q = parseQuantity(raw);
    if (q === undefined || q <= 0) continue;
    found.add(name);
    into.set(name, (into.get(name) ?? 0) + q);
  }
  return found;
}

/** QoS class of a pod spec whose requests have been defaulted from limits. */
export function computePodQos(spec: JsonRecord): PodQosClass {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of [...records(spec['containers']), ...records(spec['initContainers'])]) {
    const resources = rec(c['resources']) ?? {};
    addPositive(requests, resources['requests']);
    const found = addPositive(limits, resources['limits']);
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
