import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computePodStatus, podPhase } from './pod-status.js';
import type { ContainerState, ContainerStatus, Pod } from './pod-types.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function cs(name: string, state: ContainerState, opts: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name, state, lastState: {}, ready: false, restartCount: 0, image: 'img', imageID: '', started: false, ...opts };
}
const running: ContainerState = { running: { startedAt: '2026-01-01T00:00:00Z' } };
const exited = (exitCode: number): ContainerState => ({ terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } });
const crashLoop: ContainerState = { waiting: { reason: 'CrashLoopBackOff' } };

function pod(restartPolicy: string, containers: string[], initContainers: string[] = []): Pod {
  return {
    metadata: { name: 'p', namespace: 'default' },
    spec: { restartPolicy, containers: containers.map((name) => ({ name, image: 'img' })), initContainers: initContainers.map((name) => ({ name, image: 'img' })) },
  };
}

describe('podPhase', () => {
  const cases: { name: string; pod: Pod; init?: ContainerStatus[]; regular: ContainerStatus[]; terminal?: boolean; want: string }[] = [
    { name: 'nothing known yet', pod: pod('Always', ['a']), regular: [], want: 'Pending' },
    { name: 'waiting to start', pod: pod('Always', ['a']), regular: [cs('a', { waiting: { reason: 'ContainerCreating' } })], want: 'Pending' },
    { name: 'all running', pod: pod('Always', ['a', 'b']), regular: [cs('a', running), cs('b', running)], want: 'Running' },
    { name: 'one of two still unknown', pod: pod('Always', ['a', 'b']), regular: [cs('a', running)], want: 'Pending' },
    { name: 'crash looping counts as stopped (Always → Running)', pod: pod('Always', ['a']), regular: [cs('a', crashLoop, { lastState: exited(1) })], want: 'Running' },
    { name: 'Never + exit 0', pod: pod('Never', ['a']), regular: [cs('a', exited(0))], want: 'Succeeded' },
    { name: 'Never + exit 1', pod: pod('Never', ['a']), regular: [cs('a', exited(1))], want: 'Failed' },
    { name: 'OnFailure + exit 1 restarting', pod: pod('OnFailure', ['a']), regular: [cs('a', exited(1))], want: 'Running' },
    { name: 'OnFailure + exit 0', pod: pod('OnFailure', ['a']), regular: [cs('a', exited(0))], want: 'Succeeded' },
    { name: 'Always, all exited, not terminal', pod: pod('Always', ['a']), regular: [cs('a', exited(0))], want: 'Running' },
    { name: 'Always, terminal after deletion, exit 143', pod: pod('Always', ['a']), regular: [cs('a', exited(143))], terminal: true, want: 'Failed' },
    { name: 'Always, terminal after deletion, exit 0', pod: pod('Always', ['a']), regular: [cs('a', exited(0))], terminal: true, want: 'Succeeded' },
    { name: 'init running', pod: pod('Always', ['a'], ['i']), init: [cs('i', running)], regular: [], want: 'Pending' },
    { name: 'init failed with Never', pod: pod('Never', ['a'], ['i']), init: [cs('i', exited(2))], regular: [], want: 'Failed' },
    { name: 'init failed, restarting', pod: pod('Always', ['a'], ['i']), init: [cs('i', crashLoop, { lastState: exited(2) })], regular: [cs('a', { waiting: { reason: 'PodInitializing' } })], want: 'Pending' },
    { name: 'init done, app running', pod: pod('Always', ['a'], ['i']), init: [cs('i', exited(0), { ready: true })], regular: [cs('a', running)], want: 'Running' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(podPhase(c.pod, c.init ?? [], c.regular, c.terminal ?? false), c.want));
});

function conds(s: ReturnType<typeof computePodStatus>): string[] {
  return (s.conditions ?? []).map((c) => `${c.type}=${c.status}${c.reason ? `/${c.reason}` : ''}${c.message ? ` ${c.message}` : ''}`);
}

describe('computePodStatus', () => {
  test('a new pod: waiting ContainerCreating, not ready, sandbox not ready', () => {
    const s = computePodStatus({ pod: pod('Always', ['a']), sandboxReady: false, podIPs: [], hostIPs: ['192.0.2.1'], initStatuses: new Map(), containerStatuses: new Map(), podIsTerminal: false, now: T0 });
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(conds(s), [
      'PodReadyToStartContainers=False',
      'Initialized=True',
      'Ready=False/ContainersNotReady containers with unready status: [a]',
      'ContainersReady=False/ContainersNotReady containers with unready status: [a]',
      'PodScheduled=True',
    ]);
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(s.hostIP, '192.0.2.1');
    assert.equal(s.podIP, undefined);
    assert.equal(s.startTime, '2026-01-01T00:00:00Z');
  });

  test('running and ready; transition times kept when unchanged, other conditions preserved', () => {
    const p = pod('Always', ['a', 'b']);
    p.status = {
      qosClass: 'BestEffort',
      startTime: '2025-12-31T00:00:00Z',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-12-31T00:00:00Z' },
        { type: 'example.com/gate', status: 'True', lastTransitionTime: '2025-12-31T00:00:01Z' },
        { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: '2025-12-31T00:00:02Z' },
      ],
    };
    p.spec!.readinessGates = [{ conditionType: 'example.com/gate' }];
    const s = computePodStatus({
      pod: p,
      sandboxReady: true,
      podIPs: ['10.244.0.5'],
      hostIPs: ['192.0.2.1'],
      initStatuses: new Map(),
      containerStatuses: new Map([
        ['a', cs('a', running, { ready: true, started: true })],
        ['b', cs('b', running, { ready: true, started: true })],
      ]),
      podIsTerminal: false,
      now: T0,
    });
    assert.equal(s.phase, 'Running');
    assert.deepEqual(conds(s), ['example.com/gate=True', 'PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    assert.equal(s.conditions?.find((c) => c.type === 'PodReadyToStartContainers')?.lastTransitionTime, '2025-12-31T00:00:02Z');
    assert.equal(s.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, '2025-12-31T00:00:00Z');
    assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.equal(s.qosClass, 'BestEffort');
    assert.equal(s.startTime, '2025-12-31T00:00:00Z');
    assert.deepEqual(s.podIPs, [{ ip: '10.244.0.5' }]);
  });

  test('readiness gate missing keeps the pod unready', () => {
    const p = pod('Always', ['a']);
    p.spec!.readinessGates = [{ conditionType: 'x/y' }];
    const s = computePodStatus({ pod: p, sandboxReady: true, podIPs: [], hostIPs: [], initStatuses: new Map(), containerStatuses: new Map([['a', cs('a', running, { ready: true })]]), podIsTerminal: false, now: T0 });
    assert.ok(conds(s).includes('Ready=False/ReadinessGatesNotReady corresponding condition of pod readiness gate "x/y" does not exist.'));
    assert.ok(conds(s).includes('ContainersReady=True'));
  });

  test('init containers: PodInitializing waits and incomplete message', () => {
    const s = computePodStatus({
      pod: pod('Always', ['a'], ['i1', 'i2']),
      sandboxReady: true,
      podIPs: [],
      hostIPs: [],
      initStatuses: new Map([['i1', cs('i1', running)]]),
      containerStatuses: new Map(),
      podIsTerminal: false,
      now: T0,
    });
    assert.ok(conds(s).includes('Initialized=False/ContainersNotInitialized containers with incomplete status: [i1 i2]'));
    assert.deepEqual(s.initContainerStatuses?.[1]?.state, { waiting: { reason: 'PodInitializing' } });
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'PodInitializing' } });
  });

  test('succeeded pod: PodCompleted reasons; terminal phase is sticky', () => {
    const p = pod('Never', ['a']);
    const s = computePodStatus({ pod: p, sandboxReady: true, podIPs: [], hostIPs: [], initStatuses: new Map(), containerStatuses: new Map([['a', cs('a', exited(0))]]), podIsTerminal: false, now: T0 });
    assert.equal(s.phase, 'Succeeded');
    assert.ok(conds(s).includes('Ready=False/PodCompleted'));
    p.status = { phase: 'Succeeded' };
    const again = computePodStatus({ pod: p, sandboxReady: false, podIPs: [], hostIPs: [], initStatuses: new Map(), containerStatuses: new Map([['a', cs('a', running)]]), podIsTerminal: false, now: T0 });
    assert.equal(again.phase, 'Succeeded');
  });
});
