/**
 * The Node object the agent registers and keeps up to date (kubelet's node status setters):
 * well-known labels, addresses, capacity and allocatable, nodeInfo, the kubelet endpoint, and
 * the Ready / MemoryPressure / DiskPressure / PIDPressure conditions. Pure: machine facts come in
 * as `MachineInfo`.
 */
import type { KubeObject } from '../api/object.js';
import { rfc3339 } from './pod-types.js';

export const KUBELET_VERSION = 'v1.32.0-switchyard';
export const CONTAINER_RUNTIME_VERSION = 'switchyard://0.1.0';
/** Upstream's default --max-pods. */
export const MAX_PODS = 110;

export interface MachineInfo {
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly ephemeralStorageBytes: number;
  readonly kernelVersion: string;
  readonly osImage: string;
  /** Go names: amd64, arm64, ... */
  readonly architecture: string;
  readonly hostname: string;
  readonly machineID: string;
  readonly bootID: string;
}

export interface NodeIdentity {
  readonly name: string;
  readonly internalIP: string;
  readonly kubeletPort: number;
  readonly zone?: string;
  readonly region?: string;
  /** node-role.kubernetes.io/<role>=true labels (k3s puts control-plane and master on servers). */
  readonly roles?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** Node.js arch → Go GOARCH. */
export function goArch(arch: string): string {
  const m: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return m[arch] ?? arch;
}

export function nodeLabels(id: NodeIdentity, m: MachineInfo): Record<string, string> {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': m.architecture,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': m.architecture,
    'kubernetes.io/hostname': id.name,
    'kubernetes.io/os': 'linux',
  };
  if (id.zone) {
    labels['topology.kubernetes.io/zone'] = id.zone;
    labels['failure-domain.beta.kubernetes.io/zone'] = id.zone;
  }
  if (id.region) {
    labels['topology.kubernetes.io/region'] = id.region;
    labels['failure-domain.beta.kubernetes.io/region'] = id.region;
  }
  for (const r of id.roles ?? []) labels[`node-role.kubernetes.io/${r}`] = 'true';
  return { ...labels, ...(id.labels ?? {}) };
}

function ki(bytes: number): string {
  return `${Math.floor(bytes / 1024)}Ki`;
}

export function nodeResources(m: MachineInfo): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const capacity = {
    cpu: String(m.cpus),
    'ephemeral-storage': ki(m.ephemeralStorageBytes),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: ki(m.memoryBytes),
    pods: String(MAX_PODS),
  };
  // Upstream's default hard eviction thresholds: memory.available<100Mi, nodefs.available<10%.
  const allocatable = {
    ...capacity,
    'ephemeral-storage': String(Math.floor(m.ephemeralStorageBytes * 0.9)),
    memory: ki(Math.max(0, m.memoryBytes - 100 * 2 ** 20)),
  };
  return { capacity, allocatable };
}

const HEALTHY: readonly Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/** The agent's conditions; transition times kept from `previous` when the status is unchanged. */
export function nodeConditions(previous: readonly NodeCondition[], now: number): NodeCondition[] {
  const ts = rfc3339(now);
  return HEALTHY.map((c) => {
    const prev = previous.find((p) => p.type === c.type);
    return { ...c, lastHeartbeatTime: ts, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : ts };
  });
}

/** The node's status (without conditions' heartbeat bookkeeping, see nodeConditions). */
export function nodeStatus(id: NodeIdentity, m: MachineInfo, previousConditions: readonly NodeCondition[], now: number): Record<string, unknown> {
  const { capacity, allocatable } = nodeResources(m);
  return {
    capacity,
    allocatable,
    conditions: nodeConditions(previousConditions, now),
    addresses: [
      { type: 'InternalIP', address: id.internalIP },
      { type: 'Hostname', address: id.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: id.kubeletPort } },
    nodeInfo: {
      machineID: m.machineID,
      systemUUID: m.machineID,
      bootID: m.bootID,
      kernelVersion: m.kernelVersion,
      osImage: m.osImage,
      containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: m.architecture,
    },
  };
}

/** The Node to create at registration. */
export function nodeObject(id: NodeIdentity, m: MachineInfo, now: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: id.name, labels: nodeLabels(id, m), annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'switchyard.io/node-agent': 'true' } },
    spec: {},
    status: nodeStatus(id, m, [], now),
  };
}

/** Status fields compared to decide whether a status write is due (heartbeat times excluded). */
export function statusFingerprint(status: Record<string, unknown>): string {
  const conds = Array.isArray(status.conditions) ? (status.conditions as NodeCondition[]).map((c) => ({ ...c, lastHeartbeatTime: undefined })) : [];
  return JSON.stringify({ ...status, conditions: conds });
}
