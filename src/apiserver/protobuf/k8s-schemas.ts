/**
 * Field-number tables for the Kubernetes messages that kubectl's typed clients send as
 * protobuf (`kubectl create deployment|namespace|secret|service|configmap|ingress|job|
 * cronjob|serviceaccount|token`, `kubectl auth can-i`).
 *
 * Field numbers follow upstream `generated.proto` (k8s.io/api core/v1, apps/v1, batch/v1,
 * networking/v1, authorization/v1, authentication/v1; k8s.io/apimachinery meta/v1).
 * Names are the JSON field names.
 *
 * Each message is written as lines of `<number> <jsonName> <type> [flags]`:
 *   type   string | int32 | int64 | bool | bytes | time | quantity | intstr | fieldsv1
 *          | <Message> | []<type> (repeated) | map<string|bytes|quantity>
 *   flags  ptr     the Go field is a pointer (or otherwise optional): its zero value was sent
 *                  on purpose and is kept (`replicas: 0`, `allocateLoadBalancerNodePorts: false`)
 *          inline  an embedded Go struct: its fields are merged into the parent JSON object
 *          keep    a non-pointer field without `omitempty` whose empty value still matters
 * Non-pointer fields are always written by the Go encoder, zero or not, so the decoder drops
 * their zero values (`""`, `0`, `false`, empty message) unless `ptr`/`keep` says otherwise.
 */

export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes' | 'time' | 'quantity' | 'intstr' | 'fieldsv1';
export type MapValueType = 'string' | 'bytes' | 'quantity';

export interface FieldDef {
  /** Protobuf field number. */
  no: number;
  /** JSON field name. */
  name: string;
  /** Scalar kind, or 'message' (see `ref`) or 'map' (see `mapValue`). */
  type: ScalarType | 'message' | 'map';
  /** Message name when `type === 'message'`. */
  ref?: string;
  /** Value type when `type === 'map'` (keys are always strings). */
  mapValue?: MapValueType;
  repeated: boolean;
  pointer: boolean;
  inline: boolean;
  keep: boolean;
}

export interface MessageDef {
  name: string;
  fields: readonly FieldDef[];
  byNumber: ReadonlyMap<number, FieldDef>;
}

// ---------------------------------------------------------------------------------------------
// meta/v1

const META = {
  ObjectMeta: `
    1 name string
    2 generateName string
    3 namespace string
    4 selfLink string
    5 uid string
    6 resourceVersion string
    7 generation int64
    8 creationTimestamp time
    9 deletionTimestamp time ptr
    10 deletionGracePeriodSeconds int64 ptr
    11 labels map<string>
    12 annotations map<string>
    13 ownerReferences []OwnerReference
    14 finalizers []string
    17 managedFields []ManagedFieldsEntry`,
  OwnerReference: `
    5 apiVersion string
    1 kind string
    3 name string
    4 uid string
    6 controller bool ptr
    7 blockOwnerDeletion bool ptr`,
  ManagedFieldsEntry: `
    1 manager string
    2 operation string
    3 apiVersion string
    4 time time ptr
    6 fieldsType string
    7 fieldsV1 fieldsv1 ptr
    8 subresource string`,
  LabelSelector: `
    1 matchLabels map<string>
    2 matchExpressions []LabelSelectorRequirement`,
  LabelSelectorRequirement: `
    1 key string
    2 operator string
    3 values []string`,
  Condition: `
    1 type string
    2 status string
    3 observedGeneration int64
    4 lastTransitionTime time
    5 reason string
    6 message string`,
};

// ---------------------------------------------------------------------------------------------
// core/v1

const CONTAINER_FIELDS = `
    1 name string
    2 image string
    3 command []string
    4 args []string
    5 workingDir string
    6 ports []ContainerPort
    19 envFrom []EnvFromSource
    7 env []EnvVar
    8 resources ResourceRequirements
    23 resizePolicy []ContainerResizePolicy
    24 restartPolicy string ptr
    25 restartPolicyRules []ContainerRestartRule
    9 volumeMounts []VolumeMount
    21 volumeDevices []VolumeDevice
    10 livenessProbe Probe ptr
    11 readinessProbe Probe ptr
    22 startupProbe Probe ptr
    12 lifecycle Lifecycle ptr
    13 terminationMessagePath string
    20 terminationMessagePolicy string
    14 imagePullPolicy string
    15 securityContext SecurityContext ptr
    16 stdin bool
    17 stdinOnce bool
    18 tty bool`;

