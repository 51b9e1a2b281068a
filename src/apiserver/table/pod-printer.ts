/**
 * Pod rows: `NAME READY STATUS RESTARTS AGE [IP NODE NOMINATED NODE
 * READINESS GATES]`, with upstream's status-reason rules (init progress,
 * container waiting/terminated reasons, Terminating, restarts `N (5m ago)`).
 */
import type { KubeObject } from '../../api/object.js';
import { AGE_COLUMN, ageOf, column, nameColumn, nameOf, printer, wideColumn } from './columns.js';
import { humanDuration, parseTimestamp } from './human-duration.js';
import { at, int, list, str } from './json-access.js';
import type { TablePrinter } from './table.js';

/** Reason the node controller sets on pods of an unreachable node (upstream node.NodeUnreachablePodReason). */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

export const POD_PRINTER: TablePrinter = printer(
  [
    nameColumn(),
    column('Ready', 'string', 'Ready containers out of all containers of the pod.'),
    column('Status', 'string', 'Summary of the pod phase and its containers\u2019 states.'),
    column('Restarts', 'string', 'Container restarts in the pod, and how long ago the last one happened.'),
    AGE_COLUMN,
    wideColumn('IP', 'The pod\u2019s primary IP address.'),
    wideColumn('Node', 'The node the pod is bound to.'),
    wideColumn('Nominated Node', 'The node the scheduler nominated after preempting pods there.'),
    wideColumn('Readiness Gates', 'Readiness gates whose condition is True, out of all gates.'),
  ],
  podCells,
);

interface Summary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  /** Epoch ms of the latest container termination that counts, if any. */
  lastRestart: number | undefined;
}

function podCells(pod: KubeObject, now: Date): unknown[] {
  const s = summarizePod(pod);
  const restarts =
    s.restarts !== 0 && s.lastRestart !== undefined
      ? `${s.restarts} (${humanDuration(now.getTime() - s.lastRestart)} ago)`
      : String(s.restarts);
  return [
    nameOf(pod),
    `${s.ready}/${s.total}`,
    s.reason,
    restarts,
    ageOf(pod, now),
    podIP(pod) || '<none>',
    str(pod, 'spec', 'nodeName') || '<none>',
    str(pod, 'status', 'nominatedNodeName') || '<none>',
    readinessGates(pod),
  ];
}

/** podIPs[0], falling back to podIP (the v1 to internal conversion fills podIPs from it). */
function podIP(pod: KubeObject): string {
  return str(list(pod, 'status', 'podIPs')[0], 'ip') || str(pod, 'status', 'podIP');
}

function readinessGates(pod: KubeObject): string {
  const gates = list(pod, 'spec', 'readinessGates');
  if (gates.length === 0) return '<none>';
  const conditions = list(pod, 'status', 'conditions');
  let trueCount = 0;
  for (const gate of gates) {
    const c = conditions.find((x) => str(x, 'type') === str(gate, 'conditionType'));
    if (c !== undefined && str(c, 'status') === 'True') trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (b === undefined) return a;
  if (a === undefined) return b;
  return b > a ? b : a;
}

function lastTermination(status: unknown): number | undefined {
  return parseTimestamp(str(status, 'lastState', 'terminated', 'finishedAt'));
}

function hasCondition(pod: KubeObject, type: string): boolean {
  return list(pod, 'status', 'conditions').some((c) => str(c, 'type') === type && str(c, 'status') === 'True');
}

/** Upstream isPodInitializedConditionTrue: the first Initialized condition decides. */
function initializedConditionTrue(pod: KubeObject): boolean {
  const c = list(pod, 'status', 'conditions').find((x) => str(x, 'type') === 'Initialized');
  return c !== undefined && str(c, 'status') === 'True';
}

/**
 * The READY, STATUS and RESTARTS figures, following upstream printPod step
 * by step (the order of the checks matters for which reason wins).
 */
export function summarizePod(pod: KubeObject): Summary {
  const phase = str(pod, 'status', 'phase');
  const s: Summary = {
    ready: 0,
    total: list(pod, 'spec', 'containers').length,
    reason: str(pod, 'status', 'reason') || phase,
    restarts: 0,
    lastRestart: undefined,
  };

  if (
    list(pod, 'status', 'conditions').some(
      (c) => str(c, 'type') === 'PodScheduled' && str(c, 'reason') === 'SchedulingGated',
    )
  ) {
    s.reason = 'SchedulingGated';
  }

  // Sidecars (init containers with restartPolicy Always) count as containers.
  const initSpecs = list(pod, 'spec', 'initContainers');
  const sidecars = new Set<string>();
  for (const c of initSpecs) {
    if (str(c, 'restartPolicy') === 'Always') {
      sidecars.add(str(c, 'name'));
      s.total++;
    }
  }

  let sidecarRestarts = 0;
  let lastSidecarRestart: number | undefined;
  let initializing = false;
  const initStatuses = list(pod, 'status', 'initContainerStatuses');
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const isSidecar = sidecars.has(str(cs, 'name'));
    s.restarts += int(cs, 'restartCount');
    s.lastRestart = later(s.lastRestart, lastTermination(cs));
    if (isSidecar) {
      sidecarRestarts += int(cs, 'restartCount');
      lastSidecarRestart = later(lastSidecarRestart, lastTermination(cs));
    }
    const terminated = at(cs, 'state', 'terminated');
    const waitingReason = str(cs, 'state', 'waiting', 'reason');
    if (terminated !== undefined && int(terminated, 'exitCode') === 0) continue;
    if (isSidecar && at(cs, 'started') === true) {
      if (at(cs, 'ready') === true) s.ready++;
      continue;
    }
    if (terminated !== undefined) {
      const r = str(terminated, 'reason');
      if (r !== '') s.reason = `Init:${r}`;
      else if (int(terminated, 'signal') !== 0) s.reason = `Init:Signal:${int(terminated, 'signal')}`;
      else s.reason = `Init:ExitCode:${int(terminated, 'exitCode')}`;
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      s.reason = `Init:${waitingReason}`;
    } else {
      s.reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || initializedConditionTrue(pod)) {
    s.restarts = sidecarRestarts;
    s.lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = list(pod, 'status', 'containerStatuses');
    // Walk backwards so the first container's state has the last word.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      s.restarts += int(cs, 'restartCount');
      s.lastRestart = later(s.lastRestart, lastTermination(cs));
      const waitingReason = str(cs, 'state', 'waiting', 'reason');
      const terminated = at(cs, 'state', 'terminated');
      if (waitingReason !== '') {
        s.reason = waitingReason;
      } else if (terminated !== undefined && str(terminated, 'reason') !== '') {
        s.reason = str(terminated, 'reason');
      } else if (terminated !== undefined) {
        s.reason =
          int(terminated, 'signal') !== 0
            ? `Signal:${int(terminated, 'signal')}`
            : `ExitCode:${int(terminated, 'exitCode')}`;
      } else if (at(cs, 'ready') === true && at(cs, 'state', 'running') !== undefined) {
        hasRunning = true;
        s.ready++;
      }
    }
    // A pod whose last container completed but another still runs is not "Completed".
    if (s.reason === 'Completed' && hasRunning) {
      s.reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp) {
    if (str(pod, 'status', 'reason') === NODE_UNREACHABLE_POD_REASON) s.reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') s.reason = 'Terminating';
  }
  return s;
}
