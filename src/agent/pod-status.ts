/**
 * The pod status the agent reports, computed from what it knows about the pod's containers
 * (kubelet's generateAPIPodStatus + getPhase + the status package's condition generators):
 * phase, the kubelet-owned conditions, and container statuses in spec order, with upstream
 * reasons and messages. Conditions owned by others (readiness gates, DisruptionTarget) are
 * kept; lastTransitionTime moves only when a condition's status changes; a terminal phase
 * never changes back.
 *
 * Restartable init containers (sidecars) are treated as ordinary init containers.
 */
import { type ContainerState, type ContainerStatus, type Pod, type PodCondition, type PodStatus, rfc3339 } from './pod-types.js';

export const KUBELET_CONDITIONS: ReadonlySet<string> = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

export interface PodStatusInputs {
  /** The pod as last seen from the API (spec plus the status written before). */
  readonly pod: Pod;
  /** The sandbox exists and has its network (PodReadyToStartContainers). */
  readonly sandboxReady: boolean;
  readonly podIPs: readonly string[];
  readonly hostIPs: readonly string[];
  /** Statuses the agent knows, by container name; others are shown waiting. */
  readonly initStatuses: ReadonlyMap<string, ContainerStatus>;
  readonly containerStatuses: ReadonlyMap<string, ContainerStatus>;
  /** The agent has finished with the pod for good (deleted and stopped): no restarts will follow. */
  readonly podIsTerminal: boolean;
  readonly now: number;
}

/** Upstream getPhase. */
export function podPhase(pod: Pod, init: readonly ContainerStatus[], regular: readonly ContainerStatus[], podIsTerminal: boolean): string {
  const spec = pod.spec ?? {};
  const policy = spec.restartPolicy || 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of spec.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name);
    if (!s) {
      pendingInit++;
      continue;
    }
    if (s.state.running) pendingInit++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.containers ?? []) {
    const s = regular.find((x) => x.name === c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function goList(names: readonly string[]): string {
  return `[${names.join(' ')}]`;
}

type Cond = Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>;

function containersReady(pod: Pod, all: readonly ContainerStatus[], phase: string): Cond {
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of pod.spec?.containers ?? []) {
    const s = all.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  if (phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: 'PodFailed' };
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length) msgs.push(`containers with unready status: ${goList(unready)}`);
  if (msgs.length) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: msgs.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

function podReady(pod: Pod, conditions: readonly PodCondition[], cr: Cond): Cond {
  if (cr.status !== 'True') return { type: 'Ready', status: cr.status, reason: cr.reason, message: cr.message };
  const msgs: string[] = [];
  for (const g of pod.spec?.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === g.conditionType);
    if (!c) msgs.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  if (msgs.length) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: msgs.join(', ') };
  return { type: 'Ready', status: 'True' };
}

function initialized(pod: Pod, init: readonly ContainerStatus[], regular: readonly ContainerStatus[], phase: string): Cond {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  // Once any regular container has started, the pod was initialized.
  if (regular.some((s) => s.state.running || s.state.terminated || s.lastState.terminated)) return { type: 'Initialized', status: 'True' };
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length) msgs.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (msgs.length) return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: msgs.join(', ') };
  return { type: 'Initialized', status: 'True' };
}

function withTimes(c: Cond, old: readonly PodCondition[], now: number): PodCondition {
  const prev = old.find((x) => x.type === c.type);
  const out: PodCondition = {
    type: c.type,
    status: c.status,
    lastProbeTime: null,
    lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now),
  };
  if (c.reason) out.reason = c.reason;
  if (c.message) out.message = c.message;
  return out;
}

function defaultStatus(name: string, image: string, state: ContainerState): ContainerStatus {
  return { name, state, lastState: {}, ready: false, restartCount: 0, image, imageID: '', started: false };
}

/** The full status to report. */
export function computePodStatus(i: PodStatusInputs): PodStatus {
  const { pod } = i;
  const old = pod.status ?? {};
  const oldConds = old.conditions ?? [];
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;
  const waitingDefault: ContainerState = { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } };
  const init = (pod.spec?.initContainers ?? []).map((c) => i.initStatuses.get(c.name) ?? defaultStatus(c.name, c.image ?? '', waitingDefault));
  const regular = (pod.spec?.containers ?? []).map((c) => i.containerStatuses.get(c.name) ?? defaultStatus(c.name, c.image ?? '', waitingDefault));

  const oldPhase = old.phase;
  const phase = oldPhase === 'Failed' || oldPhase === 'Succeeded' ? oldPhase : podPhase(pod, init, regular, i.podIsTerminal);

  const conditions: PodCondition[] = oldConds.filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const cr = containersReady(pod, regular, phase);
  const generated: Cond[] = [
    { type: 'PodReadyToStartContainers', status: i.sandboxReady ? 'True' : 'False' },
    initialized(pod, init, regular, phase),
    podReady(pod, conditions, cr),
    cr,
  ];
  for (const c of generated) conditions.push(withTimes(c, oldConds, i.now));
  const scheduled = oldConds.find((c) => c.type === 'PodScheduled');
  conditions.push(scheduled && scheduled.status === 'True' ? scheduled : withTimes({ type: 'PodScheduled', status: 'True' }, oldConds, i.now));

  const status: PodStatus = { phase, conditions };
  if (old.message) status.message = old.message;
  if (old.reason) status.reason = old.reason;
  if (i.hostIPs.length) {
    status.hostIP = i.hostIPs[0];
    status.hostIPs = i.hostIPs.map((ip) => ({ ip }));
  }
  if (i.podIPs.length) {
    status.podIP = i.podIPs[0];
    status.podIPs = i.podIPs.map((ip) => ({ ip }));
  }
  status.startTime = old.startTime ?? rfc3339(i.now);
  if (hasInit) status.initContainerStatuses = init;
  status.containerStatuses = regular;
  if (old.qosClass) status.qosClass = old.qosClass;
  return status;
}