const CORE = {
  Namespace: `
    1 metadata ObjectMeta
    2 spec NamespaceSpec
    3 status NamespaceStatus`,
  NamespaceSpec: `
    1 finalizers []string`,
  NamespaceStatus: `
    1 phase string
    2 conditions []NamespaceCondition`,
  NamespaceCondition: `
    1 type string
    2 status string
    4 lastTransitionTime time
    5 reason string
    6 message string`,

  Service: `
    1 metadata ObjectMeta
    2 spec ServiceSpec
    3 status ServiceStatus`,
  ServiceSpec: `
    1 ports []ServicePort
    2 selector map<string>
    3 clusterIP string
    18 clusterIPs []string
    4 type string
    5 externalIPs []string
    7 sessionAffinity string
    8 loadBalancerIP string
    9 loadBalancerSourceRanges []string
    10 externalName string
    11 externalTrafficPolicy string
    12 healthCheckNodePort int32
    13 publishNotReadyAddresses bool
    14 sessionAffinityConfig SessionAffinityConfig ptr
    19 ipFamilies []string
    17 ipFamilyPolicy string ptr
    20 allocateLoadBalancerNodePorts bool ptr
    21 loadBalancerClass string ptr
    22 internalTrafficPolicy string ptr
    23 trafficDistribution string ptr`,
  ServicePort: `
    1 name string
    2 protocol string
    6 appProtocol string ptr
    3 port int32
    4 targetPort intstr
    5 nodePort int32`,
  SessionAffinityConfig: `
    1 clientIP ClientIPConfig ptr`,
  ClientIPConfig: `
    1 timeoutSeconds int32 ptr`,
  ServiceStatus: `
    1 loadBalancer LoadBalancerStatus
    2 conditions []Condition`,
  LoadBalancerStatus: `
    1 ingress []LoadBalancerIngress`,
  LoadBalancerIngress: `
    1 ip string
    2 hostname string
    3 ipMode string ptr
    4 ports []PortStatus`,
  PortStatus: `
    1 port int32
    2 protocol string
    3 error string ptr`,

  Secret: `
    1 metadata ObjectMeta
    5 immutable bool ptr
    2 data map<bytes>
    4 stringData map<string>
    3 type string`,
  ConfigMap: `
    1 metadata ObjectMeta
    4 immutable bool ptr
    2 data map<string>
    3 binaryData map<bytes>`,
  ServiceAccount: `
    1 metadata ObjectMeta
    2 secrets []ObjectReference
    3 imagePullSecrets []LocalObjectReference
    4 automountServiceAccountToken bool ptr`,
  ObjectReference: `
    1 kind string
    2 namespace string
    3 name string
    4 uid string
    5 apiVersion string
    6 resourceVersion string
    7 fieldPath string`,
  LocalObjectReference: `
    1 name string`,
  TypedLocalObjectReference: `
    1 apiGroup string ptr
    2 kind string
    3 name string`,

  PodTemplateSpec: `
    1 metadata ObjectMeta
    2 spec PodSpec`,
  PodSpec: `
    1 volumes []Volume
    20 initContainers []Container
    2 containers []Container
    34 ephemeralContainers []EphemeralContainer
    3 restartPolicy string
    4 terminationGracePeriodSeconds int64 ptr
    5 activeDeadlineSeconds int64 ptr
    6 dnsPolicy string
    7 nodeSelector map<string>
    8 serviceAccountName string
    9 serviceAccount string
    21 automountServiceAccountToken bool ptr
    10 nodeName string
    11 hostNetwork bool
    12 hostPID bool
    13 hostIPC bool
    27 shareProcessNamespace bool ptr
    14 securityContext PodSecurityContext ptr
    15 imagePullSecrets []LocalObjectReference
    16 hostname string
    17 subdomain string
    18 affinity Affinity ptr
    19 schedulerName string
    22 tolerations []Toleration
    23 hostAliases []HostAlias
    24 priorityClassName string
    25 priority int32 ptr
    26 dnsConfig PodDNSConfig ptr
    28 readinessGates []PodReadinessGate
    29 runtimeClassName string ptr
    30 enableServiceLinks bool ptr
    31 preemptionPolicy string ptr
    32 overhead map<quantity>
    33 topologySpreadConstraints []TopologySpreadConstraint
    35 setHostnameAsFQDN bool ptr
    36 os PodOS ptr
    37 hostUsers bool ptr
    38 schedulingGates []PodSchedulingGate
    39 resourceClaims []PodResourceClaim
    40 resources ResourceRequirements ptr
    41 hostnameOverride string ptr`,
  PodOS: `
    1 name string`,
  PodReadinessGate: `
    1 conditionType string`,
  PodSchedulingGate: `
    1 name string`,
  PodResourceClaim: `
    1 name string
    3 resourceClaimName string ptr
    4 resourceClaimTemplateName string ptr`,
  HostAlias: `
    1 ip string
    2 hostnames []string`,
  PodDNSConfig: `
    1 nameservers []string
    2 searches []string
    3 options []PodDNSConfigOption`,
  PodDNSConfigOption: `
    1 name string
    2 value string ptr`,
  Toleration: `
    1 key string
    2 operator string
    3 value string
    4 effect string
    5 tolerationSeconds int64 ptr`,
  TopologySpreadConstraint: `
    1 maxSkew int32
    2 topologyKey string
    3 whenUnsatisfiable string
    4 labelSelector LabelSelector ptr
    5 minDomains int32 ptr
    6 nodeAffinityPolicy string ptr
    7 nodeTaintsPolicy string ptr
    8 matchLabelKeys []string`,
  Affinity: `
    1 nodeAffinity NodeAffinity ptr
    2 podAffinity PodAffinity ptr
    3 podAntiAffinity PodAntiAffinity ptr`,
  NodeAffinity: `
    1 requiredDuringSchedulingIgnoredDuringExecution NodeSelector ptr
    2 preferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm`,
  NodeSelector: `
    1 nodeSelectorTerms []NodeSelectorTerm`,
  NodeSelectorTerm: `
    1 matchExpressions []NodeSelectorRequirement
    2 matchFields []NodeSelectorRequirement`,
  NodeSelectorRequirement: `
    1 key string
    2 operator string
    3 values []string`,
  PreferredSchedulingTerm: `
    1 weight int32
    2 preference NodeSelectorTerm keep`,
  PodAffinity: `
    1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm
    2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm`,
  PodAntiAffinity: `
    1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm
    2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm`,
  PodAffinityTerm: `
    1 labelSelector LabelSelector ptr
    2 namespaces []string
    3 topologyKey string
    4 namespaceSelector LabelSelector ptr
    5 matchLabelKeys []string
    6 mismatchLabelKeys []string`,
  WeightedPodAffinityTerm: `
    1 weight int32
    2 podAffinityTerm PodAffinityTerm keep`,
  PodSecurityContext: `
    1 seLinuxOptions SELinuxOptions ptr
    8 windowsOptions WindowsSecurityContextOptions ptr
    2 runAsUser int64 ptr
    6 runAsGroup int64 ptr
    3 runAsNonRoot bool ptr
    4 supplementalGroups []int64
    12 supplementalGroupsPolicy string ptr
    5 fsGroup int64 ptr
    7 sysctls []Sysctl
    9 fsGroupChangePolicy string ptr
    10 seccompProfile SeccompProfile ptr
    11 appArmorProfile AppArmorProfile ptr
    13 seLinuxChangePolicy string ptr`,
  SecurityContext: `
    1 capabilities Capabilities ptr
    2 privileged bool ptr
    3 seLinuxOptions SELinuxOptions ptr
    10 windowsOptions WindowsSecurityContextOptions ptr
    4 runAsUser int64 ptr
    8 runAsGroup int64 ptr
    5 runAsNonRoot bool ptr
    6 readOnlyRootFilesystem bool ptr
    7 allowPrivilegeEscalation bool ptr
    9 procMount string ptr
    11 seccompProfile SeccompProfile ptr
    12 appArmorProfile AppArmorProfile ptr
    13 ulimits []Ulimit`,
  SELinuxOptions: `
    1 user string
    2 role string
    3 type string
    4 level string`,
  WindowsSecurityContextOptions: `
    1 gmsaCredentialSpecName string ptr
    2 gmsaCredentialSpec string ptr
    3 runAsUserName string ptr
    4 hostProcess bool ptr`,
  Sysctl: `
    1 name string
    2 value string`,
  SeccompProfile: `
    1 type string
    2 localhostProfile string ptr`,
  AppArmorProfile: `
    1 type string
    2 localhostProfile string ptr`,
  Capabilities: `
    1 add []string
    2 drop []string`,
  Ulimit: `
    1 name string
    2 hard int64
    3 soft int64`,

  Container: CONTAINER_FIELDS,
  EphemeralContainerCommon: CONTAINER_FIELDS,
  EphemeralContainer: `
    1 ephemeralContainerCommon EphemeralContainerCommon inline
    2 targetContainerName string`,
  ContainerPort: `
    1 name string
    2 hostPort int32
    3 containerPort int32
    4 protocol string
    5 hostIP string`,
  ContainerResizePolicy: `
    1 resourceName string
    2 restartPolicy string`,
  ContainerRestartRule: `
    1 action string
    2 exitCodes ContainerRestartRuleOnExitCodes ptr`,
  ContainerRestartRuleOnExitCodes: `
    1 operator string
    2 values []int32`,
  VolumeDevice: `
    1 name string
    2 devicePath string`,
  EnvFromSource: `
    1 prefix string
    2 configMapRef ConfigMapEnvSource ptr
    3 secretRef SecretEnvSource ptr`,
  ConfigMapEnvSource: `
    1 localObjectReference LocalObjectReference inline
    2 optional bool ptr`,
  SecretEnvSource: `
    1 localObjectReference LocalObjectReference inline
    2 optional bool ptr`,
  EnvVar: `
    1 name string
    2 value string
    3 valueFrom EnvVarSource ptr`,
  EnvVarSource: `
    1 fieldRef ObjectFieldSelector ptr
    2 resourceFieldRef ResourceFieldSelector ptr
    3 configMapKeyRef ConfigMapKeySelector ptr
    4 secretKeyRef SecretKeySelector ptr
    5 fileKeyRef FileKeySelector ptr`,
  ObjectFieldSelector: `
    1 apiVersion string
    2 fieldPath string`,
  ResourceFieldSelector: `
    1 containerName string
    2 resource string
    3 divisor quantity`,
  ConfigMapKeySelector: `
    1 localObjectReference LocalObjectReference inline
    2 key string
    3 optional bool ptr`,
  SecretKeySelector: `
    1 localObjectReference LocalObjectReference inline
    2 key string
    3 optional bool ptr`,
  FileKeySelector: `
    1 volumeName string
    2 path string
    3 key string
    4 optional bool ptr`,
  ResourceRequirements: `
    1 limits map<quantity>
    2 requests map<quantity>
    3 claims []ResourceClaim`,
  ResourceClaim: `
    1 name string
    2 request string`,
  VolumeMount: `
    1 name string
    2 readOnly bool
    7 recursiveReadOnly string ptr
    3 mountPath string
    4 subPath string
    5 mountPropagation string ptr
    6 subPathExpr string`,
  Probe: `
    1 handler ProbeHandler inline
    2 initialDelaySeconds int32
    3 timeoutSeconds int32
    4 periodSeconds int32
    5 successThreshold int32
    6 failureThreshold int32
    7 terminationGracePeriodSeconds int64 ptr`,
  ProbeHandler: `
    1 exec ExecAction ptr
    2 httpGet HTTPGetAction ptr
    3 tcpSocket TCPSocketAction ptr
    4 grpc GRPCAction ptr`,
  ExecAction: `
    1 command []string`,
  HTTPGetAction: `
    1 path string
    2 port intstr
    3 host string
    4 scheme string
    5 httpHeaders []HTTPHeader`,
  HTTPHeader: `
    1 name string
    2 value string`,
  TCPSocketAction: `
    1 port intstr
    2 host string`,
  GRPCAction: `
    1 port int32
    2 service string ptr`,
  Lifecycle: `
    1 postStart LifecycleHandler ptr
    2 preStop LifecycleHandler ptr
    3 stopSignal string ptr`,
  LifecycleHandler: `
    1 exec ExecAction ptr
    2 httpGet HTTPGetAction ptr
    3 tcpSocket TCPSocketAction ptr
    4 sleep SleepAction ptr`,
  SleepAction: `
    1 seconds int64`,

  // Volumes: the commonly used sources. Fields of the rarer in-tree sources are skipped.
  Volume: `
    1 name string
    2 volumeSource VolumeSource inline`,
  VolumeSource: `
    1 hostPath HostPathVolumeSource ptr
    2 emptyDir EmptyDirVolumeSource ptr
    5 gitRepo GitRepoVolumeSource ptr
    6 secret SecretVolumeSource ptr
    7 nfs NFSVolumeSource ptr
    10 persistentVolumeClaim PersistentVolumeClaimVolumeSource ptr
    16 downwardAPI DownwardAPIVolumeSource ptr
    19 configMap ConfigMapVolumeSource ptr
    26 projected ProjectedVolumeSource ptr
    28 csi CSIVolumeSource ptr
    30 image ImageVolumeSource ptr`,
  HostPathVolumeSource: `
    1 path string
    2 type string ptr`,
  EmptyDirVolumeSource: `
    1 medium string
    2 sizeLimit quantity ptr`,
  GitRepoVolumeSource: `
    1 repository string
    2 revision string
    3 directory string`,
  SecretVolumeSource: `
    1 secretName string
    2 items []KeyToPath
    3 defaultMode int32 ptr
    4 optional bool ptr`,
  KeyToPath: `
    1 key string
    2 path string
    3 mode int32 ptr`,
  NFSVolumeSource: `
    1 server string
    2 path string
    3 readOnly bool`,
  PersistentVolumeClaimVolumeSource: `
    1 claimName string
    2 readOnly bool`,
  DownwardAPIVolumeSource: `
    1 items []DownwardAPIVolumeFile
    2 defaultMode int32 ptr`,
  DownwardAPIVolumeFile: `
    1 path string
    2 fieldRef ObjectFieldSelector ptr
    3 resourceFieldRef ResourceFieldSelector ptr
    4 mode int32 ptr`,
  ConfigMapVolumeSource: `
    1 localObjectReference LocalObjectReference inline
    2 items []KeyToPath
    3 defaultMode int32 ptr
    4 optional bool ptr`,
  ProjectedVolumeSource: `
    1 sources []VolumeProjection
    2 defaultMode int32 ptr`,
  VolumeProjection: `
    1 secret SecretProjection ptr
    2 downwardAPI DownwardAPIProjection ptr
    3 configMap ConfigMapProjection ptr
    4 serviceAccountToken ServiceAccountTokenProjection ptr
    5 clusterTrustBundle ClusterTrustBundleProjection ptr`,
  SecretProjection: `
    1 localObjectReference LocalObjectReference inline
    2 items []KeyToPath
    4 optional bool ptr`,
  ConfigMapProjection: `
    1 localObjectReference LocalObjectReference inline
    2 items []KeyToPath
    4 optional bool ptr`,
  DownwardAPIProjection: `
    1 items []DownwardAPIVolumeFile`,
  ServiceAccountTokenProjection: `
    1 audience string
    2 expirationSeconds int64 ptr
    3 path string`,
  ClusterTrustBundleProjection: `
    1 name string ptr
    2 signerName string ptr
    3 labelSelector LabelSelector ptr
    5 optional bool ptr
    4 path string`,
  CSIVolumeSource: `
    1 driver string
    2 readOnly bool ptr
    3 fsType string ptr
    4 volumeAttributes map<string>
    5 nodePublishSecretRef LocalObjectReference ptr`,
  ImageVolumeSource: `
    1 reference string
    2 pullPolicy string`,
};

