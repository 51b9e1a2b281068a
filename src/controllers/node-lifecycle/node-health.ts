/**
 * Node health decisions of the node lifecycle controller (upstream
 * `pkg/controller/nodelifecycle`: tryUpdateNodeHealth, doNoScheduleTaintingPass,
 * processTaintBaseEviction, MarkPodsNotReady), as pure functions.
 *
 * Staleness is judged on the controller's own clock, as upstream does: a heartbeat counts when
 * the controller sees the Ready condition's lastHeartbeatTime change or the node's Lease
 * renewTime move forward; the node is stale when no heartbeat was seen for the grace period.
 */
import type { KubeObject } from '../../api/object.js';
import { isRecord } from '../../api/object.js';

/** Upstream --node-startup-grace-period: allowance for a node that never posted Ready. */
export const NODE_STARTUP_GRACE_PERIOD_MS = 60_000;

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** Conditions the controller sets to Unknown when the node goes silent. */
const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/** condition type → status → NoSchedule taint key (upstream nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};
const NO_SCHEDULE_KEYS = new Set([...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)), TAINT_UNSCHEDULABLE]);
const NO_EXECUTE_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);

export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

/** What the controller last saw of a node's heartbeats. */
export interface HeartbeatRecord {
  readonly readyHeartbeat: string | undefined;
  readonly leaseRenewTime: string | undefined;
  /** Controller time (ms) of the last heartbeat seen. */
  readonly probeMs: number;
  /** The node has never posted a Ready condition: the startup grace period applies. */
  readonly neverPosted: boolean;
}

export interface HeartbeatSighting {
  readonly readyHeartbeat: string | undefined;
  readonly leaseRenewTime: string | undefined;
  readonly hasReadyCondition: boolean;
  /** node.metadata.creationTimestamp in ms (the probe base of a node that never posted). */
  readonly createdMs: number | undefined;
}

export function nodeConditions(node: KubeObject): NodeCondition[] {
  const c = isRecord(node.status) ? node.status.conditions : undefined;
  return Array.isArray(c) ? (c.filter(isRecord) as unknown as NodeCondition[]) : [];
}

export function nodeTaints(node: KubeObject): Taint[] {
  const t = isRecord(node.spec) ? node.spec.taints : undefined;
  return Array.isArray(t) ? (t.filter(isRecord) as unknown as Taint[]) : [];
}

/** Status of the node's Ready condition ('' when it has none). */
export function readyStatus(node: KubeObject): string {
  return nodeConditions(node).find((c) => c.type === 'Ready')?.status ?? '';
}

/** Reads the heartbeat signals of a node and its Lease (if any). */
export function sightingOf(node: KubeObject, lease: KubeObject | undefined): HeartbeatSighting {
  const ready = nodeConditions(node).find((c) => c.type === 'Ready');
  const renew = isRecord(lease?.spec) ? lease.spec.renewTime : undefined;
  const created = node.metadata.creationTimestamp ? Date.parse(node.metadata.creationTimestamp) : NaN;
  return {
    readyHeartbeat: ready?.lastHeartbeatTime,
    leaseRenewTime: typeof renew === 'string' ? renew : undefined,
    hasReadyCondition: ready !== undefined,
    createdMs: Number.isFinite(created) ? created : undefined,
  };
}

function leaseMovedForward(saved: string | undefined, seen: string | undefined): boolean {
  if (seen === undefined) return false;
  if (saved === undefined) return true;
  const a = Date.parse(saved);
  const b = Date.parse(seen);
  return Number.isFinite(a) && Number.isFinite(b) ? b > a : seen !== saved;
}

