/** Aggregates the pods placed on a node into the scheduler's NodeInfo. */
import { podInfo } from './pod-resources.js';
import type { Node, NodeInfo, Pod, PodInfo } from './scheduling-types.js';

/** NodeInfo of `node` holding `pods` (already filtered to live pods bound or assumed there). */
export function buildNodeInfo(node: Node, pods: readonly (Pod | PodInfo)[]): NodeInfo {
  const infos = pods.map((p) => ('metadata' in p ? podInfo(p) : p));
  let cpu = 0;
  let mem = 0;
  for (const p of infos) {
    cpu += p.requests.milliCPU;
    mem += p.requests.memory;
  }
  return { node, name: node.metadata.name ?? '', pods: infos, requested: { milliCPU: cpu, memory: mem } };
}