// ---------------------------------------------------------------------------------------------
// apps/v1

const APPS = {
  Deployment: `
    1 metadata ObjectMeta
    2 spec DeploymentSpec
    3 status DeploymentStatus`,
  DeploymentSpec: `
    1 replicas int32 ptr
    2 selector LabelSelector ptr
    3 template PodTemplateSpec
    4 strategy DeploymentStrategy
    5 minReadySeconds int32
    6 revisionHistoryLimit int32 ptr
    7 paused bool
    9 progressDeadlineSeconds int32 ptr
    10 podReplacementPolicy string ptr`,
  DeploymentStrategy: `
    1 type string
    2 rollingUpdate RollingUpdateDeployment ptr`,
  RollingUpdateDeployment: `
    1 maxUnavailable intstr ptr
    2 maxSurge intstr ptr`,
  DeploymentStatus: `
    1 observedGeneration int64
    2 replicas int32
    3 updatedReplicas int32
    7 readyReplicas int32
    4 availableReplicas int32
    5 unavailableReplicas int32
    9 terminatingReplicas int32 ptr
    6 conditions []DeploymentCondition
    8 collisionCount int32 ptr`,
  DeploymentCondition: `
    1 type string
    2 status string
    6 lastUpdateTime time
    7 lastTransitionTime time
    4 reason string
    5 message string`,
};