/** Folds a new sighting into the record (a new record on first sight). */
export function observeHeartbeat(saved: HeartbeatRecord | undefined, seen: HeartbeatSighting, nowMs: number): HeartbeatRecord {
  if (!saved) {
    // A node that never posted status is measured from its creation (startup grace period).
    const probeMs = !seen.hasReadyCondition && seen.createdMs !== undefined ? Math.min(seen.createdMs, nowMs) : nowMs;
    return { readyHeartbeat: seen.readyHeartbeat, leaseRenewTime: seen.leaseRenewTime, probeMs, neverPosted: !seen.hasReadyCondition };
  }
  let probeMs = saved.probeMs;
  if (seen.hasReadyCondition && seen.readyHeartbeat !== saved.readyHeartbeat) probeMs = nowMs;
  if (leaseMovedForward(saved.leaseRenewTime, seen.leaseRenewTime)) probeMs = nowMs;
  return {
    readyHeartbeat: seen.readyHeartbeat,
    leaseRenewTime: leaseMovedForward(saved.leaseRenewTime, seen.leaseRenewTime) ? seen.leaseRenewTime : saved.leaseRenewTime,
    probeMs,
    neverPosted: saved.neverPosted && !seen.hasReadyCondition,
  };
}

/** Milliseconds until the node counts as silent (≤ 0: it does now). */
export function msUntilStale(rec: HeartbeatRecord, nowMs: number, gracePeriodMs: number): number {
  const grace = rec.neverPosted ? NODE_STARTUP_GRACE_PERIOD_MS : gracePeriodMs;
  return rec.probeMs + grace - nowMs;
}

/**
 * The node's conditions after it went silent: Ready and the pressure conditions become Unknown
 * (added when missing). Undefined when nothing changes.
 */
export function silentNodeConditions(node: KubeObject, nowIso: string): NodeCondition[] | undefined {
  const conditions = nodeConditions(node).map((c) => ({ ...c }));
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata.creationTimestamp ?? nowIso,
        lastTransitionTime: nowIso,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = nowIso;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

/**
 * The node's taints with the controller-managed ones brought in line with its conditions:
 * NoSchedule taints for Ready False/Unknown, pressure conditions, NetworkUnavailable and
 * spec.unschedulable; NoExecute not-ready/unreachable for Ready False/Unknown (with timeAdded).
 * Other taints are kept in place. Undefined when nothing changes.
 */
export function reconcileTaints(node: KubeObject, nowIso: string): Taint[] | undefined {
  const current = nodeTaints(node);
  const conds = nodeConditions(node);
  const wantNoSchedule = new Set<string>();
  for (const c of conds) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) wantNoSchedule.add(key);
  }
  if (isRecord(node.spec) && node.spec.unschedulable === true) wantNoSchedule.add(TAINT_UNSCHEDULABLE);
  const ready = conds.find((c) => c.type === 'Ready')?.status;
  const wantNoExecute = new Set<string>(ready === 'False' ? [TAINT_NOT_READY] : ready === 'Unknown' ? [TAINT_UNREACHABLE] : []);

  const next: Taint[] = [];
  const have = new Set<string>();
  for (const t of current) {
    const managed = (t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key)) || (t.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(t.key));
    if (!managed) {
      next.push(t);
      continue;
    }
    const wanted = t.effect === 'NoSchedule' ? wantNoSchedule.has(t.key) : wantNoExecute.has(t.key);
    if (wanted && !have.has(`${t.key}:${t.effect}`)) {
      next.push(t);
      have.add(`${t.key}:${t.effect}`);
    }
  }
  for (const key of [...wantNoSchedule].sort()) if (!have.has(`${key}:NoSchedule`)) next.push({ key, effect: 'NoSchedule' });
  for (const key of wantNoExecute) if (!have.has(`${key}:NoExecute`)) next.push({ key, effect: 'NoExecute', timeAdded: nowIso });
  const same = next.length === current.length && next.every((t, i) => t === current[i]);
  return same ? undefined : next;
}

/**
 * The pod's status with its Ready condition set to False (upstream MarkPodsNotReady: only the
 * status flips, reason and message stay, lastTransitionTime moves). Undefined when the pod has
 * no Ready condition or it is already False.
 */
export function podStatusNotReady(pod: KubeObject, nowIso: string): Record<string, unknown> | undefined {
  const status = isRecord(pod.status) ? pod.status : undefined;
  const conds = Array.isArray(status?.conditions) ? (status.conditions as unknown[]) : [];
  const i = conds.findIndex((c) => isRecord(c) && c.type === 'Ready');
  const ready = conds[i];
  if (i < 0 || !isRecord(ready) || ready.status === 'False') return undefined;
  const next = conds.slice();
  next[i] = { ...ready, status: 'False', lastTransitionTime: nowIso };
  return { ...status, conditions: next };
}
