/**
 * Feasibility checks of one pod against one node, in the order of the default
 * scheduler profile's filter plugins (NodeUnschedulable, TaintToleration,
 * NodeAffinity, NodeResourcesFit); the first plugin that rejects decides, as
 * upstream's RunFilterPlugins. Reasons are upstream's texts so the aggregated
 * FailedScheduling message reads the same.
 */
import type { Node, NodeInfo, NodeSelectorRequirement, NodeSelectorTerm, Pod, Resources, Taint, Toleration } from './scheduling-types.js';
import { bytes, milliCPU } from './pod-resources.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_INSUFFICIENT_CPU = 'Insufficient cpu';
export const REASON_INSUFFICIENT_MEMORY = 'Insufficient memory';

/** Upstream's text for a NoSchedule/NoExecute taint the pod does not tolerate. */
export function untoleratedTaintReason(t: Taint): string {
  return `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
}

export type FilterResult =
  | { readonly fits: true }
  /** `resolvable` is false when evicting pods could never help (upstream UnschedulableAndUnresolvable). */
  | { readonly fits: false; readonly reasons: readonly string[]; readonly resolvable: boolean };

const FITS: FilterResult = { fits: true };

/** Upstream Toleration.ToleratesTaint. */
export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  switch (tol.operator ?? '') {
    case '':
    case 'Equal':
      return (tol.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/**
 * The node's taints plus the ones the node lifecycle controller would add for its Ready
 * condition (TaintNodesByCondition): not-ready for False or a missing condition,
 * unreachable for Unknown. So a NotReady node rejects pods even before it is tainted,
 * and pods that tolerate those taints (as DaemonSet pods do) still fit.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  if (ready !== 'True') {
    const key = ready === 'Unknown' ? TAINT_UNREACHABLE : TAINT_NOT_READY;
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  }
  return taints;
}

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      if (!/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0] ?? '')) return false;
      const have = BigInt(value);
      const want = BigInt(values[0] ?? '0');
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** One term: every expression and field requirement holds; an empty term matches nothing. */
function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const e of exprs) {
    const v = e.key !== undefined && Object.prototype.hasOwnProperty.call(labels, e.key) ? labels[e.key] : undefined;
    if (!requirementMatches(e, v)) return false;
  }
  for (const f of fields) {
    // Only metadata.name is a selectable node field (with In / NotIn).
    if (f.key !== 'metadata.name' || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
    if (!requirementMatches(f, node.metadata.name)) return false;
  }
  return true;
}

/** nodeSelector labels and required node affinity terms (ORed) of the pod against the node. */
export function matchesNodeAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    const terms = required.nodeSelectorTerms ?? [];
    if (!terms.some((t) => termMatches(t, node))) return false;
  }
  return true;
}

/**
 * The node's allocatable amount of a resource: `status.allocatable`, else `status.capacity`,
 * else undefined (no limit). Upstream treats a missing value as zero; nodes written by hand in
 * a test cluster often carry no resources at all, so they are taken as unbounded instead.
 */
function allocatable(node: Node, name: string): unknown {
  return node.status?.allocatable?.[name] ?? node.status?.capacity?.[name];
}

/** NodeResourcesFit: pod count, then cpu and memory (all insufficiencies reported). */
export function resourceFitReasons(requests: Resources, info: NodeInfo): string[] {
  const reasons: string[] = [];
  const podsAlloc = allocatable(info.node, 'pods');
  if (podsAlloc !== undefined && info.pods.length + 1 > bytes(podsAlloc)) reasons.push(REASON_TOO_MANY_PODS);
  if (requests.milliCPU === 0 && requests.memory === 0) return reasons;
  const cpuAlloc = allocatable(info.node, 'cpu');
  if (requests.milliCPU > 0 && cpuAlloc !== undefined && requests.milliCPU > milliCPU(cpuAlloc) - info.requested.milliCPU) {
    reasons.push(REASON_INSUFFICIENT_CPU);
  }
  const memAlloc = allocatable(info.node, 'memory');
  if (requests.memory > 0 && memAlloc !== undefined && requests.memory > bytes(memAlloc) - info.requested.memory) {
    reasons.push(REASON_INSUFFICIENT_MEMORY);
  }
  return reasons;
}

/** Whether `pod` (asking for `requests`) may run on the node described by `info`. */
export function filterNode(pod: Pod, requests: Resources, info: NodeInfo): FilterResult {
  const node = info.node;
  const tolerations = pod.spec?.tolerations;
  if (node.spec?.unschedulable === true && !tolerated(tolerations, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' })) {
    return { fits: false, reasons: [REASON_UNSCHEDULABLE], resolvable: false };
  }
  const taint = effectiveTaints(node).find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(tolerations, t));
  if (taint) return { fits: false, reasons: [untoleratedTaintReason(taint)], resolvable: false };
  if (!matchesNodeAffinity(pod, node)) return { fits: false, reasons: [REASON_NODE_AFFINITY], resolvable: false };
  const reasons = resourceFitReasons(requests, info);
  if (reasons.length > 0) return { fits: false, reasons, resolvable: true };
  return FITS;
}