// ---------------------------------------------------------------------------------------------
// batch/v1

const BATCH = {
  Job: `
    1 metadata ObjectMeta
    2 spec JobSpec
    3 status JobStatus`,
  JobSpec: `
    1 parallelism int32 ptr
    2 completions int32 ptr
    3 activeDeadlineSeconds int64 ptr
    11 podFailurePolicy PodFailurePolicy ptr
    16 successPolicy SuccessPolicy ptr
    7 backoffLimit int32 ptr
    12 backoffLimitPerIndex int32 ptr
    13 maxFailedIndexes int32 ptr
    4 selector LabelSelector ptr
    5 manualSelector bool ptr
    6 template PodTemplateSpec
    8 ttlSecondsAfterFinished int32 ptr
    9 completionMode string ptr
    10 suspend bool ptr
    14 podReplacementPolicy string ptr
    15 managedBy string ptr`,
  PodFailurePolicy: `
    1 rules []PodFailurePolicyRule`,
  PodFailurePolicyRule: `
    1 action string
    2 onExitCodes PodFailurePolicyOnExitCodesRequirement ptr
    3 onPodConditions []PodFailurePolicyOnPodConditionsPattern`,
  PodFailurePolicyOnExitCodesRequirement: `
    1 containerName string ptr
    2 operator string
    3 values []int32`,
  PodFailurePolicyOnPodConditionsPattern: `
    1 type string
    2 status string`,
  SuccessPolicy: `
    1 rules []SuccessPolicyRule`,
  SuccessPolicyRule: `
    1 succeededIndexes string ptr
    2 succeededCount int32 ptr`,
  JobStatus: `
    1 conditions []JobCondition
    2 startTime time ptr
    3 completionTime time ptr
    4 active int32
    5 succeeded int32
    6 failed int32
    11 terminating int32 ptr
    7 completedIndexes string
    10 failedIndexes string ptr
    8 uncountedTerminatedPods UncountedTerminatedPods ptr
    9 ready int32 ptr`,
  JobCondition: `
    1 type string
    2 status string
    3 lastProbeTime time
    4 lastTransitionTime time
    5 reason string
    6 message string`,
  UncountedTerminatedPods: `
    1 succeeded []string
    2 failed []string`,
  CronJob: `
    1 metadata ObjectMeta
    2 spec CronJobSpec
    3 status CronJobStatus`,
  CronJobSpec: `
    1 schedule string
    8 timeZone string ptr
    2 startingDeadlineSeconds int64 ptr
    3 concurrencyPolicy string
    4 suspend bool ptr
    5 jobTemplate JobTemplateSpec
    6 successfulJobsHistoryLimit int32 ptr
    7 failedJobsHistoryLimit int32 ptr`,
  JobTemplateSpec: `
    1 metadata ObjectMeta
    2 spec JobSpec`,
  CronJobStatus: `
    1 active []ObjectReference
    4 lastScheduleTime time ptr
    5 lastSuccessfulTime time ptr`,
};

