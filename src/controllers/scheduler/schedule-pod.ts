/**
 * One scheduling cycle for one pod, pure: filter every node, pick the best feasible one,
 * or explain (in upstream's FitError wording) why none fits.
 */
import { filterNode } from './node-filters.js';
import { selectNode } from './node-scoring.js';
import { podInfo } from './pod-resources.js';
import type { NodeInfo, Pod } from './scheduling-types.js';

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';
const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS = 'No preemption victims found for incoming pod';

export type ScheduleResult =
  | { readonly kind: 'bind'; readonly nodeName: string }
  | { readonly kind: 'unschedulable'; readonly message: string };

/** `"<count> <reason>"` entries sorted as strings, as upstream FitError's histogram. */
function histogram(counts: ReadonlyMap<string, number>): string {
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort().join(', ');
}

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

/**
 * Upstream's FitError message: `0/N nodes are available: <histogram>. preemption: 0/N nodes are
 * available: <histogram>.` Switchyard never preempts; the preemption part says why, like the
 * default preemption plugin does when no lower-priority victims exist.
 */
export function fitErrorMessage(
  numNodes: number,
  failures: readonly { readonly reasons: readonly string[]; readonly resolvable: boolean }[],
  preemptionPolicy: string | undefined,
): string {
  const reasons = new Map<string, number>();
  const preemption = new Map<string, number>();
  for (const f of failures) {
    for (const r of f.reasons) bump(reasons, r);
    bump(preemption, f.resolvable ? NO_VICTIMS : PREEMPTION_NOT_HELPFUL);
  }
  let msg = `0/${numNodes} nodes are available: ${histogram(reasons)}.`;
  if (preemptionPolicy === 'Never') msg += ' preemption: not eligible due to preemptionPolicy=Never.';
  else msg += ` preemption: 0/${numNodes} nodes are available: ${histogram(preemption)}.`;
  return msg;
}

/** Decide where `pod` goes given every node with what is already on it. */
export function schedulePod(pod: Pod, nodes: readonly NodeInfo[]): ScheduleResult {
  if (nodes.length === 0) return { kind: 'unschedulable', message: NO_NODES_MESSAGE };
  const info = podInfo(pod);
  const feasible: NodeInfo[] = [];
  const failures: { reasons: readonly string[]; resolvable: boolean }[] = [];
  for (const n of nodes) {
    const r = filterNode(pod, info.requests, n);
    if (r.fits) feasible.push(n);
    else failures.push(r);
  }
  if (feasible.length === 0) return { kind: 'unschedulable', message: fitErrorMessage(nodes.length, failures, pod.spec?.preemptionPolicy) };
  return { kind: 'bind', nodeName: selectNode(pod, info, feasible).name };
}
