/** core/v1 Pod, PodSpec, PodStatus, PodTemplateSpec and scheduling types. */

import {
  CORE,
  META,
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
  strMap,
  time,
} from '../schema-dsl.js';
import type { SchemaMap } from '../schema-dsl.js';

const POD_GVK = gvk('', 'v1', 'Pod');

const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

export const corePodSchemas: SchemaMap = {
  [CORE + 'Pod']: obj({
    description:
      'A Pod is the smallest deployable unit: one or more containers that share a network namespace (one IP address) and volumes, scheduled together onto one node.',
    properties: {
      ...objectProps('Pod'),
      spec: ref(CORE + 'PodSpec', 'Desired behaviour of the Pod: its containers, volumes and scheduling constraints.', {
        default: {},
      }),
      status: ref(
        CORE + 'PodStatus',
        'Most recently observed state of the Pod, reported by the kubelet. May lag behind the actual state. Read-only.',
        { default: {} },
      ),
    },
    gvk: [POD_GVK],
  }),
  [CORE + 'PodList']: listOf(CORE + 'Pod', 'Pod', POD_GVK, 'Pods'),

  [CORE + 'PodTemplateSpec']: obj({
    description: 'The template from which a controller creates Pods: their metadata and spec.',
    properties: {
      metadata: ref(META + 'ObjectMeta', 'Metadata given to each created Pod; its labels must match the controller\'s selector.', {
        default: {},
      }),
      spec: ref(CORE + 'PodSpec', 'Spec of each created Pod.', { default: {} }),
    },
  }),

  [CORE + 'PodSpec']: obj({
    description: 'The desired state of a Pod.',
    properties: {
      activeDeadlineSeconds: int64(
        'Seconds the Pod may be active on its node, counted from its start, before the system fails it and kills its containers. Must be a positive integer.',
      ),
      affinity: ref(CORE + 'Affinity', 'Node affinity and Pod (anti-)affinity rules for scheduling.'),
      automountServiceAccountToken: bool('Whether a service account token is mounted automatically; overrides the ServiceAccount\'s setting.'),
      containers: refArr(
        CORE + 'Container',
        'The containers of the Pod. At least one is required; containers cannot be added or removed after creation.',
        { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' },
      ),
      dnsConfig: ref(CORE + 'PodDNSConfig', 'Extra DNS settings merged into the resolver configuration produced by dnsPolicy.'),
      dnsPolicy: str(
        'DNS resolution for the Pod: "ClusterFirst" (default; cluster DNS first, then upstream), "ClusterFirstWithHostNet" (cluster DNS even with hostNetwork), "Default" (the node\'s resolver) or "None" (only dnsConfig).',
        { enum: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'] },
      ),
      enableServiceLinks: bool(
        'Whether Service information is injected as Docker-link-style environment variables (FOO_SERVICE_HOST, …). Defaults to true.',
      ),
      ephemeralContainers: refArr(
        CORE + 'EphemeralContainer',
        'Ephemeral (debug) containers added to the running Pod through the ephemeralcontainers subresource. Cannot be set on create.',
        { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' },
      ),
      hostAliases: refArr(
        CORE + 'HostAlias',
        'Extra entries for the Pod\'s /etc/hosts file.',
        // Kubernetes 1.32 has no list-type marker here yet (added in a later release).
        { mergeKey: 'ip', strategy: 'merge' },
      ),
      hostIPC: bool('Use the host\'s IPC namespace. Defaults to false.'),
      hostNetwork: bool(
        'Use the host\'s network namespace: the Pod gets the node\'s IP and its ports are opened on the node. Defaults to false.',
      ),
      hostPID: bool('Use the host\'s PID namespace. Defaults to false.'),
      hostUsers: bool(
        'Use the host\'s user namespace. Defaults to true; false runs the Pod in a new user namespace, mapping root in the Pod to an unprivileged host user.',
      ),
      hostname: str('Hostname of the Pod; defaults to the Pod name.'),
      imagePullSecrets: refArr(
        CORE + 'LocalObjectReference',
        'Secrets in the Pod\'s namespace with registry credentials used to pull the container images.',
        { mergeKey: 'name', strategy: 'merge' },
      ),
      initContainers: refArr(
        CORE + 'Container',
        'Containers run in order, each to completion, before the regular containers start; a failure is handled according to restartPolicy. Init containers with restartPolicy Always are sidecars that keep running.',
        { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' },
      ),
      nodeName: str(
        'Node the Pod is bound to. Normally set by the scheduler; setting it on create bypasses scheduling.',
      ),
      nodeSelector: strMap('Labels a node must have for the Pod to be scheduled onto it.', { mapType: 'atomic' }),
      os: ref(CORE + 'PodOS', 'Operating system of the containers, used for validation and scheduling ("linux" or "windows").'),
      overhead: quantityMap(
        'Resources used by the Pod sandbox on top of its containers, set from the RuntimeClass by admission. Do not set by hand.',
      ),
      preemptionPolicy: str('Whether this Pod may preempt lower-priority Pods: "PreemptLowerPriority" (default) or "Never".', {
        enum: ['Never', 'PreemptLowerPriority'],
      }),
      priority: int32('Priority value resolved from priorityClassName by admission; higher values are more important.'),
      priorityClassName: str(
        'Name of a PriorityClass giving the Pod its priority, e.g. "system-node-critical". Without it, the default priority (usually 0) applies.',
      ),
      readinessGates: refArr(
        CORE + 'PodReadinessGate',
        'Extra conditions that must be True in status.conditions for the Pod to count as ready.',
        { listType: 'atomic' },
      ),
      resourceClaims: refArr(
        CORE + 'PodResourceClaim',
        'Dynamic resource claims the Pod needs (DynamicResourceAllocation). Containers refer to them by name.',
        { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge,retainKeys' },
      ),
      resources: ref(
        CORE + 'ResourceRequirements',
        'Total resources of the whole Pod (cpu and memory only), shared by its containers. Requires the PodLevelResources feature.',
      ),
      restartPolicy: str(
        'Restart policy for all containers: "Always" (default), "OnFailure" or "Never". Pods of Deployments, ReplicaSets and StatefulSets must use Always.',
        { enum: ['Always', 'Never', 'OnFailure'] },
      ),
      runtimeClassName: str('Name of a RuntimeClass selecting the container runtime handler; empty uses the default handler.'),
      schedulerName: str('Scheduler that places the Pod; defaults to "default-scheduler".'),
      schedulingGates: refArr(
        CORE + 'PodSchedulingGate',
        'While any gate is present the Pod is not scheduled. Gates can only be removed, and only set on create.',
        { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' },
      ),
      securityContext: ref(
        CORE + 'PodSecurityContext',
        'Pod-wide security attributes (users, groups, fsGroup, sysctls, …); container settings override them.',
      ),
      serviceAccount: str('Deprecated alias of serviceAccountName.'),
      serviceAccountName: str('ServiceAccount the Pod runs as; defaults to "default".'),
      setHostnameAsFQDN: bool(
        'Set the kernel hostname to the Pod\'s fully qualified domain name instead of its short name. Defaults to false.',
      ),
      shareProcessNamespace: bool(
        'Share one PID namespace among all containers, so they can see and signal each other\'s processes. Defaults to false.',
      ),
      subdomain: str(
        'When set, the Pod\'s FQDN becomes <hostname>.<subdomain>.<namespace>.svc.<cluster-domain>; with a headless Service of that name it gets a DNS record.',
      ),
      terminationGracePeriodSeconds: int64(
        'Seconds the Pod is given to shut down after SIGTERM before it is killed. Defaults to 30; 0 kills immediately.',
      ),
      tolerations: refArr(CORE + 'Toleration', 'Taints the Pod tolerates, allowing it on nodes that carry them.', {
        listType: 'atomic',
      }),
      topologySpreadConstraints: refArr(
        CORE + 'TopologySpreadConstraint',
        'Rules for spreading matching Pods evenly across topology domains such as zones or nodes.',
        {
          listType: 'map',
          mapKeys: ['topologyKey', 'whenUnsatisfiable'],
          mergeKey: 'topologyKey',
          strategy: 'merge',
        },
      ),
      volumes: refArr(CORE + 'Volume', 'Volumes that containers of the Pod can mount.', {
        listType: 'map',
        mapKeys: ['name'],
        mergeKey: 'name',
        strategy: 'merge,retainKeys',
      }),
    },
    required: ['containers'],
  }),

  [CORE + 'PodSecurityContext']: obj({
    description: 'Security attributes applied to every container of a Pod (and to its volumes), unless a container overrides them.',
    properties: {
      appArmorProfile: ref(CORE + 'AppArmorProfile', 'AppArmor profile for the containers. Not for Windows.'),
      fsGroup: int64(
        'Supplementary group added to all containers; supported volumes are made group-owned by it and group-writable. Not for Windows.',
      ),
      fsGroupChangePolicy: str(
        'When volume ownership is changed to fsGroup: "Always" (default) or "OnRootMismatch" (only when the volume root does not match). Not for Windows.',
        { enum: ['Always', 'OnRootMismatch'] },
      ),
      runAsGroup: int64('Primary GID of the container processes; defaults to the runtime default. Not for Windows.'),
      runAsNonRoot: bool('When true, the kubelet refuses to start containers that would run as UID 0.'),
      runAsUser: int64('UID of the container processes; defaults to the image user. Not for Windows.'),
      seLinuxChangePolicy: str(
        'How the SELinux label is applied to volumes: "MountOption" (mount with -o context) or "Recursive" (relabel every file). Not for Windows.',
      ),
      seLinuxOptions: ref(CORE + 'SELinuxOptions', 'SELinux context for all containers; random by default. Not for Windows.'),
      seccompProfile: ref(CORE + 'SeccompProfile', 'Seccomp profile for all containers. Not for Windows.'),
      supplementalGroups: arr(
        { type: 'integer', format: 'int64' },
        'GIDs added to the first process of each container, in addition to its primary GID and fsGroup. Not for Windows.',
        { listType: 'atomic' },
      ),
      supplementalGroupsPolicy: str(
        'How supplementary groups are computed: "Merge" (default; also the groups of the user in the image) or "Strict" (only those listed here). Not for Windows.',
        { enum: ['Merge', 'Strict'] },
      ),
      sysctls: refArr(CORE + 'Sysctl', 'Namespaced kernel parameters set for the Pod. Not for Windows.', {
        listType: 'atomic',
      }),
      windowsOptions: ref(CORE + 'WindowsSecurityContextOptions', 'Windows-specific options for all containers.'),
    },
  }),

  [CORE + 'Sysctl']: obj({
    description: 'A kernel parameter to set.',
    properties: {
      name: str('Name of the parameter, e.g. "net.ipv4.ip_local_port_range".'),
      value: str('Value to set.'),
    },
    required: ['name', 'value'],
  }),

  [CORE + 'PodDNSConfig']: obj({
    description: 'DNS settings for a Pod, merged into those generated from dnsPolicy.',
    properties: {
      nameservers: strArr('Name server IP addresses, appended to the generated ones (at most 3 in total).'),
      options: refArr(CORE + 'PodDNSConfigOption', 'Resolver options; they override generated options of the same name.', {
        listType: 'atomic',
      }),
      searches: strArr('DNS search domains, appended to the generated ones.'),
    },
  }),

  [CORE + 'PodDNSConfigOption']: obj({
    description: 'One resolver option.',
    properties: {
      name: str('Option name, e.g. "ndots".'),
      value: str('Option value, if it takes one.'),
    },
  }),

  [CORE + 'HostAlias']: obj({
    description: 'An entry of the Pod\'s /etc/hosts file.',
    properties: {
      hostnames: strArr('Hostnames for the IP address.'),
      ip: str('IP address of the entry.'),
    },
    required: ['ip'],
  }),

  [CORE + 'PodOS']: obj({
    description: 'Operating system of a Pod.',
    properties: {
      name: str('Operating system name: "linux" or "windows".'),
    },
    required: ['name'],
  }),

  [CORE + 'PodReadinessGate']: obj({
    description: 'An extra condition that must be True for a Pod to be ready.',
    properties: {
      conditionType: str('Type of a condition in the Pod\'s status.conditions.'),
    },
    required: ['conditionType'],
  }),

  [CORE + 'PodResourceClaim']: obj({
    description: 'A named dynamic resource claim of a Pod; exactly one source must be given.',
    properties: {
      name: str('Name by which containers refer to the claim; a DNS label unique in the Pod.'),
      resourceClaimName: str('Name of an existing ResourceClaim in the Pod\'s namespace.'),
      resourceClaimTemplateName: str('Name of a ResourceClaimTemplate from which a claim is created for this Pod.'),
    },
    required: ['name'],
  }),

  [CORE + 'PodSchedulingGate']: obj({
    description: 'A gate that keeps a Pod from being scheduled while present.',
    properties: {
      name: str('Name of the gate; unique among the Pod\'s gates.'),
    },
    required: ['name'],
  }),

  [CORE + 'Toleration']: obj({
    description: 'Allows a Pod onto nodes with a matching taint (key, value and effect).',
    properties: {
      effect: str('Taint effect to match; empty matches all effects.', { enum: TAINT_EFFECTS }),
      key: str('Taint key to match; empty with operator Exists matches every taint.'),
      operator: str('"Equal" (default) requires the value to match; "Exists" matches any value.', {
        enum: ['Equal', 'Exists'],
      }),
      tolerationSeconds: int64(
        'For NoExecute taints: how long the Pod stays bound after the taint appears. Unset means forever; zero or less means evict at once.',
      ),
      value: str('Taint value to match with operator Equal; must be empty for Exists.'),
    },
  }),

  [CORE + 'TopologySpreadConstraint']: obj({
    description: 'Spreads matching Pods across the domains of a topology key.',
    properties: {
      labelSelector: ref(META + 'LabelSelector', 'Selects the Pods counted in each domain.'),
      matchLabelKeys: strArr(
        'Label keys whose values are taken from the incoming Pod and ANDed with labelSelector, e.g. pod-template-hash to count only one revision.',
      ),
      maxSkew: int32('Largest allowed difference in matching Pod count between any two domains; must be at least 1.'),
      minDomains: int32(
        'Minimum number of eligible domains; with fewer, the global minimum is treated as 0. Only with whenUnsatisfiable DoNotSchedule.',
      ),
      nodeAffinityPolicy: str(
        'Whether nodeAffinity and nodeSelector limit the domains counted: "Honor" (default) or "Ignore".',
        { enum: ['Honor', 'Ignore'] },
      ),
      nodeTaintsPolicy: str('Whether node taints limit the domains counted: "Honor" or "Ignore" (default).', {
        enum: ['Honor', 'Ignore'],
      }),
      topologyKey: str('Node label key defining the domains, e.g. "topology.kubernetes.io/zone".'),
      whenUnsatisfiable: str(
        'What to do when the constraint cannot be met: "DoNotSchedule" (default) or "ScheduleAnyway" (prefer lower skew).',
        { enum: ['DoNotSchedule', 'ScheduleAnyway'] },
      ),
    },
    required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'],
  }),

  [CORE + 'Affinity']: obj({
    description: 'Scheduling constraints relative to nodes and to other Pods.',
    properties: {
      nodeAffinity: ref(CORE + 'NodeAffinity', 'Rules on the labels of the node.'),
      podAffinity: ref(CORE + 'PodAffinity', 'Rules to place the Pod near other Pods (same topology domain).'),
      podAntiAffinity: ref(CORE + 'PodAntiAffinity', 'Rules to keep the Pod away from other Pods.'),
    },
  }),

  [CORE + 'NodeAffinity']: obj({
    description: 'Node affinity rules.',
    properties: {
      preferredDuringSchedulingIgnoredDuringExecution: refArr(
        CORE + 'PreferredSchedulingTerm',
        'Weighted preferences: nodes matching more (heavier) terms are preferred.',
        { listType: 'atomic' },
      ),
      requiredDuringSchedulingIgnoredDuringExecution: ref(
        CORE + 'NodeSelector',
        'Hard requirement a node must satisfy at scheduling time; not re-checked later.',
      ),
    },
  }),

  [CORE + 'NodeSelector']: obj({
    description: 'A node selector: the terms are ORed.',
    properties: {
      nodeSelectorTerms: refArr(CORE + 'NodeSelectorTerm', 'The terms, at least one.', { listType: 'atomic' }),
    },
    required: ['nodeSelectorTerms'],
    mapType: 'atomic',
  }),

  [CORE + 'NodeSelectorTerm']: obj({
    description: 'A node selector term: its requirements are ANDed. An empty term matches no node.',
    properties: {
      matchExpressions: refArr(CORE + 'NodeSelectorRequirement', 'Requirements on node labels.', { listType: 'atomic' }),
      matchFields: refArr(CORE + 'NodeSelectorRequirement', 'Requirements on node fields (only metadata.name).', {
        listType: 'atomic',
      }),
    },
    mapType: 'atomic',
  }),

  [CORE + 'NodeSelectorRequirement']: obj({
    description: 'One requirement on a node label or field.',
    properties: {
      key: str('The label key or field name.'),
      operator: str('How the key relates to the values: In, NotIn, Exists, DoesNotExist, Gt or Lt.', {
        enum: ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'],
      }),
      values: strArr(
        'Values for In and NotIn (non-empty), a single integer for Gt and Lt, empty for Exists and DoesNotExist.',
      ),
    },
    required: ['key', 'operator'],
  }),

  [CORE + 'PreferredSchedulingTerm']: obj({
    description: 'A weighted node preference.',
    properties: {
      preference: ref(CORE + 'NodeSelectorTerm', 'The node selector term.', { default: {} }),
      weight: int32('Weight of the term, 1-100.'),
    },
    required: ['weight', 'preference'],
  }),

  [CORE + 'PodAffinity']: obj({
    description: 'Rules for co-locating a Pod with other Pods.',
    properties: {
      preferredDuringSchedulingIgnoredDuringExecution: refArr(
        CORE + 'WeightedPodAffinityTerm',
        'Weighted preferences to be in the same domain as matching Pods.',
        { listType: 'atomic' },
      ),
      requiredDuringSchedulingIgnoredDuringExecution: refArr(
        CORE + 'PodAffinityTerm',
        'Terms that must all hold at scheduling time; not re-checked later.',
        { listType: 'atomic' },
      ),
    },
  }),

  [CORE + 'PodAntiAffinity']: obj({
    description: 'Rules for keeping a Pod apart from other Pods.',
    properties: {
      preferredDuringSchedulingIgnoredDuringExecution: refArr(
        CORE + 'WeightedPodAffinityTerm',
        'Weighted preferences to avoid domains with matching Pods.',
        { listType: 'atomic' },
      ),
      requiredDuringSchedulingIgnoredDuringExecution: refArr(
        CORE + 'PodAffinityTerm',
        'Terms that must all hold at scheduling time; not re-checked later.',
        { listType: 'atomic' },
      ),
    },
  }),

  [CORE + 'WeightedPodAffinityTerm']: obj({
    description: 'A weighted Pod affinity term.',
    properties: {
      podAffinityTerm: ref(CORE + 'PodAffinityTerm', 'The term.', { default: {} }),
      weight: int32('Weight of the term, 1-100.'),
    },
    required: ['weight', 'podAffinityTerm'],
  }),

  [CORE + 'PodAffinityTerm']: obj({
    description: 'Pods matching labelSelector in the given namespaces, located in the same topology domain as the candidate node.',
    properties: {
      labelSelector: ref(META + 'LabelSelector', 'Selects the Pods; null matches none.'),
      matchLabelKeys: strArr('Label keys whose values from the incoming Pod are added to labelSelector as In requirements.'),
      mismatchLabelKeys: strArr(
        'Label keys whose values from the incoming Pod are added to labelSelector as NotIn requirements.',
      ),
      namespaceSelector: ref(META + 'LabelSelector', 'Selects namespaces to look in; combined with namespaces. Empty selects all.'),
      namespaces: strArr('Namespaces to look in; with neither this nor namespaceSelector, the Pod\'s own namespace.'),
      topologyKey: str('Node label key defining the domain, e.g. "kubernetes.io/hostname" or "topology.kubernetes.io/zone".'),
    },
    required: ['topologyKey'],
  }),

  [CORE + 'PodStatus']: obj({
    description: 'The observed state of a Pod.',
    properties: {
      conditions: refArr(
        CORE + 'PodCondition',
        'Current conditions: PodScheduled, Initialized, ContainersReady, Ready and others.',
        { listType: 'map', mapKeys: ['type'], mergeKey: 'type', strategy: 'merge' },
      ),
      containerStatuses: refArr(CORE + 'ContainerStatus', 'Status of each regular container.', { listType: 'atomic' }),
      ephemeralContainerStatuses: refArr(CORE + 'ContainerStatus', 'Status of each ephemeral container.', {
        listType: 'atomic',
      }),
      hostIP: str('Primary IP address of the node the Pod runs on.'),
      hostIPs: refArr(CORE + 'HostIP', 'IP addresses of the node, at most one per family; hostIPs[0] equals hostIP.', {
        listType: 'atomic',
        mergeKey: 'ip',
        strategy: 'merge',
      }),
      initContainerStatuses: refArr(CORE + 'ContainerStatus', 'Status of each init container.', { listType: 'atomic' }),
      message: str('Human-readable explanation of the Pod\'s state.'),
      nominatedNodeName: str('Node the Pod is expected to run on after preempting other Pods; not a guarantee.'),
      observedGeneration: int64('metadata.generation that this status was computed from.'),
      phase: str(
        'High-level summary of the Pod lifecycle: "Pending", "Running", "Succeeded", "Failed" or "Unknown".',
        { enum: ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'] },
      ),
      podIP: str('Primary IP address of the Pod; empty until assigned.'),
      podIPs: refArr(CORE + 'PodIP', 'IP addresses of the Pod, at most one per family; podIPs[0] equals podIP.', {
        listType: 'map',
        mapKeys: ['ip'],
        mergeKey: 'ip',
        strategy: 'merge',
      }),
      qosClass: str('Quality-of-service class derived from resource requests and limits.', {
        enum: ['BestEffort', 'Burstable', 'Guaranteed'],
      }),
      reason: str('Short CamelCase reason for the Pod\'s state, e.g. "Evicted".'),
      resize: str('Deprecated: state of an in-place resize of the Pod\'s resources ("Proposed", "InProgress", "Deferred", "Infeasible").'),
      resourceClaimStatuses: refArr(CORE + 'PodResourceClaimStatus', 'Names of the ResourceClaims generated for the Pod.', {
        listType: 'map',
        mapKeys: ['name'],
        mergeKey: 'name',
        strategy: 'merge,retainKeys',
      }),
      startTime: time('When the kubelet acknowledged the Pod, before pulling images.'),
    },
  }),

  [CORE + 'PodCondition']: obj({
    description: 'One condition of a Pod.',
    properties: {
      lastProbeTime: time('When the condition was last probed.'),
      lastTransitionTime: time('When the condition last changed status.'),
      message: str('Human-readable details.'),
      observedGeneration: int64('metadata.generation that the condition was computed from.'),
      reason: str('CamelCase reason for the last transition.'),
      status: str('"True", "False" or "Unknown".'),
      type: str('Type of the condition, e.g. "Ready".'),
    },
    required: ['type', 'status'],
  }),

  [CORE + 'HostIP']: obj({
    description: 'One IP address of the Pod\'s node.',
    properties: {
      ip: str('The IP address.'),
    },
    required: ['ip'],
  }),

  [CORE + 'PodIP']: obj({
    description: 'One IP address of a Pod.',
    properties: {
      ip: str('The IP address.'),
    },
    required: ['ip'],
  }),

  [CORE + 'PodResourceClaimStatus']: obj({
    description: 'The ResourceClaim created for one of a Pod\'s resourceClaims entries.',
    properties: {
      name: str('Name of the entry in spec.resourceClaims.'),
      resourceClaimName: str('Name of the generated ResourceClaim; unset when none was needed.'),
    },
    required: ['name'],
  }),
};