// ---------------------------------------------------------------------------------------------
// networking/v1

const NETWORKING = {
  Ingress: `
    1 metadata ObjectMeta
    2 spec IngressSpec
    3 status IngressStatus`,
  IngressSpec: `
    4 ingressClassName string ptr
    1 defaultBackend IngressBackend ptr
    2 tls []IngressTLS
    3 rules []IngressRule`,
  IngressBackend: `
    4 service IngressServiceBackend ptr
    3 resource TypedLocalObjectReference ptr`,
  IngressServiceBackend: `
    1 name string
    2 port ServiceBackendPort`,
  ServiceBackendPort: `
    1 name string
    2 number int32`,
  IngressRule: `
    1 host string
    2 ingressRuleValue IngressRuleValue inline`,
  IngressRuleValue: `
    1 http HTTPIngressRuleValue ptr`,
  HTTPIngressRuleValue: `
    1 paths []HTTPIngressPath`,
  HTTPIngressPath: `
    1 path string
    3 pathType string ptr
    2 backend IngressBackend keep`,
  IngressTLS: `
    1 hosts []string
    2 secretName string`,
  IngressStatus: `
    1 loadBalancer IngressLoadBalancerStatus`,
  IngressLoadBalancerStatus: `
    1 ingress []IngressLoadBalancerIngress`,
  IngressLoadBalancerIngress: `
    1 ip string
    2 hostname string
    4 ports []IngressPortStatus`,
  IngressPortStatus: `
    1 port int32
    2 protocol string
    3 error string ptr`,
};

