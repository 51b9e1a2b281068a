import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type MachineInfo, goArch, nodeConditions, nodeLabels, nodeObject, nodeResources } from './node-status.js';

const M: MachineInfo = {
  cpus: 4,
  memoryBytes: 8 * 2 ** 30,
  ephemeralStorageBytes: 100 * 2 ** 30,
  kernelVersion: '6.1.0-test',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  architecture: 'amd64',
  hostname: 'box',
  machineID: 'mid',
  bootID: 'bid',
};

describe('node status', () => {
  test('labels: hostname, os, arch, zone/region and roles', () => {
    assert.deepEqual(nodeLabels({ name: 'n1', internalIP: '127.0.0.1', kubeletPort: 10250, zone: 'z1', region: 'r1', roles: ['control-plane', 'master'] }, M), {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'n1',
      'kubernetes.io/os': 'linux',
      'topology.kubernetes.io/zone': 'z1',
      'failure-domain.beta.kubernetes.io/zone': 'z1',
      'topology.kubernetes.io/region': 'r1',
      'failure-domain.beta.kubernetes.io/region': 'r1',
      'node-role.kubernetes.io/control-plane': 'true',
      'node-role.kubernetes.io/master': 'true',
    });
  });
  test('capacity and allocatable', () => {
    const r = nodeResources(M);
    assert.deepEqual(r.capacity, { cpu: '4', 'ephemeral-storage': '104857600Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '8388608Ki', pods: '110' });
    assert.equal(r.allocatable.memory, '8286208Ki');
    assert.equal(r.allocatable['ephemeral-storage'], String(Math.floor(100 * 2 ** 30 * 0.9)));
  });
  test('conditions: Ready True, pressure False, transition kept', () => {
    const first = nodeConditions([], Date.parse('2026-01-01T00:00:00Z'));
    assert.deepEqual(first.map((c) => `${c.type}=${c.status}/${c.reason}`), [
      'MemoryPressure=False/KubeletHasSufficientMemory',
      'DiskPressure=False/KubeletHasNoDiskPressure',
      'PIDPressure=False/KubeletHasSufficientPID',
      'Ready=True/KubeletReady',
    ]);
    const later = nodeConditions(first, Date.parse('2026-01-01T00:05:00Z'));
    assert.equal(later[3]?.lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.equal(later[3]?.lastHeartbeatTime, '2026-01-01T00:05:00Z');
    const afterUnknown = nodeConditions([{ type: 'Ready', status: 'Unknown', lastTransitionTime: '2026-01-01T00:03:00Z' }], Date.parse('2026-01-01T00:05:00Z'));
    assert.equal(afterUnknown[3]?.lastTransitionTime, '2026-01-01T00:05:00Z');
  });
  test('node object carries addresses, kubelet port and versions', () => {
    const n = nodeObject({ name: 'n1', internalIP: '127.0.0.2', kubeletPort: 10255 }, M, 0) as unknown as { status: Record<string, unknown> };
    assert.deepEqual(n.status.addresses, [
      { type: 'InternalIP', address: '127.0.0.2' },
      { type: 'Hostname', address: 'n1' },
    ]);
    assert.deepEqual(n.status.daemonEndpoints, { kubeletEndpoint: { Port: 10255 } });
    assert.equal((n.status.nodeInfo as { kubeletVersion: string }).kubeletVersion, 'v1.32.0-switchyard');
  });
  test('goArch', () => assert.deepEqual(['x64', 'arm64'].map(goArch), ['amd64', 'arm64']));
});
