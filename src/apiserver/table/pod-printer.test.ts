import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { printerFor } from './printers.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const CREATED = '2024-05-01T11:55:00Z'; // 5m before NOW
const TWO_MIN_AGO = '2024-05-01T11:58:00Z';

function pod(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', creationTimestamp: CREATED, ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status,
  };
}

const running = { running: { startedAt: CREATED } };
const readyCondition = { type: 'Ready', status: 'True' };

/** Cells: name, ready, status, restarts, age, ip, node, nominated node, readiness gates. */
const cases: { name: string; obj: KubeObject; want: unknown[] }[] = [
  {
    name: 'pending, not yet scheduled',
    obj: pod({}, { phase: 'Pending' }),
    want: ['web-0', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'container creating',
    obj: pod(
      { nodeName: 'node-1' },
      {
        phase: 'Pending',
        containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
      },
    ),
    want: ['web-0', '0/1', 'ContainerCreating', '0', '5m', '<none>', 'node-1', '<none>', '<none>'],
  },
  {
    name: 'running and ready',
    obj: pod(
      { nodeName: 'node-1' },
      {
        phase: 'Running',
        podIP: '10.244.0.5',
        podIPs: [{ ip: '10.244.0.5' }],
        conditions: [readyCondition],
        containerStatuses: [{ name: 'app', ready: true, started: true, restartCount: 0, state: running }],
      },
    ),
    want: ['web-0', '1/1', 'Running', '0', '5m', '10.244.0.5', 'node-1', '<none>', '<none>'],
  },
  {
    name: 'podIP without podIPs still shows',
    obj: pod({}, { phase: 'Running', podIP: '10.244.0.9' }),
    want: ['web-0', '0/1', 'Running', '0', '5m', '10.244.0.9', '<none>', '<none>', '<none>'],
  },
  {
    name: 'completed',
    obj: pod(
      {},
      {
        phase: 'Succeeded',
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
      },
    ),
    want: ['web-0', '0/1', 'Completed', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'crash loop with restarts and last restart age',
    obj: pod(
      {},
      {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: TWO_MIN_AGO } },
          },
        ],
      },
    ),
    want: ['web-0', '0/1', 'CrashLoopBackOff', '5 (2m ago)', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'restarts without a termination time show the bare count',
    obj: pod({}, { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 2, state: running }] }),
    want: ['web-0', '1/1', 'Running', '2', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'failed with Error',
    obj: pod(
      {},
      {
        phase: 'Failed',
        containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }],
      },
    ),
    want: ['web-0', '0/1', 'Error', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'terminated without reason shows the signal',
    obj: pod(
      {},
      { phase: 'Running', containerStatuses: [{ name: 'app', restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] },
    ),
    want: ['web-0', '0/1', 'Signal:9', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'terminated without reason or signal shows the exit code',
    obj: pod(
      {},
      { phase: 'Running', containerStatuses: [{ name: 'app', restartCount: 0, state: { terminated: { exitCode: 3 } } }] },
    ),
    want: ['web-0', '0/1', 'ExitCode:3', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'terminating',
    obj: pod(
      {},
      { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }] },
      { deletionTimestamp: '2024-05-01T11:59:00Z', deletionGracePeriodSeconds: 30 },
    ),
    want: ['web-0', '1/1', 'Terminating', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'deleted pod that already succeeded stays Completed',
    obj: pod(
      {},
      {
        phase: 'Succeeded',
        containerStatuses: [{ name: 'app', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
      { deletionTimestamp: '2024-05-01T11:59:00Z' },
    ),
    want: ['web-0', '0/1', 'Completed', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'deleted pod on a lost node is Unknown',
    obj: pod({}, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: '2024-05-01T11:59:00Z' }),
    want: ['web-0', '0/1', 'Unknown', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'init container still running',
    obj: pod(
      { initContainers: [{ name: 'init', image: 'busybox' }] },
      {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'False' }],
        initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, state: running }],
        containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    ),
    want: ['web-0', '0/1', 'Init:0/1', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'second of two init containers',
    obj: pod(
      { initContainers: [{ name: 'a' }, { name: 'b' }] },
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'a', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'b', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
    ),
    want: ['web-0', '0/1', 'Init:1/2', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'init container failed',
    obj: pod(
      { initContainers: [{ name: 'init' }] },
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'init', restartCount: 3, state: { terminated: { exitCode: 1, reason: 'Error' } }, lastState: { terminated: { exitCode: 1, finishedAt: TWO_MIN_AGO } } },
        ],
      },
    ),
    want: ['web-0', '0/1', 'Init:Error', '3 (2m ago)', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'init container in crash loop',
    obj: pod(
      { initContainers: [{ name: 'init' }] },
      { phase: 'Pending', initContainerStatuses: [{ name: 'init', restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
    ),
    want: ['web-0', '0/1', 'Init:CrashLoopBackOff', '1', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'sidecar counts as a container and is ready',
    obj: pod(
      { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }, readyCondition],
        initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: running }],
        containerStatuses: [{ name: 'app', ready: true, started: true, restartCount: 0, state: running }],
      },
    ),
    want: ['web-0', '2/2', 'Running', '1', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'one container completed while another runs: Running with Ready condition',
    obj: pod(
      { containers: [{ name: 'a' }, { name: 'b' }] },
      {
        phase: 'Running',
        conditions: [readyCondition],
        containerStatuses: [
          { name: 'a', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'b', ready: true, restartCount: 0, state: running },
        ],
      },
    ),
    want: ['web-0', '1/2', 'Running', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'one container completed while another runs: NotReady without Ready condition',
    obj: pod(
      { containers: [{ name: 'a' }, { name: 'b' }] },
      {
        phase: 'Running',
        containerStatuses: [
          { name: 'a', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'b', ready: true, restartCount: 0, state: running },
        ],
      },
    ),
    want: ['web-0', '1/2', 'NotReady', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'scheduling gated',
    obj: pod(
      { schedulingGates: [{ name: 'example.com/gate' }] },
      { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
    ),
    want: ['web-0', '0/1', 'SchedulingGated', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'status.reason overrides the phase (Evicted)',
    obj: pod({}, { phase: 'Failed', reason: 'Evicted' }),
    want: ['web-0', '0/1', 'Evicted', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'readiness gates and nominated node',
    obj: pod(
      { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
      {
        phase: 'Pending',
        nominatedNodeName: 'node-2',
        conditions: [
          { type: 'example.com/lb', status: 'True' },
          { type: 'example.com/dns', status: 'False' },
        ],
      },
    ),
    want: ['web-0', '0/1', 'Pending', '0', '5m', '<none>', '<none>', 'node-2', '1/2'],
  },
];

describe('pod printer', () => {
  const printer = printerFor('', 'Pod');
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(printer.cells(c.obj, NOW), c.want));
  }

  test('columns', () => {
    assert.deepEqual(
      printer.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Ready', 'string', 0],
        ['Status', 'string', 0],
        ['Restarts', 'string', 0],
        ['Age', 'string', 0],
        ['IP', 'string', 1],
        ['Node', 'string', 1],
        ['Nominated Node', 'string', 1],
        ['Readiness Gates', 'string', 1],
      ],
    );
  });
});