// ---------------------------------------------------------------------------------------------
// authorization/v1 (`kubectl auth can-i`) and authentication/v1 (`kubectl create token`)

const AUTH = {
  SelfSubjectAccessReview: `
    1 metadata ObjectMeta
    2 spec SelfSubjectAccessReviewSpec
    3 status SubjectAccessReviewStatus`,
  SelfSubjectAccessReviewSpec: `
    1 resourceAttributes ResourceAttributes ptr
    2 nonResourceAttributes NonResourceAttributes ptr`,
  ResourceAttributes: `
    1 namespace string
    2 verb string
    3 group string
    4 version string
    5 resource string
    6 subresource string
    7 name string`,
  NonResourceAttributes: `
    1 path string
    2 verb string`,
  SubjectAccessReviewStatus: `
    1 allowed bool
    4 denied bool
    2 reason string
    3 evaluationError string`,
  TokenRequest: `
    1 metadata ObjectMeta
    2 spec TokenRequestSpec
    3 status TokenRequestStatus`,
  TokenRequestSpec: `
    1 audiences []string
    4 expirationSeconds int64 ptr
    3 boundObjectRef BoundObjectReference ptr`,
  BoundObjectReference: `
    1 kind string
    2 apiVersion string
    3 name string
    4 uid string`,
  TokenRequestStatus: `
    1 token string
    2 expirationTimestamp time`,
};

