/**
 * Choosing among feasible nodes. Upstream sums weighted plugin scores and breaks ties at
 * random; Switchyard keeps the effect that matters for small clusters — spreading — and
 * is deterministic:
 *   1. fewer untolerated PreferNoSchedule taints (TaintToleration scoring),
 *   2. fewer pods on the node (evens out load, as LeastAllocated does for pods without requests),
 *   3. fewer pods of the same group (PodTopologySpread's default hostname spreading and
 *      SelectorSpread): same controlling owner, or for bare pods the same labels,
 *   4. node name.
 */
import { effectiveTaints, tolerated } from './node-filters.js';
import type { NodeInfo, PodInfo, Pod } from './scheduling-types.js';

/** Whether two pods belong to the same spreading group. */
export function sameGroup(a: PodInfo, b: PodInfo): boolean {
  if (a.namespace !== b.namespace) return false;
  if (a.ownerUid !== undefined || b.ownerUid !== undefined) return a.ownerUid === b.ownerUid;
  const ka = Object.keys(a.labels);
  if (ka.length === 0 || ka.length !== Object.keys(b.labels).length) return false;
  return ka.every((k) => a.labels[k] === b.labels[k]);
}

/** The comparable score of one node for the pod; lower tuples are better. */
export function nodeScore(pod: Pod, podInfo: PodInfo, info: NodeInfo): readonly number[] {
  const preferNo = effectiveTaints(info.node).filter((t) => t.effect === 'PreferNoSchedule' && !tolerated(pod.spec?.tolerations, t)).length;
  const group = info.pods.filter((p) => sameGroup(p, podInfo)).length;
  return [preferNo, info.pods.length, group];
}

function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The best of the feasible nodes (non-empty), by the order above. */
export function selectNode(pod: Pod, podInfo: PodInfo, feasible: readonly NodeInfo[]): NodeInfo {
  let best: { info: NodeInfo; score: readonly number[] } | undefined;
  for (const info of feasible) {
    const score = nodeScore(pod, podInfo, info);
    if (!best) {
      best = { info, score };
      continue;
    }
    const c = compareTuples(score, best.score);
    if (c < 0 || (c === 0 && info.name < best.info.name)) best = { info, score };
  }
  if (!best) throw new Error('selectNode: no feasible nodes');
  return best.info;
}
