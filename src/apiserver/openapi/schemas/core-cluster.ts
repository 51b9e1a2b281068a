/** core/v1 Namespace and Node. */

import {
  CORE,
  arr,
  bool,
  gvk,
  int32,
  int64,
  listOf,
  obj,
  objectProps,
  quantityMap,
  ref,
  refArr,
  str,
  strArr,
  time,
} from '../schema-dsl.js';
import type { ListOpts, SchemaMap } from '../schema-dsl.js';

const NAMESPACE_GVK = gvk('', 'v1', 'Namespace');
const NODE_GVK = gvk('', 'v1', 'Node');

const CONDITION_LIST: ListOpts = { listType: 'map', mapKeys: ['type'], mergeKey: 'type', strategy: 'merge' };

export const coreClusterSchemas: SchemaMap = {
  [CORE + 'Namespace']: obj({
    description: 'A Namespace is a scope for names: most objects live in one, and names are unique within it.',
    properties: {
      ...objectProps('Namespace'),
      spec: ref(CORE + 'NamespaceSpec', 'Desired state of the Namespace (its finalizers).', { default: {} }),
      status: ref(CORE + 'NamespaceStatus', 'Observed state of the Namespace, such as whether it is terminating.', {
        default: {},
      }),
    },
    gvk: [NAMESPACE_GVK],
  }),
  [CORE + 'NamespaceList']: listOf(CORE + 'Namespace', 'Namespace', NAMESPACE_GVK, 'Namespaces'),

  [CORE + 'NamespaceSpec']: obj({
    description: 'The desired state of a Namespace.',
    properties: {
      finalizers: strArr(
        'Cleanup steps that must finish before the Namespace is removed; "kubernetes" stands for deleting all contained objects.',
      ),
    },
  }),

  [CORE + 'NamespaceStatus']: obj({
    description: 'The observed state of a Namespace.',
    properties: {
      conditions: refArr(CORE + 'NamespaceCondition', 'Latest observations of the Namespace\'s state.', CONDITION_LIST),
      phase: str('Lifecycle phase: "Active", or "Terminating" once deletion has started.', {
        enum: ['Active', 'Terminating'],
      }),
    },
  }),

  [CORE + 'NamespaceCondition']: obj({
    description: 'One condition of a Namespace, such as a problem while deleting its content.',
    properties: {
      lastTransitionTime: time('When the condition last changed status.'),
      message: str('Human-readable details.'),
      reason: str('CamelCase reason for the last transition.'),
      status: str('"True", "False" or "Unknown".'),
      type: str('Type of the condition, e.g. "NamespaceDeletionContentFailure".'),
    },
    required: ['type', 'status'],
  }),

  [CORE + 'Node']: obj({
    description: 'A Node is a worker machine on which Pods are scheduled and run; its status is reported by the kubelet.',
    properties: {
      ...objectProps('Node'),
      spec: ref(CORE + 'NodeSpec', 'Configuration of the node: its Pod CIDRs, taints and schedulability.', {
        default: {},
      }),
      status: ref(CORE + 'NodeStatus', 'Most recently observed state of the node, reported by its kubelet. Read-only.', {
        default: {},
      }),
    },
    gvk: [NODE_GVK],
  }),
  [CORE + 'NodeList']: listOf(CORE + 'Node', 'Node', NODE_GVK, 'Nodes'),

  [CORE + 'NodeSpec']: obj({
    description: 'The configuration of a node.',
    properties: {
      configSource: ref(CORE + 'NodeConfigSource', 'Deprecated: dynamic kubelet configuration, no longer used.'),
      externalID: str('Deprecated and unused.'),
      podCIDR: str('IP range assigned to Pods on this node; the same as podCIDRs[0].'),
      podCIDRs: arr(
        { type: 'string' },
        'IP ranges assigned to Pods on this node, at most one per IP family.',
        { listType: 'set', strategy: 'merge' },
      ),
      providerID: str('Identifier of the node in the cloud provider, as <provider>://<id>.'),
      taints: refArr(CORE + 'Taint', 'Taints that repel Pods without a matching toleration.', { listType: 'atomic' }),
      unschedulable: bool('When true, no new Pods are scheduled onto the node (set by "kubectl cordon"). Defaults to false.'),
    },
  }),

  [CORE + 'Taint']: obj({
    description: 'A taint makes a node repel Pods that do not tolerate it.',
    properties: {
      effect: str('What happens to Pods that do not tolerate the taint: NoSchedule, PreferNoSchedule or NoExecute.', {
        enum: ['NoExecute', 'NoSchedule', 'PreferNoSchedule'],
      }),
      key: str('The taint key.'),
      timeAdded: time('When a NoExecute taint was added; set by the system.'),
      value: str('The taint value.'),
    },
    required: ['key', 'effect'],
  }),

  [CORE + 'NodeConfigSource']: obj({
    description: 'Deprecated source of dynamic kubelet configuration.',
    properties: {
      configMap: ref(CORE + 'ConfigMapNodeConfigSource', 'A ConfigMap holding the kubelet configuration.'),
    },
  }),

  [CORE + 'ConfigMapNodeConfigSource']: obj({
    description: 'Deprecated: a ConfigMap used as kubelet configuration.',
    properties: {
      kubeletConfigKey: str('Key of the ConfigMap holding the configuration.'),
      name: str('Name of the ConfigMap.'),
      namespace: str('Namespace of the ConfigMap.'),
      resourceVersion: str('resourceVersion of the ConfigMap; set in status only.'),
      uid: str('UID of the ConfigMap; set in status only.'),
    },
    required: ['namespace', 'name', 'kubeletConfigKey'],
  }),

  [CORE + 'NodeStatus']: obj({
    description: 'The observed state of a node.',
    properties: {
      addresses: refArr(CORE + 'NodeAddress', 'Addresses of the node (InternalIP, ExternalIP, Hostname, …).', {
        listType: 'map',
        mapKeys: ['type'],
        mergeKey: 'type',
        strategy: 'merge',
      }),
      allocatable: quantityMap('Resources available to Pods, after system reservations. Defaults to capacity.'),
      capacity: quantityMap('Total resources of the node (cpu, memory, pods, ephemeral-storage, …).'),
      conditions: refArr(CORE + 'NodeCondition', 'Current conditions of the node, such as Ready and MemoryPressure.', CONDITION_LIST),
      config: ref(CORE + 'NodeConfigStatus', 'Deprecated: status of dynamic kubelet configuration.'),
      daemonEndpoints: ref(CORE + 'NodeDaemonEndpoints', 'Ports of daemons (the kubelet) running on the node.', {
        default: {},
      }),
      features: ref(CORE + 'NodeFeatures', 'Optional features the node supports.'),
      images: refArr(CORE + 'ContainerImage', 'Container images present on the node.', { listType: 'atomic' }),
      nodeInfo: ref(CORE + 'NodeSystemInfo', 'Identifiers and versions of the node\'s software.', { default: {} }),
      phase: str('Deprecated and unused lifecycle phase.', { enum: ['Pending', 'Running', 'Terminated'] }),
      runtimeHandlers: refArr(CORE + 'NodeRuntimeHandler', 'Runtime handlers available on the node.', {
        listType: 'atomic',
      }),
      volumesAttached: refArr(CORE + 'AttachedVolume', 'Volumes attached to the node.', { listType: 'atomic' }),
      volumesInUse: strArr('Volumes in use (mounted) on the node.'),
    },
  }),

  [CORE + 'NodeAddress']: obj({
    description: 'One address of a node.',
    properties: {
      address: str('The address.'),
      type: str('Type of the address: Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.'),
    },
    required: ['type', 'address'],
  }),

  [CORE + 'NodeCondition']: obj({
    description: 'One condition of a node.',
    properties: {
      lastHeartbeatTime: time('When the condition was last reported.'),
      lastTransitionTime: time('When the condition last changed status.'),
      message: str('Human-readable details.'),
      reason: str('CamelCase reason for the last transition.'),
      status: str('"True", "False" or "Unknown".'),
      type: str('Type of the condition: Ready, MemoryPressure, DiskPressure, PIDPressure or NetworkUnavailable.'),
    },
    required: ['type', 'status'],
  }),

  [CORE + 'NodeConfigStatus']: obj({
    description: 'Deprecated: status of dynamic kubelet configuration.',
    properties: {
      active: ref(CORE + 'NodeConfigSource', 'Configuration the kubelet is using.'),
      assigned: ref(CORE + 'NodeConfigSource', 'Configuration the kubelet will try to use.'),
      error: str('Problem reconciling the configuration.'),
      lastKnownGood: ref(CORE + 'NodeConfigSource', 'Configuration the kubelet falls back to.'),
    },
  }),

  [CORE + 'NodeDaemonEndpoints']: obj({
    description: 'Ports opened by daemons on the node.',
    properties: {
      kubeletEndpoint: ref(CORE + 'DaemonEndpoint', 'The port the kubelet listens on.', { default: {} }),
    },
  }),

  [CORE + 'DaemonEndpoint']: obj({
    description: 'A port opened by a daemon.',
    properties: {
      Port: int32('The port number.'),
    },
    required: ['Port'],
  }),

  [CORE + 'NodeFeatures']: obj({
    description: 'Optional features implemented by a node.',
    properties: {
      supplementalGroupsPolicy: bool('Whether the node honours PodSecurityContext.supplementalGroupsPolicy.'),
    },
  }),

  [CORE + 'ContainerImage']: obj({
    description: 'A container image present on a node.',
    properties: {
      names: strArr('Names (tags and digests) of the image.'),
      sizeBytes: int64('Size of the image in bytes.'),
    },
  }),

  [CORE + 'NodeSystemInfo']: obj({
    description: 'Identifiers and versions reported by a node.',
    properties: {
      architecture: str('CPU architecture, e.g. "amd64".'),
      bootID: str('ID of the current boot.'),
      containerRuntimeVersion: str('Container runtime name and version, e.g. "containerd://1.7.0".'),
      kernelVersion: str('Kernel version (uname -r).'),
      kubeProxyVersion: str('Deprecated: kube-proxy version, not reliably reported.'),
      kubeletVersion: str('Kubelet version.'),
      machineID: str('Machine ID (/etc/machine-id).'),
      operatingSystem: str('Operating system, e.g. "linux".'),
      osImage: str('OS image name (from /etc/os-release).'),
      swap: ref(CORE + 'NodeSwapStatus', 'Swap memory information.'),
      systemUUID: str('System UUID reported by the hardware.'),
    },
    required: [
      'machineID',
      'systemUUID',
      'bootID',
      'kernelVersion',
      'osImage',
      'containerRuntimeVersion',
      'kubeletVersion',
      'kubeProxyVersion',
      'operatingSystem',
      'architecture',
    ],
  }),

  [CORE + 'NodeSwapStatus']: obj({
    description: 'Swap memory of a node.',
    properties: {
      capacity: int64('Total swap in bytes.'),
    },
  }),

  [CORE + 'NodeRuntimeHandler']: obj({
    description: 'A runtime handler (RuntimeClass handler) available on a node.',
    properties: {
      features: ref(CORE + 'NodeRuntimeHandlerFeatures', 'Features the handler supports.'),
      name: str('Name of the handler; empty for the default handler.'),
    },
  }),

  [CORE + 'NodeRuntimeHandlerFeatures']: obj({
    description: 'Features supported by a runtime handler.',
    properties: {
      recursiveReadOnlyMounts: bool('Whether recursive read-only mounts are supported.'),
      userNamespaces: bool('Whether user namespaces are supported.'),
    },
  }),

  [CORE + 'AttachedVolume']: obj({
    description: 'A volume attached to a node.',
    properties: {
      devicePath: str('Path where the device is available on the node.'),
      name: str('Name of the attached volume.'),
    },
    required: ['name', 'devicePath'],
  }),
};