/** Top-level kinds by `apiVersion` then `kind`; the value is the message name. */
const KINDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  v1: { Namespace: 'Namespace', Service: 'Service', Secret: 'Secret', ConfigMap: 'ConfigMap', ServiceAccount: 'ServiceAccount' },
  'apps/v1': { Deployment: 'Deployment' },
  'batch/v1': { Job: 'Job', CronJob: 'CronJob' },
  'networking.k8s.io/v1': { Ingress: 'Ingress' },
  'authorization.k8s.io/v1': { SelfSubjectAccessReview: 'SelfSubjectAccessReview' },
  'authentication.k8s.io/v1': { TokenRequest: 'TokenRequest' },
};

// ---------------------------------------------------------------------------------------------
// Parsing of the tables above.

const SCALARS: ReadonlySet<string> = new Set<ScalarType>(['string', 'int32', 'int64', 'bool', 'bytes', 'time', 'quantity', 'intstr', 'fieldsv1']);
const MAP_VALUES: ReadonlySet<string> = new Set<MapValueType>(['string', 'bytes', 'quantity']);
const FLAGS: ReadonlySet<string> = new Set(['ptr', 'inline', 'keep']);

function parseMessage(name: string, text: string): MessageDef {
  const fields: FieldDef[] = [];
  const byNumber = new Map<number, FieldDef>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const [noText, jsonName, typeText, ...flags] = line.split(/\s+/);
    const no = Number(noText);
    if (!Number.isInteger(no) || no <= 0 || jsonName === undefined || typeText === undefined) {
      throw new Error(`k8s-schemas: bad line in ${name}: "${line}"`);
    }
    for (const f of flags) if (!FLAGS.has(f)) throw new Error(`k8s-schemas: unknown flag "${f}" in ${name}.${jsonName}`);
    let t = typeText;
    const repeated = t.startsWith('[]');
    if (repeated) t = t.slice(2);
    const def: FieldDef = {
      no,
      name: jsonName,
      type: 'message',
      repeated,
      pointer: flags.includes('ptr'),
      inline: flags.includes('inline'),
      keep: flags.includes('keep'),
    };
    const mapMatch = /^map<(\w+)>$/.exec(t);
    if (mapMatch) {
      const v = mapMatch[1] as string;
      if (!MAP_VALUES.has(v) || repeated) throw new Error(`k8s-schemas: bad map type in ${name}.${jsonName}`);
      def.type = 'map';
      def.mapValue = v as MapValueType;
    } else if (SCALARS.has(t)) {
      def.type = t as ScalarType;
    } else if (/^[A-Z]\w*$/.test(t)) {
      def.ref = t;
    } else {
      throw new Error(`k8s-schemas: unknown type "${typeText}" in ${name}.${jsonName}`);
    }
    if (def.inline && def.type !== 'message') throw new Error(`k8s-schemas: only messages can be inline (${name}.${jsonName})`);
    if (byNumber.has(no)) throw new Error(`k8s-schemas: duplicate field number ${no} in ${name}`);
    byNumber.set(no, def);
    fields.push(def);
  }
  return { name, fields, byNumber };
}

function buildRegistry(): Map<string, MessageDef> {
  const all: Record<string, string> = { ...META, ...CORE, ...APPS, ...BATCH, ...NETWORKING, ...AUTH };
  const reg = new Map<string, MessageDef>();
  for (const [name, text] of Object.entries(all)) reg.set(name, parseMessage(name, text));
  // Every reference must resolve, so a typo fails at import time rather than mid-request.
  for (const m of reg.values()) {
    for (const f of m.fields) {
      if (f.ref !== undefined && !reg.has(f.ref)) throw new Error(`k8s-schemas: ${m.name}.${f.name} refers to unknown message ${f.ref}`);
    }
  }
  for (const kinds of Object.values(KINDS)) {
    for (const msg of Object.values(kinds)) if (!reg.has(msg)) throw new Error(`k8s-schemas: kind table refers to unknown message ${msg}`);
  }
  return reg;
}

/** All message tables by name. */
export const MESSAGES: ReadonlyMap<string, MessageDef> = buildRegistry();

/** The table for a message name; throws if there is none (a bug in the tables). */
export function getMessage(name: string): MessageDef {
  const m = MESSAGES.get(name);
  if (m === undefined) throw new Error(`k8s-schemas: no message ${name}`);
  return m;
}

/** The top-level message for a kind in an apiVersion, or undefined when not registered. */
export function messageForKind(apiVersion: string, kind: string): MessageDef | undefined {
  const name = KINDS[apiVersion]?.[kind];
  return name === undefined ? undefined : MESSAGES.get(name);
}

/** The registered `(apiVersion, kind)` pairs. */
export function registeredKinds(): { apiVersion: string; kind: string }[] {
  const out: { apiVersion: string; kind: string }[] = [];
  for (const [apiVersion, kinds] of Object.entries(KINDS)) for (const kind of Object.keys(kinds)) out.push({ apiVersion, kind });
  return out;
}
